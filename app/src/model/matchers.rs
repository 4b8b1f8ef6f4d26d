//! Label matchers in Alertmanager's syntax (`name="v"`, `!=`, `=~`, `!~`; quoted or bare values;
//! lists in braces or comma-separated), matched against label sets with anchored RE2-style regexes
//! as Alertmanager and Prometheus do. Pure.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatchType {
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

impl MatchType {
    pub fn op(self) -> &'static str {
        match self {
            MatchType::Equal => "=",
            MatchType::NotEqual => "!=",
            MatchType::Regex => "=~",
            MatchType::NotRegex => "!~",
        }
    }
    pub fn is_regex(self) -> bool {
        matches!(self, MatchType::Regex | MatchType::NotRegex)
    }
    pub fn is_equal(self) -> bool {
        matches!(self, MatchType::Equal | MatchType::Regex)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matcher {
    pub name: String,
    pub value: String,
    pub kind: MatchType,
}

#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum MatcherError {
    #[error("{0:?} is not a matcher; write name=\"value\" (or !=, =~, !~)")]
    Syntax(String),
    #[error(
        "label name {0:?} is not valid; use letters, digits and _ (not starting with a digit)"
    )]
    Name(String),
    #[error("regex {value:?} does not compile: {message}")]
    Regex { value: String, message: String },
}

fn valid_name(n: &str) -> bool {
    let mut chars = n.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn unquote(v: &str) -> Result<String, ()> {
    let v = v.trim();
    let Some(inner) = v.strip_prefix('"') else {
        // Bare values are allowed, but not ones that would need quoting.
        return if v.contains(['"', ',', '{', '}']) {
            Err(())
        } else {
            Ok(v.to_string())
        };
    };
    let inner = inner.strip_suffix('"').ok_or(())?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => return Err(()),
            },
            '"' => return Err(()),
            c => out.push(c),
        }
    }
    Ok(out)
}

fn compile(value: &str) -> Result<regex_lite::Regex, MatcherError> {
    regex_lite::Regex::new(&format!("^(?:{value})$")).map_err(|e| MatcherError::Regex {
        value: value.to_string(),
        message: e.to_string(),
    })
}

impl Matcher {
    pub fn new(name: &str, kind: MatchType, value: &str) -> Result<Self, MatcherError> {
        if !valid_name(name) {
            return Err(MatcherError::Name(name.to_string()));
        }
        if kind.is_regex() {
            compile(value)?;
        }
        Ok(Matcher {
            name: name.to_string(),
            value: value.to_string(),
            kind,
        })
    }

    /// Parses one matcher such as `severity="critical"`, `job=~"arm.*"` or `alertname=HighCPU`.
    pub fn parse(text: &str) -> Result<Self, MatcherError> {
        let t = text.trim();
        let syntax = || MatcherError::Syntax(t.to_string());
        let pos = t.find(['=', '!']).ok_or_else(syntax)?;
        let name = t[..pos].trim();
        let rest = &t[pos..];
        let (kind, value) = if let Some(v) = rest.strip_prefix("=~") {
            (MatchType::Regex, v)
        } else if let Some(v) = rest.strip_prefix("!~") {
            (MatchType::NotRegex, v)
        } else if let Some(v) = rest.strip_prefix("!=") {
            (MatchType::NotEqual, v)
        } else if let Some(v) = rest.strip_prefix('=') {
            (MatchType::Equal, v)
        } else {
            return Err(syntax());
        };
        let value = unquote(value).map_err(|_| syntax())?;
        Matcher::new(name, kind, &value)
    }

    pub fn matches_value(&self, v: &str) -> bool {
        match self.kind {
            MatchType::Equal => v == self.value,
            MatchType::NotEqual => v != self.value,
            // Values were compiled in `new`; a failure here cannot happen for parsed matchers.
            MatchType::Regex => compile(&self.value).is_ok_and(|r| r.is_match(v)),
            MatchType::NotRegex => compile(&self.value).is_ok_and(|r| !r.is_match(v)),
        }
    }

    /// A missing label matches as the empty string, as in Alertmanager.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.matches_value(labels.get(&self.name).map(String::as_str).unwrap_or(""))
    }
}

