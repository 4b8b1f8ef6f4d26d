//! A table of query results: one row per series with its labels and value.

use crate::model::prometheus::{series_name, QueryData};
use leptos::prelude::*;

#[component]
pub fn SeriesTable(data: QueryData) -> impl IntoView {
    let rows: Vec<(String, String)> = match data {
        QueryData::Vector(samples) => samples
            .into_iter()
            .map(|s| {
                (
                    series_name(&s.metric),
                    s.value
                        .map(|v| v.1.to_string())
                        .unwrap_or_else(|| "(histogram)".into()),
                )
            })
            .collect(),
        QueryData::Matrix(series) => series
            .into_iter()
            .map(|s| {
                let last = s.values.last().map(|v| v.1.to_string()).unwrap_or_default();
                (
                    series_name(&s.metric),
                    format!("{last} (last of {} samples)", s.values.len()),
                )
            })
            .collect(),
        QueryData::Scalar((_, v)) => vec![("scalar".into(), v.to_string())],
        QueryData::String((_, v)) => vec![("string".into(), v)],
    };
    let count = rows.len();
    view! {
        <p class="muted" data-testid="result-count">
            {format!("{count} series")}
        </p>
        <table class="results" data-testid="results-table">
            <thead>
                <tr>
                    <th scope="col">"Series"</th>
                    <th scope="col">"Value"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|(name, value)| {
                        view! {
                            <tr>
                                <td class="series" data-testid="result-series">
                                    {name}
                                </td>
                                <td class="value" data-testid="result-value">
                                    {value}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod ssr_tests {
    use super::*;
    use crate::components::render;

    use crate::model::prometheus::InstantSample;

    #[test]
    fn one_row_per_series_inside_tbody() {
        let sample = |job: &str, v: &str| InstantSample {
            metric: [("job".to_string(), job.to_string())].into(),
            value: Some((1.0, v.into())),
        };
        let data = QueryData::Vector(vec![sample("a", "1"), sample("b\"q", "2")]);
        let html = render(move || view! { <SeriesTable data=data /> });
        assert!(html.contains("2 series"), "{html}");
        let body = &html[html.find("<tbody>").expect("a tbody")..];
        assert_eq!(body.matches("<tr>").count(), 2, "{html}");
        // The series name quotes its values as PromQL does.
        assert!(html.contains(r#"{job="b\"q"}"#), "{html}");
    }
}
