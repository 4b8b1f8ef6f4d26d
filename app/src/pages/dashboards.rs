//! Dashboards: the searchable list, a dashboard at its Grafana URL, and one panel alone for
//! iframes.

pub mod compat;
pub mod list;
pub mod solo;
pub mod view;

/// The URL's query pairs in order (repeated keys kept, as `var-x=a&var-x=b` needs).
pub fn query_pairs(q: &leptos_router::params::ParamsMap) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, _) in q.clone().into_iter() {
        let k = k.to_string();
        if out.iter().any(|(seen, _): &(String, String)| *seen == k) {
            continue;
        }
        for v in q.get_all(&k).unwrap_or_default() {
            out.push((k.clone(), v));
        }
    }
    out
}

/// The dashboard resources' hydration codec: JSON without what the server already drew into the
/// page (every panel but its place: `DashboardView::hold_drawn`), read back by a reader of that
/// much (`HeldView`).
pub struct DrawnOnce;

impl<E: serde::Serialize + Clone + 'static>
    leptos::server::codee::Encoder<Result<crate::model::dashboard::data::DashboardView, E>>
    for DrawnOnce
{
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(
        v: &Result<crate::model::dashboard::data::DashboardView, E>,
    ) -> Result<String, serde_json::Error> {
        match v {
            Ok(view) => {
                let mut view = view.clone();
                view.hold_drawn();
                serde_json::to_string(&Ok::<_, E>(view))
            }
            Err(_) => serde_json::to_string(v),
        }
    }
}

impl<E: serde::de::DeserializeOwned + 'static>
    leptos::server::codee::Decoder<Result<crate::model::dashboard::data::DashboardView, E>>
    for DrawnOnce
{
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(
        v: &str,
    ) -> Result<Result<crate::model::dashboard::data::DashboardView, E>, serde_json::Error> {
        use crate::model::dashboard::data::HeldView;
        Ok(crate::model::json::decode::<Result<HeldView, E>>(v)?.map(Into::into))
    }
}
