//! A time series chart on a dashboard's first page comes as the server drew it, and hydration
//! leaves it alone: neither its definition nor its points reach the page, and hydration runs
//! none of the chart's code. The first time it is touched (a pointer over it, a focus inside it)
//! it fetches its definition and points (`load_panel`) and mounts the live panel in its place
//! (tooltip, crosshair, zoom, legend), replaying the pointer events that came meanwhile, so the
//! touch that woke it is not lost. It also wakes when it must redraw: another display zone, a box
//! other than the one it was drawn for. Another panel's shared crosshair does not wake it: it
//! draws the line on the server's drawing, placed by the plot the drawing names (`data-plot`).

use crate::model::dashboard::data::PanelData;
use crate::model::dashboard::Panel;
use leptos::prelude::*;

/// The server's drawing of chart panel `id` (`html`, as `super::drawn_html` shows it), which
/// wakes into `live`: the panel's live view for its definition and data. `shared`: the
/// dashboard shares its crosshair, so another panel's pointer shows a line on this drawing.
pub fn sleeping<F>(id: u32, html: String, shared: bool, live: F) -> AnyView
where
    F: Fn(Panel, PanelData) -> AnyView + 'static,
{
    let node = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    let sleep = browser::install(id, node, shared, Box::new(live));
    #[cfg(not(feature = "hydrate"))]
    let _ = (shared, live);
    let on = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        browser::touch(sleep, &ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <div
            class="drawn-panel"
            data-drawn=""
            data-live=id.to_string()
            node_ref=node
            inner_html=html
            on:pointerover=move |ev: leptos::ev::PointerEvent| on(ev.into())
            on:pointermove=move |ev: leptos::ev::PointerEvent| on(ev.into())
            on:pointerdown=move |ev: leptos::ev::PointerEvent| on(ev.into())
            on:pointerup=move |ev: leptos::ev::PointerEvent| on(ev.into())
            on:pointerout=move |ev: leptos::ev::PointerEvent| on(ev.into())
            on:click=move |ev: leptos::ev::MouseEvent| on(ev.into())
            on:focusin=move |ev: leptos::ev::FocusEvent| on(ev.into())
        ></div>
    }
    .into_any()
}

/// A pointer event that came while the chart woke, to replay on the live chart.
#[derive(Debug, Clone, PartialEq)]
struct Pending {
    kind: String,
    x: i32,
    y: i32,
    pointer: String,
    button: i16,
    /// Ctrl, Shift, Meta.
    keys: (bool, bool, bool),
}

/// Keeps `p` for the replay: of a run of moves only the last matters.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn keep(pending: &mut Vec<Pending>, p: Pending) {
    if p.kind == "pointermove" && pending.last().is_some_and(|l| l.kind == "pointermove") {
        pending.pop();
    }
    pending.push(p);
}

/// Where time `t` falls on a drawn chart's plot (`data-plot`: its left edge and width in pixels,
/// then its range in ms), if within it.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn crosshair_x(plot: &str, t: i64) -> Option<f64> {
    let mut parts = plot.split(',').map(|v| v.parse::<f64>().ok());
    let (left, width, from, to) = (
        parts.next()??,
        parts.next()??,
        parts.next()??,
        parts.next()??,
    );
    let f = (t as f64 - from) / (to - from);
    (to > from && (0.0..=1.0).contains(&f)).then_some(left + width * f)
}

