//! The table panel, drawn on the server like the other whole kinds: every frame the
//! transformations left (a picker shows one at a time, as in Grafana), columns named and
//! formatted by the field config, "showing N of M rows" when the server cut the frame. Sorting
//! needs no data in the browser: each cell carries its row's rank in its column (`data-rank`,
//! the order [`Cell::compare`] gives), and one listener for the whole console
//! ([`install_sorting`]) reorders the rows on a header click and switches frames.

#[cfg(feature = "ssr")]
use crate::model::dashboard::frame::{Cell, Field, TableData};
#[cfg(feature = "ssr")]
use crate::model::dashboard::Panel;
#[cfg(feature = "ssr")]
use leptos::prelude::*;

/// Each row's rank in `field` (equal cells share a rank): sorting rows by rank is sorting them by
/// value, so the browser sorts by a number it reads from the cell.
#[cfg(any(feature = "ssr", test))]
fn ranks(field: &crate::model::dashboard::frame::Field, rows: usize) -> Vec<usize> {
    let cells: Vec<_> = (0..rows).map(|r| field.values.get(r)).collect();
    let mut order: Vec<usize> = (0..rows).collect();
    order.sort_by(|a, b| cells[*a].compare(&cells[*b]));
    let mut rank = vec![0; rows];
    let mut current = 0;
    for (i, r) in order.iter().enumerate() {
        if i > 0 && cells[order[i - 1]].compare(&cells[*r]).is_ne() {
            current = i;
        }
        rank[*r] = current;
    }
    rank
}

/// The table's body: a frame picker when there are several, then each frame's table (all but
/// the first hidden; the shown one is `panel-table`).
#[cfg(feature = "ssr")]
pub(super) fn body(panel: &Panel, table: &TableData) -> AnyView {
    let picker = (table.frames.len() > 1).then(|| {
        let options = table
            .frames
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let name = match f.name.is_empty() {
                    true => format!("Frame {}", i + 1),
                    false => f.name.clone(),
                };
                view! { <option value=i.to_string()>{name}</option> }
            })
            .collect_view();
        view! {
            <label class="small">
                "Frame " <select data-testid="table-frame" data-table-frames="">
                    {options}
                </select>
            </label>
        }
    });
    let frames = table
        .frames
        .iter()
        .zip(&table.total_rows)
        .enumerate()
        .map(|(i, (f, total))| frame(panel, &f.fields, f.rows(), *total, i))
        .collect_view();
    view! {
        {picker}
        {frames}
    }
    .into_any()
}

#[cfg(feature = "ssr")]
fn frame(panel: &Panel, fields: &[Field], rows: usize, total: usize, i: usize) -> impl IntoView {
    use crate::components::zone::Time;
    use crate::model::dashboard::field::{resolve, FieldConfig};
    use crate::model::dashboard::frame::Kind;
    use crate::model::numbers::thousands;
    // Visible columns with their resolved field config (once a column, not once a cell),
    // hidden ones left out.
    let columns: Vec<(&Field, FieldConfig, String, Vec<usize>)> = fields
        .iter()
        .filter_map(|x| {
            let fc = resolve(&panel.field, &panel.overrides, &x.display, &x.ref_id);
            (!fc.hidden).then(|| {
                let label = fc.display_name.clone().unwrap_or_else(|| x.display.clone());
                (x, fc, label, ranks(x, rows))
            })
        })
        .collect();
    let head = columns
        .iter()
        .enumerate()
        .map(|(c, (_, _, label, _))| {
            view! {
                <th>
                    <button type="button" class="sort" data-col=c>
                        {label.clone()}
                        <span class="sort-mark"></span>
                    </button>
                </th>
            }
        })
        .collect_view();
    let body = (0..rows)
        .map(|r| {
            let cells = columns
                .iter()
                .map(|(x, fc, _, rank)| {
                    let rank = rank[r];
                    match (x.values.get(r), x.values.kind()) {
                        (Cell::Time(ms), Kind::Time) => view! {
                            <td data-rank=rank>
                                <Time ms=ms />
                            </td>
                        }
                        .into_any(),
                        (Cell::Null, Kind::Number) | (Cell::Num(_), _) => {
                            let v = x.values.get(r).number();
                            view! {
                                <td class="num" data-rank=rank>
                                    {fc.display(v).0}
                                </td>
                            }
                            .into_any()
                        }
                        (c, _) => view! { <td data-rank=rank>{c.key()}</td> }.into_any(),
                    }
                })
                .collect_view();
            view! { <tr data-row=r>{cells}</tr> }
        })
        .collect_view();
    let showing = (rows < total).then(|| {
        view! {
            <p class="small muted" data-testid="table-showing">
                {format!("showing {} of {} rows", thousands(rows), thousands(total))}
            </p>
        }
    });
    let (hidden, testid) = match i {
        0 => (false, "panel-table"),
        _ => (true, "panel-table-hidden"),
    };
    view! {
        <div class="table-frame" data-frame=i hidden=hidden>
            <div class="table-wrap">
                <table class="data-table" data-testid=testid>
                    <thead>
                        <tr>{head}</tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
            {showing}
        </div>
    }
}

