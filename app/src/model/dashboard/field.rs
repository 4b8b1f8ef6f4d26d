//! Field config: units, decimals, min/max, thresholds, value mappings, `noValue`, draw style and
//! overrides (by name or regex), and colours. Legacy panel options map onto it in `legacy`;
//! values are written for display in `units`. Pure.

use super::units::{format_value, trim_float};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum DrawStyle {
    #[default]
    Line,
    Bars,
    Points,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Stacking {
    #[default]
    None,
    Normal,
    Percent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ThresholdsStyle {
    #[default]
    Off,
    Line,
    Area,
    LineAndArea,
}

/// One threshold step: from `value` upwards (the base step has `None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub value: Option<f64>,
    pub color: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Step values are percentages of the min..max range.
    pub percentage: bool,
    pub steps: Vec<Step>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            percentage: false,
            steps: vec![
                Step {
                    value: None,
                    color: "green".into(),
                },
                Step {
                    value: Some(80.0),
                    color: "red".into(),
                },
            ],
        }
    }
}

impl Thresholds {
    /// Absolute threshold values, with percentage steps resolved against `min..max`.
    pub fn absolute_steps(&self, min: f64, max: f64) -> Vec<(Option<f64>, String)> {
        self.steps
            .iter()
            .map(|s| {
                let v = s.value.map(|v| {
                    if self.percentage {
                        min + (max - min) * v / 100.0
                    } else {
                        v
                    }
                });
                (v, s.color.clone())
            })
            .collect()
    }

    /// The colour of the highest step at or below `value`.
    pub fn color_for(&self, value: f64, min: f64, max: f64) -> String {
        let mut color = self
            .steps
            .first()
            .map(|s| s.color.clone())
            .unwrap_or_else(|| "green".into());
        for (v, c) in self.absolute_steps(min, max) {
            match v {
                None => color = c,
                Some(v) if value >= v => color = c,
                _ => {}
            }
        }
        color
    }

    fn from_json(v: &Value) -> Option<Self> {
        let steps = v
            .get("steps")?
            .as_array()?
            .iter()
            .map(|s| Step {
                value: s.get("value").and_then(number),
                color: s
                    .get("color")
                    .and_then(Value::as_str)
                    .unwrap_or("green")
                    .to_string(),
            })
            .collect();
        Some(Self {
            percentage: v.get("mode").and_then(Value::as_str) == Some("percentage"),
            steps,
        })
    }
}

/// What a mapping rewrites a value to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappingResult {
    pub text: Option<String>,
    pub color: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ValueMapping {
    Value(String, MappingResult),
    Range(Option<f64>, Option<f64>, MappingResult),
    Regex(String, MappingResult),
    /// `null`, `nan`, `null+nan`, `true`, `false`, `empty`.
    Special(String, MappingResult),
}

