//! "Showing 51–100 of 2,000 groups" with previous/next links that keep the rest of the URL: the
//! one way a page says it shows less than all and how to see the rest (links work without wasm).

use crate::components::pickers::current_pairs;
use crate::model::numbers::thousands;
use crate::model::url_state::with_params;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// `first` (from 0) and `shown` of `total` `noun`s, `per_page` a page; `param` is the URL
/// parameter holding the page number (from 0).
#[component]
pub fn Pager(
    first: usize,
    shown: usize,
    total: usize,
    per_page: usize,
    noun: &'static str,
    #[prop(default = "page")] param: &'static str,
) -> impl IntoView {
    let query = use_query_map();
    let pairs = query.with_untracked(current_pairs);
    let page = first / per_page.max(1);
    let href = move |p: usize| {
        let p = p.to_string();
        let q = with_params(&pairs, &[(param, Some(p.as_str()))]);
        if q.is_empty() {
            "?".to_string()
        } else {
            q
        }
    };
    let text = if shown == total {
        format!("{} {noun}", thousands(total))
    } else if shown == 0 {
        format!("none of {} {noun} on this page", thousands(total))
    } else {
        format!(
            "showing {}–{} of {} {noun}",
            thousands(first + 1),
            thousands(first + shown),
            thousands(total)
        )
    };
    let prev = (page > 0).then(|| href(page - 1));
    let next = (first + shown < total).then(|| href(page + 1));
    view! {
        <nav class="pager" aria-label=format!("{noun} pages") data-testid="pager">
            <span data-testid="pager-text">{text}</span>
            {prev
                .map(|h| {
                    view! {
                        <a href=h rel="prev" data-testid="pager-prev">
                            "← Previous"
                        </a>
                    }
                })}
            {next
                .map(|h| {
                    view! {
                        <a href=h rel="next" data-testid="pager-next">
                            "Next →"
                        </a>
                    }
                })}
        </nav>
    }
}
