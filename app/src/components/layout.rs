//! The console frame: top bar (dashboard search, time and refresh pickers, theme), navigation,
//! and the page outlet. `?kiosk` hides all chrome for iframes; `?theme=light|dark` forces a theme,
//! else the theme chosen with the toggle (cookie `octoscope_theme`) applies.

use crate::components::pickers::{RefreshPicker, TimePicker};
use crate::components::zone::ZoneToggle;
use crate::contexts::DisplayZone;
use crate::contexts::RefreshTick;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_query_map};

/// The theme preference's cookie.
pub const THEME_COOKIE: &str = "octoscope_theme";

/// Light, dark, or follow the operating system (the CSS decides via prefers-color-scheme).
fn theme_from_param(value: Option<String>) -> &'static str {
    match value.as_deref() {
        Some("light") => "light",
        Some("dark") => "dark",
        _ => "system",
    }
}

/// The theme of the first render: the URL's `theme`, else the remembered choice (SSR and
/// hydration read the same cookie), else the system's.
pub fn initial_theme() -> &'static str {
    theme_from_param(
        use_query_map()
            .with_untracked(|q| q.get("theme"))
            .or_else(|| crate::components::prefs::read(THEME_COOKIE)),
    )
}

const NAV: &[(&str, &str, &str)] = &[
    ("/dashboards", "Dashboards", "nav-dashboards"),
    ("/explore", "Explore", "nav-explore"),
    ("/alerting/list", "Alerting", "nav-alerting"),
    ("/alerting/silences", "Silences", "nav-silences"),
    ("/slo", "SLOs", "nav-slo"),
    ("/traces", "Traces", "nav-traces"),
    ("/status/targets", "Status", "nav-status"),
];

#[component]
pub fn ConsoleLayout() -> impl IntoView {
    let query = use_query_map();
    let kiosk = Memo::new(move |_| query.with(|q| q.get_str("kiosk").is_some()));
    // Grafana's `_dash.hideTimePicker` (dashboards embedded with a fixed range).
    let hide_time = Memo::new(move |_| query.with(|q| q.get_str("_dash.hideTimePicker").is_some()));
    let theme = RwSignal::new(initial_theme());
    Effect::new(move |_| {
        let from_url = theme_from_param(query.with(|q| q.get("theme")));
        if from_url != "system" {
            theme.set(from_url);
        }
    });
    let toggle_theme = move |_| {
        theme.update(|t| {
            *t = match *t {
                "dark" => "light",
                "light" => "dark",
                // From "system" the first click picks the opposite of what the OS shows.
                _ => {
                    if system_prefers_dark() {
                        "light"
                    } else {
                        "dark"
                    }
                }
            }
        });
        crate::components::prefs::write(THEME_COOKIE, theme.get_untracked());
    };
    provide_context(RefreshTick(RwSignal::new(0)));
    crate::components::pickers::install_menu_closing();
    focus_new_content();
    // Dashboards render their own pickers with the dashboard's default range and refresh.
    let location = use_location();
    let own_pickers = Memo::new(move |_| location.pathname.with(|p| p.starts_with("/d/")));
    // On a phone the navigation is behind a menu button; a navigation closes it.
    let nav_open = RwSignal::new(false);
    Effect::new(move |_| {
        location.pathname.track();
        nav_open.set(false);
    });
    DisplayZone::provide();

    view! {
        <div
            class="console"
            data-theme=move || theme.get()
            data-kiosk=move || kiosk.get().to_string()
            data-nav=move || if nav_open.get() { "open" } else { "closed" }
        >
            <Show when=move || !kiosk.get()>
                <a
                    class="skip-link"
                    href="#content"
                    data-testid="skip-link"
                    on:click=skip_to_content
                >
                    "Skip to content"
                </a>
                <header class="topbar" data-testid="topbar">
                    // Shown on narrow screens only. Without JavaScript `#nav` opens the menu by
                    // CSS (`:target`); after hydration the button toggles it.
                    <a
                        class="menu-button"
                        href="#nav"
                        data-testid="menu-button"
                        aria-controls="nav"
                        aria-expanded=move || nav_open.get().to_string()
                        on:click=move |ev: leptos::ev::MouseEvent| {
                            ev.prevent_default();
                            nav_open.update(|o| *o = !*o);
                        }
                    >
                        "☰ Menu"
                    </a>
                    <A href="/" attr:class="brand" attr:data-testid="home-link">
                        "Octoscope"
                    </A>
                    <form class="search" method="get" action="/dashboards" role="search">
                        <input
                            type="search"
                            name="query"
                            placeholder="Search dashboards"
                            aria-label="Search dashboards"
                            data-testid="dashboard-search"
                        />
                    </form>
                    <div class="spacer"></div>
                    {move || {
                        if hide_time.get() || own_pickers.get() {
                            ().into_any()
                        } else {
                            view! { <TimePicker /> }.into_any()
                        }
                    }}
                    {move || (!own_pickers.get()).then(|| view! { <RefreshPicker /> })}
                    <ZoneToggle />
                    <button
                        type="button"
                        class="theme-toggle"
                        data-testid="theme-toggle"
                        aria-label="Toggle light/dark theme"
                        on:click=toggle_theme
                    >
                        {move || if theme.get() == "dark" { "☀ Light" } else { "☾ Dark" }}
                    </button>
                    <UserBadge />
                </header>
                <nav class="sidenav" id="nav" data-testid="nav" aria-label="Main">
                    {NAV
                        .iter()
                        .map(|(href, label, id)| {
                            view! {
                                <A href=*href attr:data-testid=*id>
                                    {*label}
                                </A>
                            }
                        })
                        .collect_view()}
                </nav>
            </Show>
            <main class="content" id="content" tabindex="-1" data-testid="content">
                <crate::components::playlist_player::PlaylistPlayer />
                <Outlet />
            </main>
        </div>
    }
}

