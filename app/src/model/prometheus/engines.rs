//! What differs between the engines that speak the Prometheus API, said where a user meets it:
//! a MetricsQL query sent to Prometheus, an endpoint VictoriaMetrics does not serve. Pure.

/// MetricsQL functions (VictoriaMetrics) that PromQL does not have, as of VictoriaMetrics 1.79
/// against Prometheus 2.42. Names both languages share are left out: the hint must never be wrong.
const METRICSQL_ONLY: &[&str] = &[
    "aggr_over_time",
    "any",
    "ascent_over_time",
    "bitmap_and",
    "bitmap_or",
    "bitmap_xor",
    "bottomk_avg",
    "bottomk_last",
    "bottomk_max",
    "bottomk_median",
    "bottomk_min",
    "buckets_limit",
    "changes_prometheus",
    "count_eq_over_time",
    "count_gt_over_time",
    "count_le_over_time",
    "count_ne_over_time",
    "decreases_over_time",
    "default_rollup",
    "delta_prometheus",
    "deriv_fast",
    "descent_over_time",
    "distinct",
    "distinct_over_time",
    "duration_over_time",
    "first_over_time",
    "geomean",
    "geomean_over_time",
    "histogram_avg",
    "histogram_over_time",
    "histogram_share",
    "histogram_stddev",
    "histogram_stdvar",
    "hoeffding_bound_lower",
    "hoeffding_bound_upper",
    "ideriv",
    "increase_prometheus",
    "increase_pure",
    "increases_over_time",
    "integrate",
    "interpolate",
    "keep_last_value",
    "keep_next_value",
    "label_copy",
    "label_del",
    "label_graphite_group",
    "label_keep",
    "label_lowercase",
    "label_map",
    "label_match",
    "label_mismatch",
    "label_move",
    "label_set",
    "label_transform",
    "label_uppercase",
    "label_value",
    "lag",
    "lifetime",
    "mad",
    "median",
    "median_over_time",
    "mode",
    "mode_over_time",
    "outliers_mad",
    "outliersk",
    "prometheus_buckets",
    "range_avg",
    "range_first",
    "range_last",
    "range_max",
    "range_median",
    "range_min",
    "range_over_time",
    "range_quantile",
    "range_sum",
    "rate_over_sum",
    "remove_resets",
    "rollup",
    "rollup_candlestick",
    "rollup_delta",
    "rollup_deriv",
    "rollup_increase",
    "rollup_rate",
    "rollup_scrape_interval",
    "running_avg",
    "running_max",
    "running_min",
    "running_sum",
    "scrape_interval",
    "share",
    "share_gt_over_time",
    "share_le_over_time",
    "smooth_exponential",
    "sort_by_label",
    "sort_by_label_desc",
    "stale_samples_over_time",
    "sum2_over_time",
    "tfirst_over_time",
    "tlast_change_over_time",
    "tlast_over_time",
    "tmax_over_time",
    "tmin_over_time",
    "topk_avg",
    "topk_last",
    "topk_max",
    "topk_median",
    "topk_min",
    "union",
    "zscore",
    "zscore_over_time",
];

/// Why Prometheus refused a query, when the query is MetricsQL: a function only VictoriaMetrics
/// has, or a `WITH` template. `None` when the refusal says nothing of the kind.
pub fn metricsql_hint(query: &str, message: &str) -> Option<String> {
    // Prometheus quotes the name with ", promql-parser (the console's own check) with '.
    const UNKNOWN: &str = "unknown function with name ";
    if let Some(at) = message.find(UNKNOWN) {
        let quoted = &message[at + UNKNOWN.len()..];
        let quote = quoted.chars().next()?;
        let name = quoted[1..].split(quote).next()?;
        if METRICSQL_ONLY.contains(&name) {
            return Some(format!(
                "{name}() is MetricsQL (VictoriaMetrics), not PromQL: run it against a VictoriaMetrics datasource, or write it in PromQL here"
            ));
        }
    }
    let head = query.trim_start();
    let with = head
        .get(..4)
        .is_some_and(|w| w.eq_ignore_ascii_case("with"))
        && head[4..].trim_start().starts_with('(');
    with.then(|| {
        "WITH (…) templates are MetricsQL (VictoriaMetrics), not PromQL: run the query against a VictoriaMetrics datasource, or expand the template here".to_string()
    })
}

/// The endpoint an engine says it does not serve: VictoriaMetrics answers an unknown path with
/// HTTP 400 and `unsupported path requested: "/api/v1/status/flags"`.
pub fn unsupported_path(status: u16, body: &str) -> Option<String> {
    const MARK: &str = "unsupported path requested: \"";
    if !(400..500).contains(&status) {
        return None;
    }
    let at = body.find(MARK)?;
    body[at + MARK.len()..]
        .split('"')
        .next()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_a_metricsql_function_prometheus_refused() {
        // Prometheus 2.42's words for a function it does not have.
        let msg = "1:1: parse error: unknown function with name \"rollup_rate\"";
        let hint = metricsql_hint("rollup_rate(http_requests_total[5m])", msg).unwrap();
        assert!(hint.starts_with("rollup_rate() is MetricsQL"), "{hint}");
        // A typo of a PromQL function is not MetricsQL.
        let msg = "1:1: parse error: unknown function with name \"rat\"";
        assert_eq!(metricsql_hint("rat(x[5m])", msg), None);
        // promql-parser's words.
        let msg = "unknown function with name 'median_over_time'";
        assert!(metricsql_hint("median_over_time(x[5m])", msg).is_some());
        // Shared names (PromQL has them too) never get the hint.
        assert!(!METRICSQL_ONLY.contains(&"last_over_time"));
        assert!(!METRICSQL_ONLY.contains(&"quantile_over_time"));
    }

    #[test]
    fn names_a_with_template() {
        let q =
            "with (commonFilters = {job=\"arms\"}) rate(http_requests_total{commonFilters}[5m])";
        let hint = metricsql_hint(q, "1:6: parse error: unexpected \"(\"").unwrap();
        assert!(hint.starts_with("WITH (…) templates"), "{hint}");
        assert_eq!(metricsql_hint("without_label", "x"), None);
        assert_eq!(metricsql_hint("with", "x"), None);
    }

    #[test]
    fn reads_the_path_victoriametrics_does_not_serve() {
        // VictoriaMetrics 1.79's answer to GET /api/v1/status/flags.
        let body = "remoteAddr: \"127.0.0.1:48184\"; requestURI: /api/v1/status/flags; unsupported path requested: \"/api/v1/status/flags\"\n";
        assert_eq!(
            unsupported_path(400, body).as_deref(),
            Some("/api/v1/status/flags")
        );
        assert_eq!(unsupported_path(502, body), None);
        assert_eq!(unsupported_path(400, "Bad Request"), None);
    }
}
