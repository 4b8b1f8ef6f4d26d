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
                    s.value.map(|v| v.1).unwrap_or_else(|| "(histogram)".into()),
                )
            })
            .collect(),
        QueryData::Matrix(series) => series
            .into_iter()
            .map(|s| {
                let last = s.values.last().map(|v| v.1.clone()).unwrap_or_default();
                (
                    series_name(&s.metric),
                    format!("{last} (last of {} samples)", s.values.len()),
                )
            })
            .collect(),
        QueryData::Scalar((_, v)) => vec![("scalar".into(), v)],
        QueryData::String((_, v)) => vec![("string".into(), v)],
    };
    let count = rows.len();
    view! {
        <p class="muted" data-testid="result-count">{format!("{count} series")}</p>
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
                                <td class="series" data-testid="result-series">{name}</td>
                                <td class="value" data-testid="result-value">{value}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