impl ValueMapping {
    /// Reads both the current format (`{type, options}`) and the pre-7 one (`{type: 1|2, …}`).
    pub(super) fn from_json(v: &Value) -> Vec<Self> {
        let result = |r: &Value| MappingResult {
            text: r
                .get("text")
                .and_then(Value::as_str)
                .map(str::to_string)
                .filter(|t| !t.is_empty()),
            color: r.get("color").and_then(Value::as_str).map(str::to_string),
        };
        let opts = v.get("options").cloned().unwrap_or(Value::Null);
        match v.get("type") {
            Some(Value::String(t)) if t == "value" => opts
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, r)| ValueMapping::Value(k.clone(), result(r)))
                        .collect()
                })
                .unwrap_or_default(),
            Some(Value::String(t)) if t == "range" => vec![ValueMapping::Range(
                opts.get("from").and_then(number),
                opts.get("to").and_then(number),
                result(opts.get("result").unwrap_or(&Value::Null)),
            )],
            Some(Value::String(t)) if t == "regex" => vec![ValueMapping::Regex(
                opts.get("pattern")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                result(opts.get("result").unwrap_or(&Value::Null)),
            )],
            Some(Value::String(t)) if t == "special" => vec![ValueMapping::Special(
                opts.get("match")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                result(opts.get("result").unwrap_or(&Value::Null)),
            )],
            // Legacy: type 1 = value, 2 = range, text on the mapping itself.
            Some(Value::Number(n)) if n.as_u64() == Some(2) => vec![ValueMapping::Range(
                v.get("from").and_then(number),
                v.get("to").and_then(number),
                result(v),
            )],
            Some(Value::Number(_)) | None => match v.get("value") {
                Some(val) => {
                    let key = match val {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    if key == "null" {
                        vec![ValueMapping::Special("null".into(), result(v))]
                    } else {
                        vec![ValueMapping::Value(key, result(v))]
                    }
                }
                None => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    fn matches(&self, value: Option<f64>) -> Option<&MappingResult> {
        match (self, value) {
            (ValueMapping::Value(k, r), Some(v)) => {
                (k.trim().parse::<f64>().ok() == Some(v)).then_some(r)
            }
            (ValueMapping::Range(from, to, r), Some(v)) => {
                (from.is_none_or(|f| v >= f) && to.is_none_or(|t| v <= t)).then_some(r)
            }
            (ValueMapping::Regex(p, r), Some(v)) => regex_lite::Regex::new(p)
                .ok()
                .filter(|re| re.is_match(&trim_float(v)))
                .map(|_| r),
            (ValueMapping::Special(m, r), None) => {
                matches!(m.as_str(), "null" | "null+nan" | "empty").then_some(r)
            }
            (ValueMapping::Special(m, r), Some(v)) if v.is_nan() => {
                matches!(m.as_str(), "nan" | "null+nan").then_some(r)
            }
            _ => None,
        }
    }
}

/// Per-field display settings; `fieldConfig.defaults` and overrides patch it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)] // sparse on the wire: what did not come is the default's
pub struct FieldConfig {
    pub unit: String,
    pub decimals: Option<u32>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub thresholds: Thresholds,
    /// Read by the panels the server draws (stat, table, states); the browser's charts never map.
    #[serde(
        default,
        deserialize_with = "crate::model::server_only::skip_in_browser"
    )]
    pub mappings: Vec<ValueMapping>,
    pub no_value: Option<String>,
    pub display_name: Option<String>,
    /// A fixed colour (`color: {mode: fixed, fixedColor}` or a legacy series override).
    pub color: Option<String>,
    pub draw: DrawStyle,
    /// 0–100.
    pub fill_opacity: f64,
    pub line_width: f64,
    pub points: bool,
    pub stacking: Stacking,
    pub log_base: Option<u32>,
    pub thresholds_style: ThresholdsStyle,
    /// Hidden from the chart (`custom.hideFrom.viz`) or a hidden table column.
    pub hidden: bool,
    /// Legacy `negative-Y` transform: drawn below the axis.
    pub negative_y: bool,
}

impl Default for FieldConfig {
    fn default() -> Self {
        Self {
            unit: String::new(),
            decimals: None,
            min: None,
            max: None,
            thresholds: Thresholds::default(),
            mappings: Vec::new(),
            no_value: None,
            display_name: None,
            color: None,
            draw: DrawStyle::Line,
            fill_opacity: 0.0,
            line_width: 1.0,
            points: false,
            stacking: Stacking::None,
            log_base: None,
            thresholds_style: ThresholdsStyle::Off,
            hidden: false,
            negative_y: false,
        }
    }
}

