//! The small HTML rules every page shares: escaping text, and which link targets built from
//! backend or dashboard data may become an `href`. Pure.

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether a link target is http(s), mailto or relative. Browsers drop tabs and newlines inside
/// URLs and ignore leading spaces, so `java\tscript:` counts as the scheme it becomes.
pub fn is_safe_url(url: &str) -> bool {
    let lower: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme_end = lower.find(':');
    let path_start = lower.find(['/', '?', '#']);
    match scheme_end {
        // No scheme, or a colon after the path started (`/a:b`, `?t=1:2`): relative.
        None => true,
        Some(i) if path_start.is_some_and(|s| s < i) => true,
        Some(_) => ["http:", "https:", "mailto:"]
            .iter()
            .any(|s| lower.starts_with(s)),
    }
}

/// The link target to render for a URL that came from backend data (annotations, generator URLs,
/// dashboard links), or `None` when it is not one a console should link to (`javascript:`,
/// `data:`, …).
pub fn safe_href(url: &str) -> Option<String> {
    (!url.trim().is_empty() && is_safe_url(url)).then(|| url.to_string())
}

/// The document title for a page: `<page> · Octoscope`. Escaped on the server, where Leptos
/// writes the title into the HTML as it is (page and dashboard titles come from URLs and
/// dashboard JSON); the browser sets `document.title`, which takes plain text.
pub fn page_title(page: &str) -> String {
    let text = if page.is_empty() {
        "Octoscope".to_string()
    } else {
        format!("{page} · Octoscope")
    };
    if cfg!(feature = "ssr") {
        escape_html(&text)
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape_html(r#"</title><b a="x">'&"#),
            "&lt;/title&gt;&lt;b a=&quot;x&quot;&gt;&#39;&amp;"
        );
    }

    #[test]
    fn only_web_and_relative_links_are_safe() {
        for ok in [
            "https://runbooks.example/x",
            "http://prometheus:9090/graph?g0.expr=up",
            "mailto:oncall@example.org",
            "/d/abc?var-service=a:b",
            "?from=now-1h",
            "#panel-2",
            "runbook.html",
        ] {
            assert!(safe_href(ok).is_some(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "  JavaScript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "data:text/html,<script>",
            "vbscript:x",
            "",
        ] {
            assert_eq!(safe_href(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn titles_name_the_console() {
        assert!(page_title("").starts_with("Octoscope"));
        assert!(page_title("Trace abc").starts_with("Trace abc · "));
    }
}
