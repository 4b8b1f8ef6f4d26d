//! The display time zone for the whole console: UTC or the browser's zone, switched from the top
//! bar and kept in the `octoscope_tz` cookie, so the server's first HTML already shows the chosen
//! zone and hydration agrees with it. Every timestamp is printed with its zone.

use crate::contexts::DisplayZone;
use crate::model::timestamp::Zone;
use leptos::prelude::*;

pub const COOKIE: &str = "octoscope_tz";

/// A timestamp in the display zone, always with the zone's name; the exact instant in
/// `datetime` (and the other zone in the tooltip) for copy-paste.
#[component]
pub fn Time(ms: i64, #[prop(optional)] millis: bool) -> impl IntoView {
    let zone = DisplayZone::current();
    let iso = crate::model::timestamp::rfc3339(ms);
    // `data-ms` lets `components::drawn::restamp` rewrite it where it was drawn on the server.
    view! {
        <time
            datetime=iso.clone()
            title=iso
            data-testid="timestamp"
            data-ms=ms
            data-millis=millis.then_some("")
        >
            {move || stamp(zone.get(), ms, millis)}
        </time>
    }
}

/// `ms` as `<Time>` prints it in `zone`.
pub fn stamp(zone: Zone, ms: i64, millis: bool) -> String {
    if millis {
        format!(
            "{} {}",
            crate::model::timestamp::zoned_millis(ms, zone.offset_min()),
            zone.label()
        )
    } else {
        zone.stamp(ms)
    }
}

/// The UTC/local switch in the top bar.
#[component]
pub fn ZoneToggle() -> impl IntoView {
    let zone = DisplayZone::current();
    view! {
        <button
            type="button"
            class="zone-toggle"
            data-testid="zone-toggle"
            data-zone=move || if zone.get().is_local() { "local" } else { "utc" }
            title="Show times in UTC or in this browser's time zone"
            on:click=move |_| zone.toggle()
        >
            {move || match zone.get() {
                Zone::Utc => "UTC".to_string(),
                z => format!("Local ({})", z.label()),
            }}
        </button>
    }
}

/// The remembered display zone's cookie value.
pub(crate) fn read_cookie() -> Option<String> {
    crate::components::prefs::read(COOKIE)
}

/// Remembers the display zone.
pub(crate) fn write_cookie(zone: Zone) {
    crate::components::prefs::write(COOKIE, &zone.cookie_value());
}

/// The browser's current offset in minutes east of UTC; None on the server.
#[cfg(feature = "hydrate")]
pub fn browser_offset_min() -> Option<i32> {
    // getTimezoneOffset is UTC minus local, in minutes.
    Some(-(js_sys::Date::new_0().get_timezone_offset() as i32))
}

#[cfg(not(feature = "hydrate"))]
pub fn browser_offset_min() -> Option<i32> {
    None
}

#[cfg(all(test, feature = "ssr"))]
mod ssr_tests {
    use super::*;
    use crate::components::render;

    #[test]
    fn a_time_says_its_zone_and_keeps_the_instant() {
        let html = render(|| view! { <Time ms=1_700_000_000_000 /> });
        assert!(html.contains(r#"datetime="2023-11-14T22:13:20"#), "{html}");
        assert!(html.contains("UTC"), "{html}");
    }
}