pub(super) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl FieldConfig {
    pub fn apply_defaults(&mut self, defaults: &Value) {
        let Some(obj) = defaults.as_object() else {
            return;
        };
        for (k, v) in obj {
            if k == "custom" {
                if let Some(custom) = v.as_object() {
                    for (ck, cv) in custom {
                        self.apply_property(&format!("custom.{ck}"), cv);
                    }
                }
            } else {
                self.apply_property(k, v);
            }
        }
    }

    /// Applies one property as named in `fieldConfig` (defaults key or override property id).
    pub fn apply_property(&mut self, id: &str, v: &Value) {
        match id {
            "unit" => self.unit = v.as_str().unwrap_or("").to_string(),
            "decimals" => self.decimals = number(v).map(|d| d.clamp(0.0, 10.0) as u32),
            "min" => self.min = number(v),
            "max" => self.max = number(v),
            "thresholds" => {
                if let Some(t) = Thresholds::from_json(v) {
                    self.thresholds = t
                }
            }
            "mappings" => {
                self.mappings = v
                    .as_array()
                    .map(|a| a.iter().flat_map(ValueMapping::from_json).collect())
                    .unwrap_or_default()
            }
            "noValue" => self.no_value = v.as_str().map(str::to_string),
            "displayName" | "displayNameFromDS" => {
                self.display_name = v.as_str().map(str::to_string).filter(|s| !s.is_empty())
            }
            "color" if v.get("mode").and_then(Value::as_str) == Some("fixed") => {
                self.color = v
                    .get("fixedColor")
                    .and_then(Value::as_str)
                    .map(str::to_string);
            }
            "custom.drawStyle" => {
                self.draw = match v.as_str() {
                    Some("bars") => DrawStyle::Bars,
                    Some("points") => DrawStyle::Points,
                    _ => DrawStyle::Line,
                }
            }
            "custom.fillOpacity" => self.fill_opacity = number(v).unwrap_or(0.0).clamp(0.0, 100.0),
            "custom.lineWidth" => self.line_width = number(v).unwrap_or(1.0).clamp(0.0, 10.0),
            "custom.showPoints" => self.points = v.as_str() == Some("always"),
            "custom.stacking" => {
                self.stacking = match v.get("mode").and_then(Value::as_str) {
                    Some("normal") => Stacking::Normal,
                    Some("percent") => Stacking::Percent,
                    _ => Stacking::None,
                }
            }
            "custom.scaleDistribution" => {
                self.log_base = (v.get("type").and_then(Value::as_str) == Some("log"))
                    .then(|| v.get("log").and_then(number).unwrap_or(10.0) as u32)
                    .filter(|b| *b >= 2)
            }
            "custom.thresholdsStyle" => {
                self.thresholds_style = match v.get("mode").and_then(Value::as_str) {
                    Some("line") | Some("dashed") => ThresholdsStyle::Line,
                    Some("area") => ThresholdsStyle::Area,
                    Some("line+area") | Some("dashed+area") => ThresholdsStyle::LineAndArea,
                    _ => ThresholdsStyle::Off,
                }
            }
            "custom.hideFrom" => self.hidden = v.get("viz").and_then(Value::as_bool) == Some(true),
            "custom.hidden" => self.hidden = v.as_bool() == Some(true),
            "custom.transform" => self.negative_y = v.as_str() == Some("negative-Y"),
            _ => {}
        }
    }

    /// The mapping result for a value, if any mapping applies.
    pub fn mapped(&self, value: Option<f64>) -> Option<&MappingResult> {
        self.mappings.iter().find_map(|m| m.matches(value))
    }

    /// Text and colour to show for a reduced value: mappings first, then `noValue`, then the
    /// unit formatting with the threshold colour.
    pub fn display(&self, value: Option<f64>) -> (String, String) {
        let (min, max) = (self.min.unwrap_or(0.0), self.max.unwrap_or(100.0));
        let threshold_color = value
            .filter(|v| !v.is_nan())
            .map(|v| self.thresholds.color_for(v, min, max));
        if let Some(m) = self.mapped(value) {
            let text = m
                .text
                .clone()
                .unwrap_or_else(|| value.map_or("No data".into(), |v| self.format(v)));
            let color = m
                .color
                .clone()
                .or(threshold_color)
                .unwrap_or_else(|| "text".into());
            return (text, color);
        }
        match value {
            None => (
                self.no_value.clone().unwrap_or_else(|| "No data".into()),
                "text".into(),
            ),
            Some(v) => (
                self.format(v),
                threshold_color.unwrap_or_else(|| "text".into()),
            ),
        }
    }

    pub fn format(&self, v: f64) -> String {
        format_value(v, &self.unit, self.decimals)
    }
}