impl std::fmt::Display for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}{}{}",
            self.name,
            self.kind.op(),
            crate::model::links::quote(&self.value)
        )
    }
}

/// Splits on commas outside quotes.
fn split_list(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// Parses `{a="b", c=~"d"}` or `a="b", c=~"d"` (empty input gives no matchers).
pub fn parse_matchers(text: &str) -> Result<Vec<Matcher>, MatcherError> {
    let t = text.trim();
    let t = t
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .unwrap_or(t);
    split_list(t).into_iter().map(Matcher::parse).collect()
}

pub fn matches_all(matchers: &[Matcher], labels: &BTreeMap<String, String>) -> bool {
    matchers.iter().all(|m| m.matches(labels))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn parses_every_operator_quoted_and_bare() {
        assert_eq!(
            Matcher::parse(r#"severity="critical""#).unwrap().kind,
            MatchType::Equal
        );
        assert_eq!(
            Matcher::parse("alertname=HighCPUUsage").unwrap().value,
            "HighCPUUsage"
        );
        assert_eq!(
            Matcher::parse(r#"job=~"arm.*""#).unwrap().kind,
            MatchType::Regex
        );
        assert_eq!(
            Matcher::parse(r#"env!="prod""#).unwrap().kind,
            MatchType::NotEqual
        );
        assert_eq!(
            Matcher::parse(r#"pod!~"test-.*""#).unwrap().kind,
            MatchType::NotRegex
        );
        assert_eq!(
            Matcher::parse(r#"msg="say \"hi\", ok""#).unwrap().value,
            "say \"hi\", ok"
        );
    }

    #[test]
    fn refuses_bad_input_with_reasons() {
        assert!(matches!(
            Matcher::parse("severity"),
            Err(MatcherError::Syntax(_))
        ));
        assert!(matches!(
            Matcher::parse(r#"1abc="x""#),
            Err(MatcherError::Name(_))
        ));
        assert!(matches!(
            Matcher::parse(r#"job=~"arm(""#),
            Err(MatcherError::Regex { .. })
        ));
        assert!(matches!(
            Matcher::parse(r#"a="unterminated"#),
            Err(MatcherError::Syntax(_))
        ));
    }

    #[test]
    fn regexes_are_anchored_and_missing_labels_are_empty() {
        let l = labels(&[("job", "arms"), ("severity", "critical")]);
        assert!(Matcher::parse(r#"job=~"arm.*""#).unwrap().matches(&l));
        assert!(
            !Matcher::parse(r#"job=~"arm""#).unwrap().matches(&l),
            "anchored"
        );
        assert!(
            Matcher::parse(r#"team="""#).unwrap().matches(&l),
            "missing label is empty"
        );
        assert!(Matcher::parse(r#"severity!~"warn.*""#).unwrap().matches(&l));
    }

    #[test]
    fn lists_with_and_without_braces() {
        let m = parse_matchers(r#"{severity="critical", job=~"a,b|arms"}"#).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].value, "a,b|arms");
        assert!(matches_all(
            &m,
            &labels(&[("severity", "critical"), ("job", "arms")])
        ));
        assert_eq!(parse_matchers("").unwrap(), vec![]);
        assert_eq!(m[0].to_string(), r#"severity="critical""#);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn matcher() -> impl Strategy<Value = Matcher> {
        (
            "[a-zA-Z_][a-zA-Z0-9_]{0,12}",
            "[ -~]{0,16}",
            prop_oneof![
                Just(MatchType::Equal),
                Just(MatchType::NotEqual),
                Just(MatchType::Regex),
                Just(MatchType::NotRegex)
            ],
        )
            .prop_map(|(name, value, kind)| Matcher { name, value, kind })
            // Regex matchers must compile: parse refuses the others, as it should.
            .prop_filter("a regex matcher needs a valid regex", |m| {
                !matches!(m.kind, MatchType::Regex | MatchType::NotRegex)
                    || regex_lite::Regex::new(&m.value).is_ok()
            })
    }

    proptest! {
        #[test]
        fn printed_matchers_parse_back_to_themselves(ms in proptest::collection::vec(matcher(), 1..5)) {
            let text = ms.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(", ");
            let back = parse_matchers(&text);
            prop_assert_eq!(back.as_ref().ok(), Some(&ms), "{}", text);
        }
    }
}
