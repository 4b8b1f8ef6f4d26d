//! The table panel: the frames the server built and transformed, one at a time.

use crate::model::dashboard::field::resolve;
use crate::model::dashboard::frame::TableData;
use crate::model::dashboard::Panel;
use leptos::prelude::*;

/// A table panel: one frame at a time (a picker when the transformations leave several, as in
/// Grafana), columns named and formatted by the field config, sortable by a click on a header;
/// "showing N of M rows" when the server cut the frame.
#[component]
pub(super) fn PanelTable(panel: Panel, table: TableData) -> impl IntoView {
    use crate::components::zone::Time;
    use crate::model::dashboard::frame::{Cell, Kind};
    let chosen = RwSignal::new(0usize);
    let sort = RwSignal::new(None::<(usize, bool)>);
    let picker = (table.frames.len() > 1).then(|| {
        let options = table
            .frames
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let name = if f.name.is_empty() {
                    format!("Frame {}", i + 1)
                } else {
                    f.name.clone()
                };
                view! { <option value=i.to_string()>{name}</option> }
            })
            .collect_view();
        view! {
            <label class="small">
                "Frame "
                <select
                    data-testid="table-frame"
                    on:change=move |ev| {
                        sort.set(None);
                        chosen.set(event_target_value(&ev).parse().unwrap_or(0));
                    }
                >
                    {options}
                </select>
            </label>
        }
    });
    let panel = StoredValue::new(panel);
    let table = StoredValue::new(table);
    // Visible columns: (index in the frame, header), hidden ones left out by the field config.
    let columns = move || {
        let i = chosen.get();
        table.with_value(|t| {
            let f = &t.frames[i.min(t.frames.len() - 1)];
            panel.with_value(|p| {
                f.fields
                    .iter()
                    .enumerate()
                    .filter_map(|(j, x)| {
                        let fc = resolve(&p.field, &p.overrides, &x.display, &x.ref_id);
                        (!fc.hidden)
                            .then(|| (j, fc.display_name.unwrap_or_else(|| x.display.clone())))
                    })
                    .collect::<Vec<(usize, String)>>()
            })
        })
    };
    let rows = move || {
        let i = chosen.get();
        let cols = columns();
        table.with_value(|t| {
            let i = i.min(t.frames.len() - 1);
            let f = &t.frames[i];
            let mut order: Vec<usize> = (0..f.rows()).collect();
            if let Some((c, desc)) = sort.get() {
                if let Some(x) = f.fields.get(c) {
                    order.sort_by(|a, b| {
                        let o = x.values.get(*a).compare(&x.values.get(*b));
                        if desc {
                            o.reverse()
                        } else {
                            o
                        }
                    });
                }
            }
            let cells = order
                .into_iter()
                .map(|r| {
                    cols.iter()
                        .map(|(j, _)| {
                            let x = &f.fields[*j];
                            match (x.values.get(r), x.values.kind()) {
                                (Cell::Time(ms), Kind::Time) => view! {
                                    <td>
                                        <Time ms=ms />
                                    </td>
                                }
                                .into_any(),
                                (Cell::Null, Kind::Number) | (Cell::Num(_), _) => {
                                    let v = x.values.get(r).number();
                                    let text = panel.with_value(|p| {
                                        resolve(&p.field, &p.overrides, &x.display, &x.ref_id)
                                            .display(v)
                                            .0
                                    });
                                    view! { <td class="num">{text}</td> }.into_any()
                                }
                                (c, _) => view! { <td>{c.key()}</td> }.into_any(),
                            }
                        })
                        .collect_view()
                })
                .map(|cells| view! { <tr>{cells}</tr> })
                .collect_view();
            let showing = (f.rows() < t.total_rows[i]).then(|| {
                format!(
                    "showing {} of {} rows",
                    crate::model::numbers::thousands(f.rows()),
                    crate::model::numbers::thousands(t.total_rows[i])
                )
            });
            (cells, showing)
        })
    };
    view! {
        {picker}
        <div class="table-wrap">
            <table class="data-table" data-testid="panel-table">
                <thead>
                    <tr>
                        {move || {
                            columns()
                                .into_iter()
                                .map(|(j, label)| {
                                    view! {
                                        <th>
                                            <button
                                                type="button"
                                                class="sort"
                                                on:click=move |_| {
                                                    sort.update(|s| {
                                                        *s = match *s {
                                                            Some((c, false)) if c == j => Some((j, true)),
                                                            Some((c, true)) if c == j => None,
                                                            _ => Some((j, false)),
                                                        };
                                                    })
                                                }
                                            >
                                                {label}
                                                {move || match sort.get() {
                                                    Some((c, d)) if c == j => if d { " ▼" } else { " ▲" }
                                                    _ => "",
                                                }}
                                            </button>
                                        </th>
                                    }
                                })
                                .collect_view()
                        }}
                    </tr>
                </thead>
                <tbody>{move || rows().0}</tbody>
            </table>
        </div>
        {move || {
            rows()
                .1
                .map(|s| {
                    view! {
                        <p class="small muted" data-testid="table-showing">
                            {s}
                        </p>
                    }
                })
        }}
    }
}
