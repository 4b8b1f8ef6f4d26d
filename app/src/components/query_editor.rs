//! The query editor of Explore (PromQL and LogQL): completion at the cursor from the backend's
//! label APIs. What to complete is decided by the pure `model::promql_complete`.

use crate::api::logs::logql_completions;
use crate::api::prometheus::promql_completions;
use crate::model::promql_complete::{apply, current_context, CompletionContext};
use leptos::prelude::*;

/// Which language the editor holds (and so which backend completes it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryLang {
    /// Prometheus: metric and function names, label names and values.
    PromQl,
    /// Loki: stream selector label names and values.
    LogQl,
}

/// A query input with completion: suggestions for the text left of the cursor, chosen with a
/// click, Tab, or the arrows and Enter; Escape closes the list. The input is named `query`, so
/// the surrounding form submits it (and works without JavaScript).
#[component]
pub fn QueryEditor(
    lang: QueryLang,
    input: NodeRef<leptos::html::Input>,
    initial: String,
    datasource: Memo<Option<String>>,
    id: &'static str,
    placeholder: &'static str,
    testid: &'static str,
) -> impl IntoView {
    // The text left of the cursor after the last keystroke; empty until the user types.
    let before = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    let active = RwSignal::new(None::<usize>);
    let completions = LocalResource::new(move || {
        let before = before.get();
        let ds = datasource.get_untracked();
        async move {
            if before.trim().is_empty() {
                None
            } else {
                match lang {
                    QueryLang::PromQl => promql_completions(before, ds).await.ok(),
                    QueryLang::LogQl => logql_completions(before, ds).await.ok(),
                }
            }
        }
    });
    let items = move || {
        completions
            .get()
            .flatten()
            .filter(|c| c.context.is_some() && !c.items.is_empty())
    };
    let read_cursor = move || {
        input.get_untracked().map(|el| {
            let value = el.value();
            let pos = el
                .selection_start()
                .ok()
                .flatten()
                .map(|p| p as usize)
                .unwrap_or(value.len());
            // selectionStart counts UTF-16 units; map back to a char boundary.
            let byte = value
                .char_indices()
                .scan(0usize, |units, (i, c)| {
                    let at = *units;
                    *units += c.len_utf16();
                    Some((i, at))
                })
                .find(|(_, at)| *at >= pos)
                .map(|(i, _)| i)
                .unwrap_or(value.len());
            (value, byte)
        })
    };
    let choose = move |item: String| {
        let (Some(el), Some(c)) = (input.get_untracked(), completions.get_untracked().flatten())
        else {
            return;
        };
        let Some(listed) = c.context else { return };
        let Some((value, pos)) = read_cursor() else {
            return;
        };
        let Some(ctx) = current_context(&value[..pos], &listed) else {
            return;
        };
        let done = apply(&value[..pos], &ctx, &item);
        let text = format!("{done}{}", &value[pos..]);
        el.set_value(&text);
        let cursor = done.encode_utf16().count() as u32;
        let _ = el.set_selection_range(cursor, cursor);
        let _ = el.focus();
        active.set(None);
        // After a label name the value list follows at once.
        let again = matches!(ctx, CompletionContext::LabelName { selector: true, .. });
        open.set(again);
        before.set(if again { done } else { String::new() });
    };
    let on_input = move |_| {
        if let Some((value, pos)) = read_cursor() {
            before.set(value[..pos].to_string());
            open.set(true);
            active.set(None);
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let Some(c) = items().filter(|_| open.get_untracked()) else {
            return;
        };
        let n = c.items.len();
        match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % n)));
            }
            "ArrowUp" => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(n - 1, |i| (i + n - 1) % n)));
            }
            // Tab takes the highlighted (or first) item; Enter only one picked with the arrows,
            // so Enter still runs the query.
            "Tab" => {
                ev.prevent_default();
                choose(c.items[active.get_untracked().unwrap_or(0)].clone());
            }
            "Enter" if active.get_untracked().is_some() => {
                ev.prevent_default();
                choose(c.items[active.get_untracked().unwrap_or(0)].clone());
            }
            "Escape" => open.set(false),
            _ => {}
        }
    };
    view! {
        <div class="editor">
            <input
                id=id
                type="text"
                name="query"
                class="promql"
                autocomplete="off"
                spellcheck="false"
                placeholder=placeholder
                value=initial
                node_ref=input
                data-testid=testid
                // An ARIA 1.2 combobox: the list is announced, and the highlighted suggestion with it.
                role="combobox"
                aria-autocomplete="list"
                aria-controls=format!("{id}-completions")
                aria-expanded=move || (open.get() && items().is_some()).to_string()
                aria-activedescendant=move || {
                    active.get().filter(|_| open.get()).map(|i| format!("{id}-option-{i}"))
                }
                on:input=on_input
                on:keydown=on_keydown
                on:blur=move |_| {
                    set_timeout(move || open.set(false), std::time::Duration::from_millis(200));
                }
            />
            {move || {
                open.get()
                    .then(items)
                    .flatten()
                    .map(|c| {
                        let kind = match c.context {
                            Some(CompletionContext::Metric { .. }) => "metric or function",
                            Some(CompletionContext::LabelName { .. }) => "label",
                            _ => "value",
                        };
                        view! {
                            <ul
                                class="completions"
                                role="listbox"
                                id=format!("{id}-completions")
                                aria-label=format!("Suggestions: {kind}")
                                data-testid="completions"
                                data-kind=kind
                            >
                                {c
                                    .items
                                    .into_iter()
                                    .enumerate()
                                    .map(|(i, item)| {
                                        let chosen = item.clone();
                                        view! {
                                            <li
                                                role="option"
                                                id=format!("{id}-option-{i}")
                                                aria-selected=move || (active.get() == Some(i)).to_string()
                                                class:active=move || active.get() == Some(i)
                                                data-testid="completion"
                                                on:mousedown=move |ev| {
                                                    ev.prevent_default();
                                                    choose(chosen.clone());
                                                }
                                            >
                                                {item}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                    })
            }}
        </div>
    }
}
