//! Any text as a time (`now-6h/d`, epoch ms, RFC 3339, …) or a duration: no panic, no overflow.
#![no_main]
use app::model::time_range::{parse_time, parse_time_end};
use libfuzzer_sys::fuzz_target;

const NOW: i64 = 1_763_800_000_000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let start = parse_time(text, NOW);
    let end = parse_time_end(text, NOW, true);
    // Rounding a range end up never lands before its start.
    if let (Ok(s), Ok(e)) = (start, end) {
        assert!(e >= s, "{text:?}: end {e} before start {s}");
    }
    // A duration reads back as itself once written (whole milliseconds).
    if let Some(ms) = app::model::duration::parse_ms(text).filter(|ms| *ms > 0) {
        let written = app::model::duration::format_ms(ms);
        assert_eq!(
            app::model::duration::parse_ms(&written),
            Some(ms),
            "{text:?} → {written}"
        );
    }
});
