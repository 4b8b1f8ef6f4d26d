//! `/login`: the sign-in form of `basic` mode. A plain HTML form posted to the server's
//! `POST /login` (works without JavaScript); a refused sign-in comes back here with the name
//! kept and the reason shown.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.with_untracked(|q| q.get(k)).unwrap_or_default();
    let failed = !get("error").is_empty();
    let next = get("next");
    let user = get("user");
    view! {
        <Title text="Sign in" />
        <div
            class="console"
            data-theme=crate::components::layout::initial_theme()
            data-kiosk="true"
        >
            <main class="login" data-testid="login-page">
                <form class="login-form" method="post" action="/login">
                    <h1>"Octoscope"</h1>
                    <p class="muted">"Sign in with your console account."</p>
                    {failed
                        .then(|| {
                            view! {
                                <p class="error" role="alert" data-testid="login-error">
                                    "Wrong user name or password. Check both and try again; an admin can reset your password with "
                                    <code>"octoscope passwd"</code>
                                    "."
                                </p>
                            }
                        })}
                    <label>
                        "User name"
                        <input
                            type="text"
                            name="user"
                            autocomplete="username"
                            required
                            autofocus=!failed
                            value=user
                            data-testid="login-user"
                        />
                    </label>
                    <label>
                        "Password"
                        <input
                            type="password"
                            name="password"
                            autocomplete="current-password"
                            required
                            autofocus=failed
                            data-testid="login-password"
                        />
                    </label>
                    <input type="hidden" name="next" value=next />
                    <button type="submit" class="primary" data-testid="login-submit">
                        "Sign in"
                    </button>
                </form>
            </main>
        </div>
    }
}
