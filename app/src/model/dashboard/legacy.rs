//! Grafana's legacy panels mapped onto today's field config: `graph` (axes, fill, stacking,
//! threshold lines, series overrides), `singlestat` and the old `table`'s styles. Pure.

use super::field::*;
use super::{PanelOptions, Reducer};
use serde_json::Value;

fn legacy_color(mode: &str) -> &'static str {
    match mode {
        "critical" => "red",
        "warning" => "orange",
        "ok" => "green",
        _ => "red",
    }
}

/// `graph` (Grafana ≤ 7) options onto the timeseries field config.
pub fn legacy_graph(
    p: &Value,
    field: &mut FieldConfig,
    overrides: &mut Vec<Override>,
    options: &mut PanelOptions,
) {
    let flag = |k: &str, d: bool| p.get(k).and_then(Value::as_bool).unwrap_or(d);
    field.draw = if flag("bars", false) && !flag("lines", true) {
        DrawStyle::Bars
    } else if flag("points", false) && !flag("lines", true) {
        DrawStyle::Points
    } else {
        DrawStyle::Line
    };
    field.points = flag("points", false);
    field.fill_opacity = p.get("fill").and_then(number).unwrap_or(1.0) * 10.0;
    field.line_width = p.get("linewidth").and_then(number).unwrap_or(1.0);
    if flag("stack", false) {
        field.stacking = if flag("percentage", false) {
            Stacking::Percent
        } else {
            Stacking::Normal
        };
    }
    if let Some(y) = p
        .get("yaxes")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        if let Some(f) = y.get("format").and_then(Value::as_str) {
            field.unit = f.to_string();
        }
        field.min = y.get("min").and_then(number);
        field.max = y.get("max").and_then(number);
        field.log_base = y
            .get("logBase")
            .and_then(number)
            .map(|b| b as u32)
            .filter(|b| *b >= 2);
        if let Some(d) = y.get("decimals").and_then(number) {
            field.decimals = Some(d as u32);
        }
    }
    if let Some(d) = p.get("decimals").and_then(number) {
        field.decimals = Some(d as u32);
    }
    if let Some(legend) = p.get("legend") {
        options.legend = legend.get("show").and_then(Value::as_bool).unwrap_or(true);
    }
    let ths: Vec<&Value> = p
        .get("thresholds")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    if !ths.is_empty() {
        let mut steps = vec![Step {
            value: None,
            color: "transparent".into(),
        }];
        let mut any_fill = false;
        for t in &ths {
            let color = t
                .get("fillColor")
                .or_else(|| t.get("lineColor"))
                .and_then(Value::as_str)
                .filter(|_| t.get("colorMode").and_then(Value::as_str) == Some("custom"))
                .map(str::to_string)
                .unwrap_or_else(|| {
                    legacy_color(t.get("colorMode").and_then(Value::as_str).unwrap_or("")).into()
                });
            any_fill |= t.get("fill").and_then(Value::as_bool).unwrap_or(true);
            steps.push(Step {
                value: t.get("value").and_then(number),
                color,
            });
        }
        field.thresholds = Thresholds {
            percentage: false,
            steps,
        };
        field.thresholds_style = if any_fill {
            ThresholdsStyle::LineAndArea
        } else {
            ThresholdsStyle::Line
        };
    }
    for so in p
        .get("seriesOverrides")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(alias) = so.get("alias").and_then(Value::as_str) else {
            continue;
        };
        let matcher = if alias.starts_with('/') {
            FieldMatcher::ByRegex(alias.to_string())
        } else {
            FieldMatcher::ByName(alias.to_string())
        };
        let mut props = Vec::new();
        if let Some(c) = so.get("color").and_then(Value::as_str) {
            props.push((
                "color".to_string(),
                serde_json::json!({"mode": "fixed", "fixedColor": c}),
            ));
        }
        if let Some(f) = so.get("fill").and_then(number) {
            props.push(("custom.fillOpacity".into(), serde_json::json!(f * 10.0)));
        }
        if let Some(w) = so.get("linewidth").and_then(number) {
            props.push(("custom.lineWidth".into(), serde_json::json!(w)));
        }
        if so.get("bars").and_then(Value::as_bool) == Some(true) {
            props.push(("custom.drawStyle".into(), serde_json::json!("bars")));
        }
        if so.get("transform").and_then(Value::as_str) == Some("negative-Y") {
            props.push(("custom.transform".into(), serde_json::json!("negative-Y")));
        }
        if so.get("hiddenSeries").and_then(Value::as_bool) == Some(true) {
            props.push(("custom.hideFrom".into(), serde_json::json!({"viz": true})));
        }
        if !props.is_empty() {
            overrides.push(Override {
                matcher,
                properties: props,
            });
        }
    }
}

