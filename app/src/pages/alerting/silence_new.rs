//! `/alerting/silence/new`: the silence form. Prefilled from an alert or group (`matcher=` params,
//! repeatable), `comment=` and `instances=`; a live preview lists the alerts the draft matches now.
//! A failed submit keeps everything typed and shows the reason beside the field or on top.

use super::{AlertingTabs, UnreachableBanner};
use crate::api::alerting::{preview_silence, CreateSilence, SilenceOutcome, SilenceWhatIf};
use crate::api::console::whoami;
use crate::components::feedback::ErrorNotice;
use crate::contexts::DisplayZone;
use crate::model::numbers::thousands;
use crate::model::silence::{draft_matchers, draft_window, DraftErrors, SilenceDraft};
use crate::model::timestamp::{zone_label, zoned};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

#[component]
pub fn NewSilencePage() -> impl IntoView {
    let query = use_query_map();
    let (initial_matchers, initial_comment, initial_instances, replaces) =
        query.with_untracked(|q| {
            (
                q.get_all("matcher").unwrap_or_default().join("\n"),
                q.get("comment").unwrap_or_default(),
                q.get("instances").unwrap_or_default(),
                q.get("edit").unwrap_or_default(),
            )
        });
    let matchers = RwSignal::new(initial_matchers);
    let starts_at = RwSignal::new(String::new());
    let duration = RwSignal::new("1h".to_string());
    let ends_at = RwSignal::new(String::new());
    let created_by = RwSignal::new(String::new());
    let comment = RwSignal::new(initial_comment);
    // Chosen clusters, each as the comma-joined uids of its instances.
    let chosen = RwSignal::new(
        Some(initial_instances)
            .filter(|i| !i.is_empty())
            .into_iter()
            .collect::<Vec<String>>(),
    );
    let errors = RwSignal::new(DraftErrors::default());
    // Times are typed and shown in the console's display zone (UTC or the browser's).
    let zone = DisplayZone::current();
    let offset = move || zone.get().offset_min();
    // The server's clock renders the page; the browser's takes over after hydration.
    let now = RwSignal::new(crate::api::now_ms_anywhere());
    Effect::new(move |_| now.set(crate::api::now_ms_anywhere()));
    let draft = move || SilenceDraft {
        matchers: String::new(),
        starts_at: starts_at.get(),
        duration: duration.get(),
        ends_at: ends_at.get(),
        utc_offset_min: offset(),
        ..Default::default()
    };
    // Examples a few hours ahead, never stale: minutes cut, `T` as the field takes it.
    let example = move |ahead_h: i64| {
        zoned(now.get() + ahead_h * 3_600_000, offset())[..13].replace(' ', "T") + ":00"
    };

    // The clusters once; what the matchers match on every change (counted on the server).
    let overview = crate::api::resource(|| (), |_| preview_silence(String::new()));
    let preview = crate::api::resource(move || matchers.get(), preview_silence);
    let me = crate::api::resource(|| (), |_| whoami());
    Effect::new(move |_| {
        if let Some(Ok(user)) = me.get() {
            if created_by.get_untracked().is_empty() {
                created_by.set(user.name);
            }
        }
    });
    let create = ServerAction::<CreateSilence>::new();
    let what_if = ServerAction::<SilenceWhatIf>::new();
    let editing = (!replaces.is_empty()).then(|| replaces.clone());
    let navigate = use_navigate();
    Effect::new(move |_| match create.value().get() {
        // Some clusters refused: stay on the form (nothing typed is lost) and say which.
        Some(Ok(SilenceOutcome::Created { failed, .. })) if !failed.is_empty() => {}
        Some(Ok(SilenceOutcome::Created { id, .. })) => {
            errors.set(DraftErrors::default());
            navigate(
                &format!("/alerting/silences?created={id}#{id}"),
                Default::default(),
            );
        }
        Some(Ok(SilenceOutcome::Invalid(e))) => errors.set(e),
        _ => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = SilenceDraft {
            matchers: matchers.get_untracked(),
            starts_at: starts_at.get_untracked(),
            duration: duration.get_untracked(),
            ends_at: ends_at.get_untracked(),
            created_by: created_by.get_untracked(),
            comment: comment.get_untracked(),
            replaces: replaces.clone(),
            utc_offset_min: offset(),
        };
        create.dispatch(CreateSilence {
            draft,
            clusters: chosen.get_untracked(),
        });
    };
    // Each message has an id the field names in `aria-describedby`, so a screen reader reads it
    // with the field.
    let field_error = move |pick: fn(&DraftErrors) -> Option<String>, id: &'static str| {
        move || {
            errors.with(pick).map(|m| {
                view! {
                    <p class="field-error" id=id role="alert" data-testid=id>
                        {m}
                    </p>
                }
            })
        }
    };
    let invalid = move |pick: fn(&DraftErrors) -> Option<String>| {
        move || errors.with(pick).is_some().to_string()
    };
    let computed = move || {
        let (start, end, errs) = draft_window(&draft(), now.get());
        match (start, end) {
            (Some(s), Some(e)) if errs.is_empty() => {
                let off = offset();
                // Whole seconds: the window as typed, not its milliseconds.
                let span = crate::model::duration::format_ms((e - s) / 1000 * 1000);
                view! {
                    <p class="field-hint" data-testid="silence-computed-end" id="silence-window">
                        {format!(
                            "From {} to {} ({}), {span}",
                            &zoned(s, off)[..16],
                            &zoned(e, off)[..16],
                            zone_label(off),
                        )}
                    </p>
                }
                .into_any()
            }
            _ => view! {
                <p class="field-hint" id="silence-window" data-testid="silence-computed-end">
                    "Fix the times to see the window."
                </p>
            }
            .into_any(),
        }
    };

    view! {
        <Title text="New silence" />
        <h1>{if editing.is_some() { "Edit silence" } else { "New silence" }}</h1>
        <AlertingTabs />
        {editing
            .map(|id| {
                view! {
                    <p class="notice warning" data-testid="edit-notice">
                        {format!(
                            "Editing silence {id}: Alertmanager expires it and creates a new silence with a new id when you save.",
                        )}
                    </p>
                }
            })}
        {move || {
            create
                .value()
                .get()
                .and_then(|r| r.err())
                .map(|e| view! { <ErrorNotice message=e.to_string() /> })
        }}
        {move || match create.value().get() {
            Some(
                Ok(SilenceOutcome::Created { id, alertmanager, also, failed }),
            ) if !failed.is_empty() => {
                Some(
                    view! {
                        <div class="notice warning" role="alert" data-testid="silence-partial">
                            {format!("Created {id} in {alertmanager}")}
                            {also
                                .iter()
                                .map(|(am, id)| format!(", {id} in {am}"))
                                .collect::<String>()}
                            ". Not created in: "
                            {failed
                                .iter()
                                .map(|(c, why)| format!("{c} ({why})"))
                                .collect::<Vec<_>>()
                                .join("; ")}
                            ". Fix that cluster and submit again with only it selected."
                        </div>
                    },
                )
            }
            _ => None,
        }}
        <form class="silence-form" on:submit=submit data-testid="silence-form">
            <label for="matchers">"Matchers (one per line)"</label>
            <textarea
                id="matchers"
                rows="5"
                aria-describedby="matchers-error matcher-syntax-error"
                aria-invalid=invalid(|e| e.matchers.clone())
                data-testid="silence-matchers-input"
                prop:value=move || matchers.get()
                on:input=move |ev| matchers.set(event_target_value(&ev))
            >
                {matchers.get_untracked()}
            </textarea>
            {move || {
                draft_matchers(&matchers.get())
                    .err()
                    .map(|e| {
                        view! {
                            <p
                                class="field-error"
                                id="matcher-syntax-error"
                                data-testid="matcher-syntax-error"
                            >
                                {e}
                            </p>
                        }
                    })
            }}
            {field_error(|e| e.matchers.clone(), "matchers-error")}
            <div class="row">
                <label for="silence-start">
                    {move || format!("Start ({}, empty = now) ", zone_label(offset()))}
                </label>
                <input
                    id="silence-start"
                    type="text"
                    placeholder=move || example(1)
                    data-testid="silence-start"
                    aria-describedby="start-error silence-window"
                    aria-invalid=invalid(|e| e.starts_at.clone())
                    prop:value=move || starts_at.get()
                    on:input=move |ev| starts_at.set(event_target_value(&ev))
                />
                {field_error(|e| e.starts_at.clone(), "start-error")}
                <label for="silence-duration">"Duration "</label>
                <input
                    id="silence-duration"
                    type="text"
                    list="silence-durations"
                    class="narrow"
                    data-testid="silence-duration"
                    aria-describedby="end-error silence-window"
                    prop:value=move || duration.get()
                    on:input=move |ev| duration.set(event_target_value(&ev))
                />
                <datalist id="silence-durations">
                    {["30m", "1h", "2h", "4h", "8h", "12h", "24h", "2d", "1w"]
                        .map(|d| view! { <option value=d></option> })
                        .collect_view()}
                </datalist>
                <label for="silence-end">
                    {move || format!("or end ({}) ", zone_label(offset()))}
                </label>
                <input
                    id="silence-end"
                    type="text"
                    placeholder=move || example(4)
                    data-testid="silence-end"
                    aria-describedby="end-error silence-window"
                    aria-invalid=invalid(|e| e.ends_at.clone())
                    prop:value=move || ends_at.get()
                    on:input=move |ev| ends_at.set(event_target_value(&ev))
                />
            </div>
            {computed}
            {field_error(|e| e.ends_at.clone(), "end-error")}
            <label for="silence-creator">"Created by "</label>
            <input
                id="silence-creator"
                type="text"
                data-testid="silence-creator"
                aria-describedby="creator-error"
                aria-invalid=invalid(|e| e.created_by.clone())
                prop:value=move || created_by.get()
                on:input=move |ev| created_by.set(event_target_value(&ev))
            />
            {field_error(|e| e.created_by.clone(), "creator-error")}
            <label for="comment">"Comment"</label>
            <textarea
                id="comment"
                rows="2"
                data-testid="silence-comment"
                aria-describedby="comment-error"
                aria-invalid=invalid(|e| e.comment.clone())
                prop:value=move || comment.get()
                on:input=move |ev| comment.set(event_target_value(&ev))
            >
                {comment.get_untracked()}
            </textarea>
            {field_error(|e| e.comment.clone(), "comment-error")}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let o = overview.await.ok()?;
                    if chosen.get_untracked().is_empty() {
                        if let Some((_, instances)) = o.clusters.first() {
                            chosen.set(vec![instances.join(",")]);
                        }
                    }
                    let blocked = o.cannot_write.clone();
                    Some(
                        view! {
                            <UnreachableBanner unreachable=o.unreachable.clone() />
                            <fieldset class="clusters" data-testid="silence-clusters">
                                <legend>
                                    "Alertmanager clusters (the silence is created in each)"
                                </legend>
                                {o
                                    .clusters
                                    .iter()
                                    .map(|(name, instances)| {
                                        let value = instances.join(",");
                                        let v1 = value.clone();
                                        let v2 = value.clone();
                                        view! {
                                            <label>
                                                <input
                                                    type="checkbox"
                                                    data-testid="silence-cluster"
                                                    value=value
                                                    prop:checked=move || chosen.with(|ch| ch.contains(&v1))
                                                    on:change=move |ev| {
                                                        let on = event_target_checked(&ev);
                                                        chosen
                                                            .update(|ch| {
                                                                ch.retain(|x| *x != v2);
                                                                if on {
                                                                    ch.push(v2.clone());
                                                                }
                                                            });
                                                    }
                                                />
                                                {name.clone()}
                                            </label>
                                        }
                                    })
                                    .collect_view()}
                            </fieldset>
                            {blocked
                                .clone()
                                .map(|why| {
                                    view! {
                                        <p class="notice warning" data-testid="write-blocked">
                                            {why}
                                        </p>
                                    }
                                })}
                            <button
                                type="submit"
                                data-testid="create-silence"
                                disabled=move || blocked.is_some() || create.pending().get()
                            >
                                "Create silence"
                            </button>
                        },
                    )
                })}
            </Suspense>
        </form>
        <section class="what-if" data-testid="silence-what-if">
            <button
                type="button"
                data-testid="what-if"
                on:click=move |_| {
                    what_if
                        .dispatch(SilenceWhatIf {
                            matchers: matchers.get_untracked(),
                        });
                }
            >
                "What would this have muted?"
            </button>
            {move || {
                what_if
                    .value()
                    .get()
                    .map(|r| match r {
                        Ok(w) if w.windows.is_empty() => {
                            view! {
                                <p class="muted" data-testid="what-if-empty">
                                    {if w.ignored.is_empty() {
                                        "Add matchers first.".to_string()
                                    } else {
                                        format!(
                                            "None of these labels are in Prometheus' alert history ({}); nothing to count.",
                                            w.ignored.join(", "),
                                        )
                                    }}
                                </p>
                            }
                                .into_any()
                        }
                        Ok(w) => {
                            view! {
                                {(!w.ignored.is_empty())
                                    .then(|| {
                                        view! {
                                            <p class="muted" data-testid="what-if-ignored">
                                                {format!(
                                                    "Not in Prometheus' alert history, so not counted: {}",
                                                    w.ignored.join(", "),
                                                )}
                                            </p>
                                        }
                                    })}
                                <ul data-testid="what-if-result">
                                    {w
                                        .windows
                                        .into_iter()
                                        .map(|(window, alerts, hours)| {
                                            view! {
                                                <li>
                                                    {format!(
                                                        "Last {window}: {alerts} alert(s) fired for {hours} h in total",
                                                    )}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <ErrorNotice message=e.to_string() /> }.into_any(),
                    })
            }}
        </section>
        <section class="preview" data-testid="silence-preview">
            <h2>"Alerts this silence matches now"</h2>
            <Transition fallback=|| {
                view! { <p class="muted">"Loading alerts…"</p> }
            }>
                {move || Suspend::new(async move {
                    let p = match preview.await {
                        Ok(p) => p,
                        Err(e) => return view! { <ErrorNotice message=e.to_string() /> }.into_any(),
                    };
                    if p.matcher_error.is_some() {
                        return view! { <p class="muted">"Fix the matchers to see the preview."</p> }
                            .into_any();
                    }
                    let more = p.matched.saturating_sub(p.alerts.len());
                    view! {
                        <p data-testid="preview-count">
                            {format!("{} alert(s) match", thousands(p.matched))}
                        </p>
                        <ul>
                            {p
                                .alerts
                                .into_iter()
                                .map(|labels| {
                                    view! {
                                        <li data-testid="preview-alert">
                                            {labels
                                                .iter()
                                                .map(|(k, v)| format!("{k}={v}"))
                                                .collect::<Vec<_>>()
                                                .join(", ")}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                        {(more > 0)
                            .then(|| {
                                view! {
                                    <p class="muted" data-testid="preview-more">
                                        {format!("and {} more", thousands(more))}
                                    </p>
                                }
                            })}
                    }
                        .into_any()
                })}
            </Transition>
        </section>
    }
}
