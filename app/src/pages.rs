//! One module per capability; a page component is `<Area>Page`.

pub mod alerting;
pub mod dashboards;
pub mod explore;
pub mod home;
pub mod login;
pub mod logs;
pub mod not_found;
pub mod playlists;
pub mod slo;
pub mod status;
pub mod traces;