/// The next sort of a column on a click: ascending, descending, then the server's order.
#[cfg(any(feature = "hydrate", test))]
fn next_sort(now: Option<(usize, bool)>, col: usize) -> Option<(usize, bool)> {
    match now {
        Some((c, false)) if c == col => Some((col, true)),
        Some((c, true)) if c == col => None,
        _ => Some((col, false)),
    }
}

/// One listener for every drawn table on the console: a header click sorts the table's rows by
/// the ranks the server wrote (stable, so equal cells keep the server's order either way), and
/// the frame picker shows its frame.
#[cfg(feature = "hydrate")]
pub fn install_sorting() {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    fn element(t: Option<web_sys::EventTarget>) -> Option<web_sys::Element> {
        t.and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    }
    use crate::components::drawn::elements as children;
    fn number(e: &web_sys::Element, name: &str) -> Option<usize> {
        e.get_attribute(name).and_then(|v| v.parse().ok())
    }
    let clicks = window_event_listener(leptos::ev::click, move |ev| {
        let Some(button) = element(ev.target()).and_then(|t| {
            t.closest("[data-drawn] table.data-table button.sort")
                .ok()
                .flatten()
        }) else {
            return;
        };
        let (Some(table), Some(col)) = (
            button.closest("table").ok().flatten(),
            number(&button, "data-col"),
        ) else {
            return;
        };
        let now = table.get_attribute("data-sort").and_then(|s| {
            let (c, d) = s.split_once(':')?;
            Some((c.parse().ok()?, d == "desc"))
        });
        let next = next_sort(now, col);
        match next {
            Some((c, d)) => {
                let _ = table.set_attribute(
                    "data-sort",
                    &format!("{c}:{}", if d { "desc" } else { "asc" }),
                );
            }
            None => {
                let _ = table.remove_attribute("data-sort");
            }
        }
        for b in children(&table, "thead button.sort") {
            let mark = match next {
                Some((c, d)) if number(&b, "data-col") == Some(c) => {
                    if d {
                        " ▼"
                    } else {
                        " ▲"
                    }
                }
                _ => "",
            };
            if let Some(m) = b.query_selector(".sort-mark").ok().flatten() {
                m.set_text_content(Some(mark));
            }
        }
        let Some(tbody) = table.query_selector("tbody").ok().flatten() else {
            return;
        };
        // By rank (descending or not), equal ranks in the server's order, as `Cell::compare`
        // sorted them before; no sort is the server's order.
        let mut rows: Vec<((usize, usize), web_sys::Element)> = children(&tbody, ":scope > tr")
            .into_iter()
            .map(|tr| {
                let row = number(&tr, "data-row").unwrap_or(usize::MAX);
                let rank = next.and_then(|(c, _)| {
                    tr.children()
                        .item(c as u32)
                        .and_then(|td| number(&td, "data-rank"))
                });
                ((rank.unwrap_or(0), row), tr)
            })
            .collect();
        let desc = matches!(next, Some((_, true)));
        rows.sort_by(|(a, _), (b, _)| match desc {
            true => b.0.cmp(&a.0).then(a.1.cmp(&b.1)),
            false => a.cmp(b),
        });
        for (_, tr) in rows {
            let _ = tbody.append_child(&tr);
        }
    });
    let changes = window_event_listener(leptos::ev::change, move |ev| {
        let Some(select) = element(ev.target()).filter(|t| {
            t.matches("[data-drawn] select[data-table-frames]")
                .unwrap_or(false)
        }) else {
            return;
        };
        let chosen: usize = js_sys::Reflect::get(&select, &"value".into())
            .ok()
            .and_then(|v| v.as_string())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let Some(body) = select.closest("[data-drawn]").ok().flatten() else {
            return;
        };
        for f in children(&body, ".table-frame") {
            let shown = number(&f, "data-frame") == Some(chosen);
            let _ = match shown {
                true => f.remove_attribute("hidden"),
                false => f.set_attribute("hidden", ""),
            };
            if let Some(t) = f.query_selector("table").ok().flatten() {
                let id = if shown {
                    "panel-table"
                } else {
                    "panel-table-hidden"
                };
                let _ = t.set_attribute("data-testid", id);
            }
        }
    });
    on_cleanup(move || {
        clicks.remove();
        changes.remove();
    });
}

#[cfg(not(feature = "hydrate"))]
pub fn install_sorting() {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dashboard::frame::{Field, Values};

    #[test]
    fn ranks_order_rows_as_cells_compare_and_ties_share_one() {
        let f = Field::new(
            "v",
            Values::Number(vec![Some(3.0), None, Some(1.0), Some(3.0), Some(-2.0)]),
        );
        // -2 < 1 < 3 = 3 < null (nulls last).
        assert_eq!(ranks(&f, 5), [2, 4, 1, 2, 0]);
    }

    #[test]
    fn a_header_click_goes_ascending_descending_then_back_to_the_servers_order() {
        assert_eq!(next_sort(None, 2), Some((2, false)));
        assert_eq!(next_sort(Some((2, false)), 2), Some((2, true)));
        assert_eq!(next_sort(Some((2, true)), 2), None);
        assert_eq!(next_sort(Some((1, true)), 2), Some((2, false)));
    }
}