/// A box (`real`, px) more than 6% off the one the chart was drawn for (`drawn`): the drawing
/// stretches to its box, which does not show below that. A box not laid out (hidden) is not off.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn off_size(real: (f64, f64), drawn: (f64, f64)) -> bool {
    let off = |real: f64, drawn: f64| real > 40.0 && (real - drawn).abs() > drawn * 0.06;
    off(real.0, drawn.0) || off(real.1, drawn.1)
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::*;
    use crate::components::drawn::elements;
    use crate::contexts::{ChartZone, Crosshair, PointsSource};
    use leptos::tachys::view::any_view::AnyViewState;
    use leptos::tachys::view::{Mountable, Render};
    use wasm_bindgen::JsCast;

    pub struct Sleep {
        id: u32,
        node: NodeRef<leptos::html::Div>,
        live: Box<dyn Fn(Panel, PanelData) -> AnyView>,
        owner: Option<Owner>,
        source: Option<PointsSource>,
        waking: bool,
        pending: Vec<Pending>,
        /// The live panel, kept so its reactive owner lives as long as the page's.
        awake: Option<(Owner, AnyViewState)>,
    }

    pub type Handle = StoredValue<Sleep, LocalStorage>;

    pub fn install(
        id: u32,
        node: NodeRef<leptos::html::Div>,
        shared: bool,
        live: Box<dyn Fn(Panel, PanelData) -> AnyView>,
    ) -> Handle {
        let sleep = StoredValue::new_local(Sleep {
            id,
            node,
            live,
            owner: Owner::current(),
            source: use_context::<PointsSource>(),
            waking: false,
            pending: Vec::new(),
            awake: None,
        });
        if let Some(c) = use_context::<Crosshair>().filter(|_| shared) {
            Effect::new(move |_| {
                let at = c.0.get().filter(|(from, _)| *from != id).map(|(_, t)| t);
                let asleep = sleep.try_with_value(|s| s.awake.is_none());
                if let (Some(true), Some(root)) = (asleep, node.get_untracked()) {
                    draw_crosshair(&root, at);
                }
            });
        }
        if let Some(z) = use_context::<ChartZone>() {
            Effect::new(move |prev: Option<i32>| {
                let now = z.0.get();
                if prev.is_some_and(|p| p != now) {
                    wake(sleep);
                }
                now
            });
        }
        // Once laid out (drawn again by the server for the box it has), and on every resize
        // (woken: the live chart follows its box as it changes).
        let off = move || {
            node.get_untracked()
                .is_some_and(|el| drawn_for_another_box(&el))
        };
        Effect::new(move |_| {
            if node.get().is_some() && off() {
                redraw(sleep);
            }
        });
        let resize = window_event_listener(leptos::ev::resize, move |_| {
            if off() {
                wake(sleep);
            }
        });
        on_cleanup(move || resize.remove());
        sleep
    }

    /// Shows another panel's crosshair at time `at` on the server's drawing (none: hides it).
    fn draw_crosshair(root: &web_sys::Element, at: Option<i64>) {
        let Ok(Some(overlay)) = root.query_selector(".chart-overlay") else {
            return;
        };
        let x = at.and_then(|t| crosshair_x(&overlay.get_attribute("data-plot")?, t));
        let line = overlay.query_selector(".crosshair").ok().flatten();
        let Some(x) = x else {
            if let Some(line) = line {
                line.remove();
            }
            return;
        };
        let line = line.or_else(|| {
            let l = web_sys::window()?.document()?.create_element("div").ok()?;
            l.set_class_name("crosshair");
            let _ = l.set_attribute("data-testid", "crosshair");
            overlay.append_child(&l).ok()?;
            Some(l)
        });
        if let Some(line) = line {
            let _ = line.set_attribute("style", &format!("left:{x:.0}px"));
        }
    }

    thread_local! {
        /// The charts laid out off the box they were drawn for, gathered into one redraw.
        static REDRAW: std::cell::RefCell<Vec<Handle>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    /// Has the server draw the chart again for the grid this browser has (a first visit's
    /// charts were drawn for a grid it assumed, as no cookie said otherwise): every chart laid
    /// out off its box in this tick is redrawn from one fetch of the page itself at the range it
    /// was drawn for, the server drawing it as it draws any page, now for the grid measured here
    /// (`contexts::measure_grid`, whose cookie the server reads). The chart stays asleep, so no
    /// live chart code loads for it; a panel alone (`/d-solo`, drawn at one size) or a failed
    /// redraw wakes instead.
    fn redraw(sleep: Handle) {
        let Some(Some(src)) = sleep.try_with_value(|s| s.source.clone()) else {
            return wake(sleep);
        };
        if src.solo {
            return wake(sleep);
        }
        let root = sleep.try_with_value(|s| s.node.get_untracked()).flatten();
        let first = REDRAW.with(|b| {
            let mut b = b.borrow_mut();
            b.push(sleep);
            b.len() == 1
        });
        if !first {
            return;
        }
        // Once per batch: the grid the server is to draw for (should the page's own measuring
        // not have run yet).
        let grid = use_context::<crate::model::dashboard::data::GridWidth>();
        if let (Some(root), Some(grid)) = (root, grid) {
            if let Ok(Some(el)) = root.closest(".dash-grid") {
                crate::contexts::measure_grid(&el, grid);
            }
        }
        leptos::task::spawn_local(async move {
            leptos::task::tick().await;
            let batch = REDRAW.with(|b| std::mem::take(&mut *b.borrow_mut()));
            let page = drawn_again(&src.params).await;
            for sleep in batch {
                let Some((true, Some(root), id)) =
                    sleep.try_with_value(|s| (s.awake.is_none(), s.node.get_untracked(), s.id))
                else {
                    continue;
                };
                let body = format!("[data-live=\"{id}\"] .panel-body");
                let drawn = page
                    .as_ref()
                    .and_then(|p| p.query_selector(&body).ok().flatten());
                match (drawn, root.query_selector(".panel-body").ok().flatten()) {
                    // Still off (a legend that wraps otherwise than the server estimates): the
                    // live chart fits its box.
                    (Some(drawn), Some(body)) => {
                        body.set_inner_html(&drawn.inner_html());
                        if drawn_for_another_box(&root) {
                            wake(sleep);
                        }
                    }
                    _ => wake(sleep),
                }
            }
        });
    }

    /// This page as the server draws it now, at the range it was drawn for (`params`).
    async fn drawn_again(params: &[(String, String)]) -> Option<web_sys::Document> {
        use wasm_bindgen_futures::JsFuture;
        let window = web_sys::window()?;
        let path = window.location().pathname().ok()?;
        let url = format!(
            "{path}{}",
            crate::model::url_state::with_params(params, &[])
        );
        let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&url))
            .await
            .ok()?
            .dyn_into()
            .ok()?;
        if !response.ok() {
            return None;
        }
        let html = JsFuture::from(response.text().ok()?)
            .await
            .ok()?
            .as_string()?;
        web_sys::DomParser::new()
            .ok()?
            .parse_from_string(&html, web_sys::SupportedType::TextHtml)
            .ok()
    }

    /// The server drew the chart for another box than the one it has ([`off_size`]).
    fn drawn_for_another_box(root: &web_sys::Element) -> bool {
        let (Ok(Some(svg)), Ok(Some(area))) = (
            root.query_selector("svg.chart-svg"),
            root.query_selector(".chart-area"),
        ) else {
            return false;
        };
        let drawn = |name: &str| {
            svg.get_attribute(name)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        let real = (area.client_width() as f64, area.client_height() as f64);
        off_size(real, (drawn("width"), drawn("height")))
    }

    /// An event on the sleeping chart: the first wakes it; pointer events until it is live are
    /// kept for the live chart.
    pub fn touch(sleep: Handle, ev: &web_sys::Event) {
        let Some((false, root)) =
            sleep.try_with_value(|s| (s.awake.is_some(), s.node.get_untracked()))
        else {
            return;
        };
        wake(sleep);
        let kind = ev.type_();
        match kind.as_str() {
            "pointermove" | "pointerdown" | "pointerup" | "click" => {
                let Some(m) = ev.dyn_ref::<web_sys::MouseEvent>() else {
                    return;
                };
                let pointer = ev
                    .dyn_ref::<web_sys::PointerEvent>()
                    .map(|p| p.pointer_type())
                    .unwrap_or_default();
                // A mouse drag over the chart selects a range, not the page's text.
                if kind == "pointerdown" && pointer == "mouse" {
                    ev.prevent_default();
                }
                let p = Pending {
                    kind,
                    x: m.client_x(),
                    y: m.client_y(),
                    pointer,
                    button: m.button(),
                    keys: (m.ctrl_key(), m.shift_key(), m.meta_key()),
                };
                sleep.update_value(|s| keep(&mut s.pending, p));
            }
            // A mouse that left: nothing to replay. (A finger "leaves" as it lifts, mid-tap.)
            "pointerout"
                if ev
                    .dyn_ref::<web_sys::PointerEvent>()
                    .is_some_and(|p| p.pointer_type() != "touch") =>
            {
                let to = ev
                    .dyn_ref::<web_sys::MouseEvent>()
                    .and_then(|m| m.related_target())
                    .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
                let left = match (root, to) {
                    (Some(r), Some(to)) => !r.contains(Some(&to)),
                    _ => true,
                };
                if left {
                    sleep.update_value(|s| s.pending.clear());
                }
            }
            _ => {}
        }
    }

    /// Fetches the panel's definition and points once (again after a failure, at the next touch)
    /// and mounts the live panel.
    fn wake(sleep: Handle) {
        let start = sleep.try_update_value(|s| {
            let start = !s.waking && s.awake.is_none();
            s.waking |= start;
            start.then(|| (s.id, s.source.clone()))
        });
        let Some(Some((id, source))) = start else {
            return;
        };
        let Some(src) = source else {
            fail(
                sleep,
                "This chart's values are not on the page; reload it.".into(),
            );
            return;
        };
        // The live view's code loads beside the answer (once; awaited again before mounting).
        leptos::task::spawn_local(crate::routes::dashboard_live_loaded());
        leptos::task::spawn_local(async move {
            let answer = crate::routes::dashboard_panel((src.uid, src.params, id, src.solo)).await;
            crate::routes::dashboard_live_loaded().await;
            match answer {
                Ok(mut loaded) => match (loaded.panels.pop(), loaded.data.pop()) {
                    (Some(p), Some(d)) => mount(sleep, p, d),
                    _ => fail(
                        sleep,
                        format!("Panel {id} came back empty; reload the page."),
                    ),
                },
                Err(e) => fail(
                    sleep,
                    format!("The chart's values did not load: {e}. Point at it to try again."),
                ),
            }
        });
    }

    fn mount(sleep: Handle, panel: Panel, data: PanelData) {
        let Some((Some(root), Some(owner))) =
            sleep.try_with_value(|s| (s.node.get_untracked(), s.owner.clone()))
        else {
            return;
        };
        let focused = focus_index(&root);
        let child = owner.child();
        let view = child.with(|| sleep.with_value(|s| (s.live)(panel, data)));
        let mut state = child.with(|| view.build());
        root.set_inner_html("");
        state.mount(&root, None);
        // Tests and styles tell a live chart from a sleeping one.
        let _ = root.set_attribute("data-awake", "");
        let pending = sleep
            .try_update_value(|s| {
                s.waking = false;
                s.awake = Some((child, state));
                std::mem::take(&mut s.pending)
            })
            .unwrap_or_default();
        if let Some(i) = focused {
            if let Some(el) = focusables(&root)
                .into_iter()
                .nth(i)
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        }
        replay(&root, pending);
    }

    fn focusables(root: &web_sys::Element) -> Vec<web_sys::Element> {
        elements(root, "a[href], button, select, input")
    }

    /// Which of the sleeping chart's links and buttons has the focus, to give it back after.
    fn focus_index(root: &web_sys::Element) -> Option<usize> {
        let active = web_sys::window()?.document()?.active_element()?;
        focusables(root).iter().position(|e| *e == active)
    }

    /// Dispatches the kept events on what is now under them in the live chart.
    fn replay(root: &web_sys::Element, pending: Vec<Pending>) {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        for p in pending {
            let Some(target) = doc
                .element_from_point(p.x as f32, p.y as f32)
                .filter(|t| root.contains(Some(t)))
            else {
                continue;
            };
            let (ctrl, shift, meta) = p.keys;
            // One init for both: a pointer event's fields are a mouse event's and more.
            let init = web_sys::PointerEventInit::new();
            init.set_bubbles(true);
            init.set_cancelable(true);
            init.set_client_x(p.x);
            init.set_client_y(p.y);
            init.set_button(p.button);
            init.set_ctrl_key(ctrl);
            init.set_shift_key(shift);
            init.set_meta_key(meta);
            init.set_pointer_type(&p.pointer);
            init.set_is_primary(true);
            let ev = match p.kind.as_str() {
                "click" => web_sys::MouseEvent::new_with_mouse_event_init_dict(
                    &p.kind,
                    init.unchecked_ref(),
                )
                .map(web_sys::Event::from),
                _ => web_sys::PointerEvent::new_with_event_init_dict(&p.kind, &init)
                    .map(web_sys::Event::from),
            };
            if let Ok(ev) = ev {
                let _ = target.dispatch_event(&ev);
            }
        }
    }

    /// Says in the panel why it could not wake; the next touch tries again.
    fn fail(sleep: Handle, message: String) {
        let Some(root) = sleep
            .try_update_value(|s| {
                s.waking = false;
                s.pending.clear();
                s.node.get_untracked()
            })
            .flatten()
        else {
            return;
        };
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let shown = root
            .query_selector("[data-testid=chart-wake-error]")
            .ok()
            .flatten();
        let notice = match shown {
            Some(n) => n,
            None => {
                let Ok(n) = doc.create_element("div") else {
                    return;
                };
                n.set_class_name("notice error");
                let _ = n.set_attribute("role", "alert");
                let _ = n.set_attribute("data-testid", "chart-wake-error");
                let body = root.query_selector(".panel-body").ok().flatten();
                let _ = body.as_ref().unwrap_or(&root).prepend_with_node_1(&n);
                n
            }
        };
        notice.set_text_content(Some(&message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, x: i32) -> Pending {
        Pending {
            kind: kind.into(),
            x,
            y: 5,
            pointer: "mouse".into(),
            button: 0,
            keys: (false, false, false),
        }
    }

    #[test]
    fn a_drag_is_kept_whole_and_a_run_of_moves_as_its_last() {
        let mut pending = Vec::new();
        for (kind, x) in [
            ("pointermove", 1),
            ("pointermove", 2),
            ("pointerdown", 2),
            ("pointermove", 3),
            ("pointermove", 9),
            ("pointerup", 9),
            ("click", 9),
        ] {
            keep(&mut pending, event(kind, x));
        }
        let kept: Vec<(&str, i32)> = pending.iter().map(|p| (p.kind.as_str(), p.x)).collect();
        assert_eq!(
            kept,
            [
                ("pointermove", 2),
                ("pointerdown", 2),
                ("pointermove", 9),
                ("pointerup", 9),
                ("click", 9)
            ]
        );
    }

    #[test]
    fn another_panels_crosshair_falls_where_its_time_is_on_the_plot() {
        let plot = "50.0,600.0,1000,2000";
        assert_eq!(crosshair_x(plot, 1000), Some(50.0));
        assert_eq!(crosshair_x(plot, 1500), Some(350.0));
        assert_eq!(crosshair_x(plot, 2000), Some(650.0));
        assert_eq!(crosshair_x(plot, 2500), None, "after the range");
        assert_eq!(crosshair_x(plot, 999), None, "before it");
        assert_eq!(
            crosshair_x("50.0,600.0", 1500),
            None,
            "a drawing without its range"
        );
        assert_eq!(
            crosshair_x("50,600,2000,2000", 2000),
            None,
            "an empty range"
        );
    }

    #[test]
    fn a_chart_redraws_for_a_box_more_than_six_percent_off() {
        assert!(!off_size((660.0, 240.0), (667.0, 244.0)), "1% off");
        assert!(off_size((600.0, 244.0), (667.0, 244.0)), "10% narrower");
        assert!(off_size((667.0, 300.0), (667.0, 244.0)), "taller");
        assert!(
            !off_size((0.0, 0.0), (667.0, 244.0)),
            "hidden: not laid out"
        );
    }
}