/// The skip link moves focus itself: the router would treat `#content` as a navigation.
#[cfg(feature = "hydrate")]
fn skip_to_content(ev: leptos::ev::MouseEvent) {
    use wasm_bindgen::JsCast;
    ev.prevent_default();
    if let Some(main) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("content"))
        .and_then(|m| m.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = main.focus();
    }
}

#[cfg(not(feature = "hydrate"))]
fn skip_to_content(_ev: leptos::ev::MouseEvent) {}

/// After a navigation or a submit, focus goes to the new content instead of falling to `<body>`:
/// to `<main>` when the page changed, or when the focused element left the document.
#[cfg(feature = "hydrate")]
fn focus_new_content() {
    use wasm_bindgen::JsCast;
    let location = use_location();
    Effect::new(move |prev: Option<String>| {
        let path = location.pathname.get();
        location.search.track();
        let page_changed = prev.as_ref().is_some_and(|p| *p != path);
        if prev.is_some() {
            // After the new content rendered.
            set_timeout(
                move || {
                    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
                        return;
                    };
                    let lost = doc
                        .active_element()
                        .is_none_or(|a| a.tag_name() == "BODY" || !a.is_connected());
                    if page_changed || lost {
                        if let Some(main) = doc
                            .get_element_by_id("content")
                            .and_then(|m| m.dyn_into::<web_sys::HtmlElement>().ok())
                        {
                            // Focus without scrolling: the page keeps its place (a new page
                            // starts at the top, with the top bar in view).
                            let options = web_sys::FocusOptions::new();
                            options.set_prevent_scroll(true);
                            let _ = main.focus_with_options(&options);
                        }
                    }
                },
                std::time::Duration::from_millis(50),
            );
        }
        path
    });
}

#[cfg(not(feature = "hydrate"))]
fn focus_new_content() {}

#[cfg(feature = "hydrate")]
fn system_prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .map(|m| m.matches())
        .unwrap_or(false)
}

#[cfg(not(feature = "hydrate"))]
fn system_prefers_dark() -> bool {
    false
}

/// Who is signed in, with their role, and "Sign out" for session users.
#[component]
fn UserBadge() -> impl IntoView {
    let me = crate::api::resource(|| (), |_| crate::api::console::whoami());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                me.get()
                    .and_then(Result::ok)
                    .map(|u| {
                        let sign_out = u
                            .can_sign_out
                            .then(|| {
                                view! {
                                    <form method="post" action="/logout" class="sign-out">
                                        <button type="submit" data-testid="sign-out">
                                            "Sign out"
                                        </button>
                                    </form>
                                }
                            });
                        view! {
                            <span
                                class="user-badge"
                                data-testid="user-badge"
                                data-role=u.role.as_str()
                            >
                                {u.name.clone()}
                                " · "
                                {u.role.as_str()}
                            </span>
                            {sign_out}
                        }
                    })
            }}
        </Suspense>
    }
}