/// `singlestat` options onto stat (or gauge) settings; returns true when it was a gauge.
pub fn legacy_singlestat(p: &Value, field: &mut FieldConfig, options: &mut PanelOptions) -> bool {
    if let Some(f) = p.get("format").and_then(Value::as_str) {
        field.unit = f.to_string();
    }
    let prefix = p.get("prefix").and_then(Value::as_str).unwrap_or("");
    let postfix = p.get("postfix").and_then(Value::as_str).unwrap_or("");
    if field.unit.is_empty() || field.unit == "none" {
        if !postfix.is_empty() {
            field.unit = format!("suffix:{postfix}");
        } else if !prefix.is_empty() {
            field.unit = format!("prefix:{prefix}");
        }
    }
    field.decimals = p.get("decimals").and_then(number).map(|d| d as u32);
    let colors = super::strings(p, "colors");
    let values: Vec<f64> = p
        .get("thresholds")
        .and_then(Value::as_str)
        .map(|t| t.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_default();
    let color_at = |i: usize, d: &str| colors.get(i).cloned().unwrap_or_else(|| d.to_string());
    let mut steps = vec![Step {
        value: None,
        color: color_at(0, "green"),
    }];
    for (i, v) in values.iter().enumerate() {
        steps.push(Step {
            value: Some(*v),
            color: color_at(i + 1, "red"),
        });
    }
    field.thresholds = Thresholds {
        percentage: false,
        steps,
    };
    options.color_background = p.get("colorBackground").and_then(Value::as_bool) == Some(true);
    options.sparkline = p
        .get("sparkline")
        .and_then(|s| s.get("show"))
        .and_then(Value::as_bool)
        == Some(true);
    options.reducer = match p.get("valueName").and_then(Value::as_str) {
        Some("current") | None => Reducer::LastNotNull,
        Some("avg") => Reducer::Mean,
        Some("total") => Reducer::Sum,
        Some(other) => Reducer::from_grafana(other),
    };
    let gauge = p.get("gauge").cloned().unwrap_or(Value::Null);
    let is_gauge = gauge.get("show").and_then(Value::as_bool) == Some(true);
    if is_gauge {
        field.min = gauge.get("minValue").and_then(number);
        field.max = gauge.get("maxValue").and_then(number);
    }
    let mut mappings = Vec::new();
    for m in p
        .get("valueMaps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        mappings.extend(ValueMapping::from_json(m));
    }
    for m in p
        .get("rangeMaps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let mut m = m.clone();
        m["type"] = serde_json::json!(2);
        mappings.extend(ValueMapping::from_json(&m));
    }
    if !mappings.is_empty() {
        field.mappings = mappings;
    }
    is_gauge
}

/// Old table `styles` (per-column unit, decimals, alias, hidden) become overrides by column name.
pub fn legacy_table(p: &Value, field: &mut FieldConfig) -> Vec<Override> {
    let mut out = Vec::new();
    for st in p
        .get("styles")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let pattern = st.get("pattern").and_then(Value::as_str).unwrap_or("");
        let mut props = Vec::new();
        if let Some(unit) = st.get("unit").and_then(Value::as_str) {
            if st.get("type").and_then(Value::as_str) == Some("number") {
                props.push(("unit".to_string(), serde_json::json!(unit)));
            }
        }
        if let Some(d) = st.get("decimals").and_then(number) {
            props.push(("decimals".into(), serde_json::json!(d)));
        }
        if let Some(a) = st
            .get("alias")
            .and_then(Value::as_str)
            .filter(|a| !a.is_empty())
        {
            props.push(("displayName".into(), serde_json::json!(a)));
        }
        if st.get("type").and_then(Value::as_str) == Some("hidden") {
            props.push(("custom.hidden".into(), serde_json::json!(true)));
        }
        if pattern == "/.*/" {
            for (id, v) in &props {
                if id != "displayName" {
                    field.apply_property(id, v);
                }
            }
            continue;
        }
        if props.is_empty() {
            continue;
        }
        let matcher = if pattern.starts_with('/') {
            FieldMatcher::ByRegex(pattern.to_string())
        } else {
            FieldMatcher::ByName(pattern.to_string())
        };
        out.push(Override {
            matcher,
            properties: props,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn legacy_graph_and_singlestat() {
        let p = json!({"type":"graph","bars":false,"lines":true,"fill":2,"stack":true,"linewidth":2,
            "yaxes":[{"format":"bytes","min":0,"max":null,"logBase":1}],
            "thresholds":[{"value":80,"colorMode":"critical","fill":true,"op":"gt"}],
            "seriesOverrides":[{"alias":"/quota/","color":"#F2495C","fill":0}],
            "legend":{"show":false}});
        let (mut fc, mut ov, mut opts) =
            (FieldConfig::default(), Vec::new(), PanelOptions::default());
        legacy_graph(&p, &mut fc, &mut ov, &mut opts);
        assert_eq!(fc.unit, "bytes");
        assert_eq!(fc.fill_opacity, 20.0);
        assert_eq!(fc.stacking, Stacking::Normal);
        assert_eq!(fc.min, Some(0.0));
        assert_eq!(fc.log_base, None);
        assert_eq!(fc.thresholds_style, ThresholdsStyle::LineAndArea);
        assert!(!opts.legend);
        let q = resolve(&fc, &ov, "cpu quota", "A");
        assert_eq!((q.color.as_deref(), q.fill_opacity), (Some("#F2495C"), 0.0));

        let s = json!({"type":"singlestat","format":"percentunit","decimals":1,"thresholds":"0.8,0.9",
            "colors":["#299c46","rgba(237, 129, 40, 0.89)","#d44a3a"],"colorBackground":true,
            "sparkline":{"show":true},"valueName":"avg","valueMaps":[{"op":"=","text":"N/A","value":"null"}]});
        let (mut fc, mut opts) = (FieldConfig::default(), PanelOptions::default());
        assert!(!legacy_singlestat(&s, &mut fc, &mut opts));
        assert_eq!(fc.display(Some(0.95)), ("95.0%".into(), "#d44a3a".into()));
        assert_eq!(fc.display(Some(0.85)).1, "rgba(237, 129, 40, 0.89)");
        assert_eq!(fc.display(None).0, "N/A");
        assert!(opts.color_background && opts.sparkline);
        assert_eq!(opts.reducer, Reducer::Mean);
    }
}
