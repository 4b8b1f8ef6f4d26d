//! Shared UI state, one home for each: a page (or the layout) provides it and the components
//! below read it. The refresh tick, the display zone (UTC or the browser's), a dashboard's chart
//! zone, crosshair and hidden legend entries, and the scrape pools with targets down.

use crate::components::zone::{browser_offset_min, read_cookie, write_cookie};
use crate::model::dashboard::data::GridWidth;
use crate::model::timestamp::Zone;
use leptos::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// `[embedding] allowed_origins`, provided by the server for the page's
/// `<meta name="octoscope-embed-origins">` (read by `components::embed` in the browser).
#[derive(Clone, Debug, Default)]
pub struct EmbedOrigins(pub Vec<String>);

/// Bumped by the refresh picker's timer; resources that read it refetch.
#[derive(Clone, Copy)]
pub struct RefreshTick(pub RwSignal<u64>);

#[derive(Clone, Copy)]
pub struct DisplayZone(pub RwSignal<Zone>);

impl DisplayZone {
    /// Called once by the layout: reads the cookie (request header on the server, `document.cookie`
    /// in the browser) and, in local mode, follows the browser's current offset (DST changes).
    pub fn provide() -> DisplayZone {
        let zone = RwSignal::new(Zone::from_cookie(read_cookie().as_deref()));
        Effect::new(move |_| {
            if let (Zone::Local(old), Some(now)) = (zone.get(), browser_offset_min()) {
                if old != now {
                    zone.set(Zone::Local(now));
                    write_cookie(Zone::Local(now));
                }
            }
        });
        // Times the server drew into static HTML follow a switch too (not the first run: the
        // server drew them in this zone).
        #[cfg(feature = "hydrate")]
        Effect::new(move |seen: Option<()>| {
            let z = zone.get();
            if seen.is_some() {
                crate::components::drawn::restamp(z);
            }
        });
        let dz = DisplayZone(zone);
        provide_context(dz);
        dz
    }

    /// The page's zone; UTC where no layout provided one (server functions, tests).
    pub fn current() -> DisplayZone {
        use_context::<DisplayZone>().unwrap_or_else(|| DisplayZone(RwSignal::new(Zone::Utc)))
    }

    /// Flips UTC ↔ local and remembers the choice.
    pub fn toggle(self) {
        let next = match self.0.get_untracked() {
            Zone::Local(_) => Zone::Utc,
            Zone::Utc => Zone::Local(browser_offset_min().unwrap_or(0)),
        };
        write_cookie(next);
        self.0.set(next);
    }

    pub fn get(self) -> Zone {
        self.0.get()
    }
}

/// The time under the pointer, shared by every chart of a dashboard with `graphTooltip` ≥ 1.
#[derive(Clone, Copy)]
pub struct Crosshair(pub RwSignal<Option<(u32, i64)>>);

/// Minutes east of UTC in which the page shows times (the dashboard's time zone).
#[derive(Clone, Copy)]
pub struct ChartZone(pub RwSignal<i32>);

impl ChartZone {
    /// Provides the zone for a page. A dashboard saying `browser` (Grafana's default) follows the
    /// console's UTC/local switch; `timezone=browser` in the URL pins the browser's zone, and
    /// `utc` or an IANA zone is pinned as well (the server computed its offset).
    pub fn provide(timezone: &str, server_offset_min: i32) -> RwSignal<i32> {
        let display = DisplayZone::current();
        let url_pins_browser = leptos_router::hooks::use_query_map()
            .with_untracked(|q| q.get("timezone").as_deref() == Some("browser"));
        let follows = matches!(timezone, "browser" | "") && !url_pins_browser;
        let initial = if follows {
            display.0.get_untracked().offset_min()
        } else {
            server_offset_min
        };
        let zone = RwSignal::new(initial);
        if follows {
            Effect::new(move |_| zone.set(display.get().offset_min()));
        } else if url_pins_browser {
            Effect::new(move |_| {
                if let Some(off) = browser_offset_min() {
                    zone.set(off);
                }
            });
        }
        provide_context(ChartZone(zone));
        zone
    }
}

/// Hidden series per panel, kept across refreshes.
#[derive(Clone, Copy)]
pub struct LegendState(pub RwSignal<BTreeMap<u32, BTreeSet<String>>>);

/// Scrape pools with targets down, provided by the page: "No data" panels name them.
#[derive(Clone, Debug, Default)]
pub struct PoolsDown(pub Vec<String>);

/// Where a chart the first page had as the server's drawing gets its definition and points when
/// it wakes (`components::panel::live`): this dashboard, at the absolute range the page was
/// drawn for (so the points are the ones drawn), and whether the panel fills the page
/// (`/d-solo`, `viewPanel`), which sets its width.
#[derive(Debug, Clone, PartialEq)]
pub struct PointsSource {
    pub uid: String,
    pub params: Vec<(String, String)>,
    pub solo: bool,
}

impl PointsSource {
    /// `pairs` with `from`/`to` replaced by the range the view was drawn for.
    pub fn new(
        uid: String,
        pairs: &[(String, String)],
        from_ms: i64,
        to_ms: i64,
        solo: bool,
    ) -> Self {
        let params = crate::model::url_state::replaced_pairs(
            pairs,
            &[
                ("from", Some(&from_ms.to_string())),
                ("to", Some(&to_ms.to_string())),
            ],
        );
        Self { uid, params, solo }
    }
}

/// The dashboard grid's cookie: the grid this browser measured, so that the server draws charts
/// at the size they show (a chart drawn at another size is drawn again, `components::panel::live`).
pub const GRID_COOKIE: &str = "octoscope_grid";

/// The grid remembered by this browser (the request's cookie on the server), else a 1,600 px
/// page.
pub fn remembered_grid() -> GridWidth {
    crate::components::prefs::read(GRID_COOKIE)
        .and_then(|v| GridWidth::parse(&v))
        .unwrap_or_default()
}

/// Remembers the grid as measured, for the next page (browser only).
pub fn remember_grid(grid: GridWidth) {
    crate::components::prefs::write(GRID_COOKIE, &grid.cookie_value());
}

/// Measures the dashboard grid `el` (its width, and whether the phone's one-column layout
/// applies) and remembers it when it is not the grid the page was drawn for (`drawn_for`).
#[cfg(feature = "hydrate")]
pub fn measure_grid(el: &web_sys::Element, drawn_for: GridWidth) {
    let one_column = web_sys::window()
        .and_then(|w| w.match_media("(max-width: 600px)").ok().flatten())
        .is_some_and(|m| m.matches());
    let measured = GridWidth {
        px: el.client_width().max(0) as u32,
        one_column,
    };
    if measured.px > 0 && measured != drawn_for {
        remember_grid(measured);
    }
}