/// How an override picks fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FieldMatcher {
    ByName(String),
    ByRegex(String),
    ByRefId(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    pub matcher: FieldMatcher,
    /// (property id, value) pairs as Grafana writes them.
    pub properties: Vec<(String, Value)>,
}

impl Override {
    pub fn from_json(v: &Value) -> Option<Self> {
        let m = v.get("matcher")?;
        let opt = match m.get("options")? {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let matcher = match m.get("id")?.as_str()? {
            "byName" => FieldMatcher::ByName(opt),
            "byRegexp" => FieldMatcher::ByRegex(opt),
            "byFrameRefID" => FieldMatcher::ByRefId(opt),
            _ => return None,
        };
        let properties = v
            .get("properties")?
            .as_array()?
            .iter()
            .filter_map(|p| {
                Some((
                    p.get("id")?.as_str()?.to_string(),
                    p.get("value").cloned().unwrap_or(Value::Null),
                ))
            })
            .collect();
        Some(Self {
            matcher,
            properties,
        })
    }

    pub fn matches(&self, name: &str, ref_id: &str) -> bool {
        match &self.matcher {
            FieldMatcher::ByName(n) => n == name,
            FieldMatcher::ByRefId(r) => r == ref_id,
            FieldMatcher::ByRegex(p) => {
                let p = strip_slashes(p);
                regex_lite::Regex::new(p)
                    .map(|re| re.is_match(name))
                    .unwrap_or(false)
            }
        }
    }
}

fn strip_slashes(p: &str) -> &str {
    p.strip_prefix('/')
        .and_then(|r| r.rsplit_once('/').map(|(body, _flags)| body))
        .unwrap_or(p)
}

/// The field config of one series: defaults patched by every matching override, in order.
pub fn resolve(
    defaults: &FieldConfig,
    overrides: &[Override],
    name: &str,
    ref_id: &str,
) -> FieldConfig {
    let mut fc = defaults.clone();
    for o in overrides.iter().filter(|o| o.matches(name, ref_id)) {
        for (id, v) in &o.properties {
            fc.apply_property(id, v);
        }
    }
    fc
}

/// Grafana's palette names to colours; anything else that is safe CSS passes through.
/// Black or white, whichever reads better on `bg` (a `#rrggbb` colour; white otherwise), by
/// WCAG contrast.
pub fn text_on(bg: &str) -> &'static str {
    let hex = bg.trim_start_matches('#');
    let channel = |i: usize| {
        u8::from_str_radix(hex.get(i..i + 2)?, 16).ok().map(|c| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        })
    };
    let (Some(r), Some(g), Some(b)) = (channel(0), channel(2), channel(4)) else {
        return "#ffffff";
    };
    let l = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    // Contrast with black (l+0.05)/0.05 against white 1.05/(l+0.05).
    if (l + 0.05) / 0.05 > 1.05 / (l + 0.05) {
        "#000000"
    } else {
        "#ffffff"
    }
}

pub fn css_color(name: &str) -> String {
    let base = name
        .trim_start_matches("super-light-")
        .trim_start_matches("light-")
        .trim_start_matches("semi-dark-")
        .trim_start_matches("dark-");
    let named = match base {
        "green" => "#73bf69",
        "red" => "#f2495c",
        "orange" => "#ff9830",
        "yellow" => "#fade2a",
        "blue" => "#5794f2",
        "purple" => "#b877d9",
        "text" => "currentColor",
        "transparent" => "transparent",
        _ => "",
    };
    if !named.is_empty() {
        return named.to_string();
    }
    // Only characters a colour needs: no quotes, semicolons or braces can reach a style attribute.
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "#(),. %".contains(c))
    {
        name.to_string()
    } else {
        "currentColor".to_string()
    }
}

