//! The error every server function returns: serializable, so the page can show the exact reason
//! in place (a panel, a form field) rather than a generic failure.

use crate::model::datasource::DatasourceKind;
use crate::model::upstream::BackendError;
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
    /// An upstream answer the console will not use (too large to open, …), said with what to do.
    #[error("{0}")]
    Upstream(String),
    #[error("the console could not run this request: {0}; reload the page and try again")]
    ServerFn(String),
}

impl AppError {
    /// The HTTP status of an answer that ends in this error (server functions and pages alike):
    /// 400 bad input, 403 not allowed, 404 an unknown dashboard/trace/SLO/datasource, 502/503/504
    /// an upstream failure, 500 only for the console's own faults.
    pub fn http_status(&self) -> u16 {
        match self {
            AppError::Backend(e) => e.http_status(),
            AppError::NoDatasource { .. }
            | AppError::UnknownDatasource { .. }
            | AppError::NotFound(_) => 404,
            AppError::BadRequest(_) => 400,
            AppError::Forbidden(_) => 403,
            AppError::Upstream(_) => 502,
            AppError::ServerFn(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request itself was malformed (a script's, or a stale page's): the caller's fault.
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => AppError::BadRequest(
                format!("the request's arguments could not be read ({m}); reload the page and try again"),
            ),
            other => AppError::ServerFn(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_the_status_of_whose_fault_it_is() {
        let cases = [
            (AppError::BadRequest("limit".into()), 400),
            (AppError::Forbidden("viewer".into()), 403),
            (AppError::NotFound("trace".into()), 404),
            (AppError::UnknownDatasource { uid: "x".into() }, 404),
            (
                AppError::NoDatasource {
                    kind: DatasourceKind::Loki,
                },
                404,
            ),
            (AppError::ServerFn("bug".into()), 500),
            (
                AppError::Backend(BackendError::Timeout {
                    datasource: "Loki".into(),
                    seconds: 30,
                }),
                504,
            ),
        ];
        for (error, status) in cases {
            assert_eq!(error.http_status(), status, "{error:?}");
        }
        let args = AppError::from_server_fn_error(ServerFnErrorErr::Args("missing field".into()));
        assert_eq!(args.http_status(), 400);
    }
}
