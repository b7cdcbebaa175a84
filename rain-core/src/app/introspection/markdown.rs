//! Doc comments as `/rain` shows them: their Markdown rendered to HTML, in one function
//! ([`to_html`]), with nothing of the text able to add markup or script of its own.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// The HTML of a doc comment's Markdown, as rustdoc reads it (tables, strikethrough, task
/// lists): paragraphs, lists, code, links and emphasis; lines broken only where a paragraph ends
/// (or the text asks for a hard break).
///
/// Written for a page that has its own `<h1>` and `<h2>`: a heading of the text is moved two
/// levels down (`#` is an `<h3>`). Raw HTML in the text (`<script>`, `<b>`) is shown as the text
/// it is, escaped; a link or image whose address has a scheme other than `http`, `https` or
/// `mailto` (`javascript:`) is left out, its text kept.
pub(super) fn to_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    // For each open link and image, whether it is kept, so that its end is kept with it.
    let mut links = Vec::new();
    let mut images = Vec::new();
    let events = Parser::new_ext(markdown, options).filter_map(|event| {
        Some(match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            // An escaped HTML block reads as a paragraph.
            Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => Event::Start(Tag::Heading {
                level: demoted(level),
                id,
                classes,
                attrs,
            }),
            Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demoted(level))),
            Event::Start(Tag::Link { ref dest_url, .. }) => {
                let kept = is_safe(dest_url);
                links.push(kept);
                return kept.then_some(event);
            }
            Event::End(TagEnd::Link) => return links.pop().unwrap_or(true).then_some(event),
            Event::Start(Tag::Image { ref dest_url, .. }) => {
                let kept = is_safe(dest_url);
                images.push(kept);
                return kept.then_some(event);
            }
            Event::End(TagEnd::Image) => return images.pop().unwrap_or(true).then_some(event),
            event => event,
        })
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

/// A heading two levels down, `<h6>` at the lowest.
fn demoted(level: HeadingLevel) -> HeadingLevel {
    HeadingLevel::try_from(level as usize + 2).unwrap_or(HeadingLevel::H6)
}

/// Whether a link's address may be followed: relative (no scheme), or `http`, `https`, `mailto`.
fn is_safe(url: &str) -> bool {
    match url.split_once(':') {
        Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => {
            ["http", "https", "mailto"].contains(&scheme.to_ascii_lowercase().as_str())
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn lines_of_a_paragraph_join_and_a_blank_line_starts_another() {
        assert_eq!(
            to_html("Answers every `hello`\nwith a `bye`.\n\nThen waits."),
            "<p>Answers every <code>hello</code>\nwith a <code>bye</code>.</p>\n<p>Then waits.</p>\n"
        );
    }

    #[test]
    fn code_spans_and_blocks_are_code_with_their_text_escaped() {
        assert_eq!(
            to_html("Takes `Vec<u8>` & more."),
            "<p>Takes <code>Vec&lt;u8&gt;</code> &amp; more.</p>\n"
        );
        assert_eq!(
            to_html("```\nlet a = b < c;\n```"),
            "<pre><code>let a = b &lt; c;\n</code></pre>\n"
        );
    }

    #[test]
    fn lists_emphasis_and_headings() {
        assert_eq!(
            to_html("Two kinds:\n\n- *plain*\n- **bold**\n\n1. one\n2. two"),
            "<p>Two kinds:</p>\n<ul>\n<li><em>plain</em></li>\n<li><strong>bold</strong></li>\n\
             </ul>\n<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n"
        );
        assert_eq!(
            to_html("# Examples\n\n## More"),
            "<h3>Examples</h3>\n<h4>More</h4>\n"
        );
        assert_eq!(to_html("###### Deep"), "<h6>Deep</h6>\n");
    }

    #[test]
    fn links_are_links_unless_their_scheme_could_run_script() {
        assert_eq!(
            to_html("See [the docs](https://docs.rs/rain \"Rain\") and [home](/)."),
            "<p>See <a href=\"https://docs.rs/rain\" title=\"Rain\">the docs</a> and \
             <a href=\"/\">home</a>.</p>\n"
        );
        assert_eq!(
            to_html("[click](javascript:alert(1)) or [this](JavaScript:x) ![x](data:image/png,x)"),
            "<p>click or this x</p>\n"
        );
        assert_eq!(
            to_html("[mail](mailto:a@b.c)"),
            "<p><a href=\"mailto:a@b.c\">mail</a></p>\n"
        );
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        assert_eq!(
            to_html("Talks <b>loudly</b> & <script>alert(1)</script>"),
            "<p>Talks &lt;b&gt;loudly&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
        );
        let block = to_html("<script>\nalert(1)\n</script>\n\nAfter.");
        assert!(!block.contains("<script"), "{block}");
        assert_eq!(
            block,
            "<p>&lt;script&gt;\nalert(1)\n&lt;/script&gt;\n</p>\n<p>After.</p>\n"
        );
        let attribute = to_html("<img src=x onerror=alert(1)>");
        assert!(!attribute.contains("<img"), "{attribute}");
    }

    #[test]
    fn no_text_is_no_html() {
        assert_eq!(to_html(""), "");
    }
}
