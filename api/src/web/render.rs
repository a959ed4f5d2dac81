//! HTML for the public pages: escaping, the common layout (no inline script or style: the CSP
//! allows only this server's files) and the error pages.

use std::fmt::Write as _;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::assets;

/// `text` safe inside HTML text and double-quoted attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
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

/// A whole page: the title in both languages, the stylesheet, the page script when `script`, and
/// `body` (already HTML).
pub(crate) fn layout(title_th: &str, title_en: &str, script: bool, body: &str) -> String {
    let mut html = String::with_capacity(body.len() + 1024);
    html.push_str("<!doctype html>\n<html lang=\"th\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    html.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    let _ = writeln!(html, "<title>{} · {}</title>", escape(title_th), escape(title_en));
    let _ = writeln!(html, "<link rel=\"stylesheet\" href=\"{}\">", assets::PAGE_CSS);
    if script {
        let _ = writeln!(html, "<script src=\"{}\" defer></script>", assets::VERIFY_JS);
    }
    html.push_str("</head>\n<body>\n<header><p class=\"brand\">egp-chain · e-GP <span lang=\"en\">guarantee register</span></p></header>\n");
    html.push_str(body);
    html.push_str(
        "<footer>\n<p>ข้อมูลในหน้านี้อ่านจากสำเนาของบล็อกเชน egp-chain ไม่มีเลขประจำตัวผู้เสียภาษีหรือข้อมูลส่วนบุคคล</p>\n\
         <p lang=\"en\">Read from egp-chain's mirror of the consortium chain. No tax id or personal data is shown.</p>\n</footer>\n",
    );
    html.push_str("</body>\n</html>\n");
    html
}

/// An HTML page response that no cache keeps (its facts change with the chain).
pub(crate) fn html(status: StatusCode, page: String) -> Response {
    let mut response = (status, page).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A message as a sentence for people: its first letter capital.
pub(crate) fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// An error page: what went wrong in both languages, and the value at fault (escaped).
pub(crate) fn error_page(status: StatusCode, th: &str, en: &str, value: Option<&str>) -> Response {
    let mut body = String::from("<main>\n<section class=\"card status bad\">\n");
    let _ = writeln!(
        body,
        "<p class=\"label\">{} · HTTP {}</p>",
        status.as_u16(),
        escape(status.canonical_reason().unwrap_or(""))
    );
    let _ = writeln!(
        body,
        "<h1 id=\"problem\">{}<span class=\"en\" lang=\"en\">{}</span></h1>",
        escape(th),
        escape(&sentence(en))
    );
    if let Some(value) = value {
        let shown: String = value.chars().take(100).collect();
        let _ = writeln!(body, "<p class=\"mono\" id=\"value\">{}</p>", escape(&shown));
    }
    body.push_str("</section>\n</main>\n");
    html(status, layout(th, en, false, &body))
}

/// A definition list row: the label in both languages and the value (already HTML).
pub(crate) fn field(out: &mut String, id: &str, th: &str, en: &str, value_html: &str) {
    let _ = writeln!(
        out,
        "<div><dt>{}<span class=\"en\" lang=\"en\">{}</span></dt><dd id=\"{id}\">{value_html}</dd></div>",
        escape(th),
        escape(en)
    );
}

/// A value in both languages, as HTML: Thai, then English beneath.
pub(crate) fn both(th: &str, en: &str) -> String {
    if th == en {
        return escape(th);
    }
    format!("{}<span class=\"en\" lang=\"en\">{}</span>", escape(th), escape(en))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_values_is_escaped() {
        assert_eq!(
            escape(r#"<script>"a" & 'b'</script>"#),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }
}
