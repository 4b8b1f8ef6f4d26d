//! Pure types and logic with no IO: shared by the server (SSR, proxy) and the browser (hydrate).

pub mod allowlist;
pub mod datasource;
pub mod logs;
pub mod matchers;
pub mod prometheus;
pub mod time_range;
pub mod traces;
pub mod url_state;
