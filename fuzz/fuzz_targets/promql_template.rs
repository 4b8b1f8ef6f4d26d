//! A query template and a variable value from the fuzzer: interpolation never panics, and a
//! template without `$` or `[[` comes back unchanged.
#![no_main]
use app::model::dashboard::vars::{interpolate, Scope, ScopeValue};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (template, value) = text.split_once('\u{0}').unwrap_or((text, "a|b.*"));
    let mut scope = Scope::new();
    scope.insert("service".into(), ScopeValue::single(value));
    scope.insert(
        "pods".into(),
        ScopeValue {
            values: value.split(',').map(String::from).collect(),
            regex_escape: true,
            ..Default::default()
        },
    );
    let out = interpolate(template, &scope);
    if !template.contains('$') && !template.contains("[[") {
        assert_eq!(out, template);
    }
});