/// Series colours when none is fixed (Grafana's classic palette order).
pub const PALETTE: [&str; 12] = [
    "#7eb26d", "#eab839", "#6ed0e0", "#ef843c", "#e24d42", "#1f78c1", "#ba43a9", "#705da0",
    "#508642", "#cca300", "#447ebc", "#c15c17",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_on_a_colour_is_the_readable_one() {
        assert_eq!(
            text_on("#73bf69"),
            "#000000",
            "black on Grafana green (white is 2.2:1)"
        );
        assert_eq!(text_on("#d1242f"), "#ffffff");
        assert_eq!(text_on("#fade2a"), "#000000");
        assert_eq!(text_on("rgb(1,2,3)"), "#ffffff");
    }
    use serde_json::json;

    #[test]
    fn thresholds_absolute_percentage_and_base() {
        let mut fc = FieldConfig::default();
        fc.apply_property(
            "thresholds",
            &json!({"mode":"absolute","steps":[{"color":"green","value":null},{"color":"orange","value":50},{"color":"red","value":90}]}),
        );
        assert_eq!(fc.thresholds.color_for(10.0, 0.0, 100.0), "green");
        assert_eq!(fc.thresholds.color_for(50.0, 0.0, 100.0), "orange");
        assert_eq!(fc.thresholds.color_for(95.0, 0.0, 100.0), "red");
        fc.apply_property(
            "thresholds",
            &json!({"mode":"percentage","steps":[{"color":"green","value":null},{"color":"red","value":50}]}),
        );
        assert_eq!(fc.thresholds.color_for(0.4, 0.0, 1.0), "green");
        assert_eq!(fc.thresholds.color_for(0.6, 0.0, 1.0), "red");
    }

    #[test]
    fn mappings_new_and_legacy_and_no_value() {
        let mut fc = FieldConfig::default();
        fc.apply_property(
            "mappings",
            &json!([
                {"type":"value","options":{"1":{"text":"Up","color":"green"},"0":{"text":"Down","color":"red"}}},
                {"type":"range","options":{"from":2,"to":10,"result":{"text":"Several"}}},
                {"type":"special","options":{"match":"null","result":{"text":"Unknown"}}}
            ]),
        );
        assert_eq!(fc.display(Some(1.0)), ("Up".into(), "green".into()));
        assert_eq!(fc.display(Some(0.0)).0, "Down");
        assert_eq!(fc.display(Some(5.0)).0, "Several");
        assert_eq!(fc.display(None).0, "Unknown");
        let mut fc = FieldConfig::default();
        fc.apply_property("mappings", &json!([{"id":0,"op":"=","text":"N/A","type":1,"value":"null"},{"type":1,"value":"3","text":"three"}]));
        assert_eq!(fc.display(None).0, "N/A");
        assert_eq!(fc.display(Some(3.0)).0, "three");
        let mut fc = FieldConfig::default();
        fc.apply_property("noValue", &json!("—"));
        assert_eq!(fc.display(None).0, "—");
        fc.apply_property("unit", &json!("percent"));
        assert_eq!(fc.display(Some(12.0)).0, "12%");
    }

    #[test]
    fn overrides_by_name_and_regex() {
        let defaults = FieldConfig::default();
        let ov = vec![
            Override::from_json(&json!({"matcher":{"id":"byName","options":"errors"},"properties":[{"id":"color","value":{"mode":"fixed","fixedColor":"red"}}]})).unwrap(),
            Override::from_json(&json!({"matcher":{"id":"byRegexp","options":"/p9.*/"},"properties":[{"id":"unit","value":"s"},{"id":"custom.lineWidth","value":3}]})).unwrap(),
        ];
        let e = resolve(&defaults, &ov, "errors", "A");
        assert_eq!(e.color.as_deref(), Some("red"));
        let p = resolve(&defaults, &ov, "p99", "A");
        assert_eq!((p.unit.as_str(), p.line_width), ("s", 3.0));
        let other = resolve(&defaults, &ov, "p50", "A");
        assert_eq!(other.unit, "", "only matching names are patched");
    }

    #[test]
    fn colors_are_safe() {
        assert_eq!(css_color("semi-dark-red"), "#f2495c");
        assert_eq!(css_color("#abc"), "#abc");
        assert_eq!(css_color("rgba(1, 2, 3, 0.5)"), "rgba(1, 2, 3, 0.5)");
        assert_eq!(css_color("red;background:url(x)"), "currentColor");
    }
}
