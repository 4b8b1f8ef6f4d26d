//! Any text as Alertmanager matchers: no panic, and what parses prints back to text that parses
//! to the same matchers.
#![no_main]
use app::model::matchers::parse_matchers;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(ms) = parse_matchers(text) {
        let printed = ms
            .iter()
            .map(|m| m.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let again =
            parse_matchers(&printed).unwrap_or_else(|e| panic!("{printed:?} does not parse: {e}"));
        assert_eq!(ms, again, "{text:?} → {printed:?}");
        let labels = ms
            .iter()
            .map(|m| (m.name.clone(), m.value.clone()))
            .collect();
        let _ = app::model::matchers::matches_all(&ms, &labels);
    }
});
