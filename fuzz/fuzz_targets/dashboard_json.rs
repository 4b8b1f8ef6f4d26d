//! Any bytes as a dashboard file: import never panics, and an imported dashboard serialises.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = app::model::dashboard::import(text, "fuzz") {
        assert!(!d.uid.is_empty(), "an imported dashboard always has a uid");
        serde_json::to_string(&d).expect("a dashboard serialises");
    }
});
