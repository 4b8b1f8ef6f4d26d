use crate::api::AppError;
use crate::model::auth::CurrentUser;
use leptos::prelude::*;

/// The signed-in user (anonymous in anonymous mode) and their role.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<CurrentUser, AppError> {
    Ok(crate::api::current_user())
}
