//! Messages shown in place: errors that say what to do next, warnings, empty states.

use crate::api::AppError;
use leptos::prelude::*;

/// Answers a page whose subject could not be shown (an unknown trace or SLO: 404; its backend
/// down: 502) with the error's status as well as the message, so scripts and link checkers see
/// what the user sees. Server only.
pub fn set_status_for(error: &AppError) {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(
            http::StatusCode::from_u16(error.http_status())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    #[cfg(not(feature = "ssr"))]
    let _ = error;
}

#[component]
pub fn ErrorNotice(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <div class="notice error" role="alert" data-testid="error">
            {message}
        </div>
    }
}

/// A resource's answer once it is in: `ok` draws it; a failure shows its message in place (and,
/// with `set_status`, answers the page with the failure's HTTP status). `loading` says what is
/// being read, shown until the first answer; later reloads keep the old view (a `Transition`).
#[component]
pub fn Loaded<T, F, V, Ser>(
    data: Resource<Result<T, AppError>, Ser>,
    loading: &'static str,
    ok: F,
    #[prop(optional)] set_status: bool,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
    Ser: Send + Sync + 'static,
{
    view! {
        <Transition fallback=move || {
            view! { <p class="muted">{loading}</p> }
        }>
            {
                let ok = ok.clone();
                move || {
                    let ok = ok.clone();
                    Suspend::new(async move {
                        match data.await {
                            Err(e) => {
                                if set_status {
                                    set_status_for(&e);
                                }
                                view! { <ErrorNotice message=e.to_string() /> }.into_any()
                            }
                            Ok(v) => ok(v).into_any(),
                        }
                    })
                }
            }
        </Transition>
    }
}

#[component]
pub fn Warnings(warnings: Vec<String>) -> impl IntoView {
    (!warnings.is_empty()).then(|| {
        view! {
            <ul class="notice warning" data-testid="warnings">
                {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
            </ul>
        }
    })
}

#[cfg(all(test, feature = "ssr"))]
mod ssr_tests {
    use super::*;
    use crate::components::render;

    #[test]
    fn an_error_is_an_alert_with_its_text_escaped() {
        let html = render(|| view! { <ErrorNotice message="Loki answered <b>500</b>" /> });
        assert!(html.contains(r#"role="alert""#), "{html}");
        assert!(
            html.contains("Loki answered &lt;b&gt;500&lt;/b&gt;"),
            "{html}"
        );
    }

    #[test]
    fn warnings_list_each_one_and_none_renders_nothing() {
        let html = render(|| view! { <Warnings warnings=vec!["w1".into(), "w2".into()] /> });
        assert_eq!(html.matches("<li>").count(), 2, "{html}");
        let none = render(|| view! { <Warnings warnings=vec![] /> });
        assert!(!none.contains("warnings"), "{none}");
    }
}
