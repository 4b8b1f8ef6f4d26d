//! Markdown of text panels to HTML that is safe to insert: raw HTML in the source is shown as
//! text, and links keep only http(s), mailto and relative targets. Pure.

use super::html::is_safe_url as safe_url;
use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};

pub fn render_markdown(src: &str) -> String {
    let parser =
        Parser::new_ext(src, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(|ev| {
            match ev {
                Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) if !safe_url(&dest_url) => Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from("#"),
                    title,
                    id,
                }),
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) if !safe_url(&dest_url) => Event::Start(Tag::Image {
                    link_type,
                    dest_url: CowStr::from(""),
                    title,
                    id,
                }),
                other => other,
            }
        });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_and_is_sanitised() {
        let h = render_markdown("# Runbook\n\n**Page** the [on-call](https://example.org/oncall).");
        assert!(h.contains("<h1>Runbook</h1>"));
        assert!(h.contains("<strong>Page</strong>"));
        assert!(h.contains(r#"href="https://example.org/oncall""#));
        let h = render_markdown(
            "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(!h.contains("<script"), "{h}");
        assert!(!h.contains("<img"), "{h}");
        assert!(!h.contains("javascript:"), "{h}");
        assert!(render_markdown("[rel](/d/abc)").contains(r#"href="/d/abc""#));
    }
}
