//! The error every server function returns: serializable, so the page can show the exact reason
//! in place (a panel, a form field) rather than a generic failure.

use crate::model::datasource::DatasourceKind;
use crate::model::prometheus::BackendError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Error)]
pub enum AppError {
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error("no {kind} datasource is configured; add one under provisioning/datasources/ (see the getting-started page)")]
    NoDatasource { kind: DatasourceKind },
    #[error("datasource {uid:?} is not provisioned; pick one from the datasource list")]
    UnknownDatasource { uid: String },
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("the console could not run this request: {0}; reload the page and try again")]
    ServerFn(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value.to_string())
    }
}
