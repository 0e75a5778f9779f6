//! The readable HTML report of one session: self-contained (no scripts, no outside resources),
//! every recorded string escaped.

use std::fmt::Write as _;

use crate::SessionRecord;

/// `s` safe inside HTML text and attribute values (line breaks and tabs kept, for `<pre>`).
#[must_use]
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A time for people: local date and time to the second.
pub(crate) fn when(ms: u64) -> String {
    i64::try_from(ms)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map_or_else(|| "?".into(), |d| d.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string())
}

/// The report.
pub(crate) fn html(r: &SessionRecord) -> String {
    let s = &r.summary;
    let mut h = String::new();
    let title = if s.tracking_code.is_empty() {
        format!("{} session, {}", s.session_type, when(s.started_ms))
    } else {
        format!("{} session {}, {}", s.session_type, s.tracking_code, when(s.started_ms))
    };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <title>{}</title><style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}}\
         table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.3em;text-align:left;vertical-align:top}}\
         pre{{white-space:pre-wrap;font-family:inherit}}</style></head><body>\n<h1>{}</h1>\n<table>",
        escape_html(&title),
        escape_html(&title)
    );
    let ended = s.ended_ms.map_or_else(|| "not ended".to_owned(), when);
    for (k, v) in [
        ("Session type", s.session_type.clone()),
        ("Tracking code", s.tracking_code.clone()),
        ("Support representative", s.csr_name.clone()),
        ("Started", when(s.started_ms)),
        ("Ended", ended),
        ("Outcome", s.outcome.label().to_owned()),
        ("Session id", s.uid.clone()),
    ] {
        let _ = write!(h, "<tr><th>{}</th><td>{}</td></tr>", escape_html(k), escape_html(&v));
    }
    h.push_str(
        "</table>\n<h2>Participants</h2>\n<table><tr><th>Name</th><th>Role</th><th>Joined</th><th>Left</th></tr>",
    );
    for p in &r.participants {
        let left = p.left_ms.map_or_else(String::new, when);
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape_html(&p.name),
            escape_html(&p.role),
            when(p.joined_ms),
            left
        );
    }
    h.push_str("</table>\n<h2>Consent</h2>\n");
    if r.consents.is_empty() {
        h.push_str("<p>Nothing was asked for.</p>\n");
    } else {
        h.push_str("<table><tr><th>Time</th><th>Who</th><th>What</th><th>Answer</th></tr>");
        for c in &r.consents {
            let who = r.participants.iter().find(|p| p.participant == c.participant).map_or("?", |p| p.name.as_str());
            let answer = if c.granted { "granted" } else { "refused or stopped" };
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{answer}</td></tr>",
                when(c.at_ms),
                escape_html(who),
                escape_html(&c.capability)
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("<h2>Chat</h2>\n");
    if r.chat.is_empty() {
        h.push_str("<p>No messages.</p>\n");
    } else {
        h.push_str("<table><tr><th>Time</th><th>From</th><th>To</th><th>Message</th></tr>");
        for c in &r.chat {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td><pre>{}</pre></td></tr>",
                when(c.at_ms),
                escape_html(&c.from_name),
                escape_html(&c.to_label),
                escape_html(&c.text)
            );
        }
        h.push_str("</table>\n");
    }
    if !r.files.is_empty() {
        h.push_str("<h2>Files</h2>\n<table><tr><th>Time</th><th>Name</th><th>Size</th><th>Direction</th><th>Who</th><th>Outcome</th><th>SHA-256</th></tr>");
        for f in &r.files {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                when(f.at_ms),
                escape_html(&f.name),
                f.size,
                escape_html(&f.direction),
                escape_html(&f.who),
                escape_html(&f.outcome),
                escape_html(&f.sha256)
            );
        }
        h.push_str("</table>\n");
    }
    for inv in &r.inventories {
        let _ = writeln!(h, "<h2>System information from {}, {}</h2>", escape_html(&inv.name), when(inv.at_ms));
        h.push_str(&inventory_tables(&inv.inventory));
    }
    let _ = write!(
        h,
        "<h2>Notes</h2>\n<pre>{}</pre>\n<h2>End-of-session notes</h2>\n<pre>{}</pre>\n</body></html>\n",
        escape_html(&r.notes),
        escape_html(&r.end_notes)
    );
    h
}

/// An inventory's sections as HTML tables, read as plain JSON (`{"sections": [{"kind": ..,
/// "rows": [[..], ..]}]}`) so the history needs no knowledge of the protocol; every cell escaped.
pub fn inventory_tables(inv: &serde_json::Value) -> String {
    let mut h = String::new();
    let Some(sections) = inv.get("sections").and_then(|s| s.as_array()) else {
        return "<p>(unreadable)</p>\n".into();
    };
    for section in sections {
        let kind = section.get("kind").and_then(|k| k.as_str()).unwrap_or("?");
        let _ = write!(h, "<h3>{}</h3>\n<table>", escape_html(kind));
        for row in section.get("rows").and_then(|r| r.as_array()).into_iter().flatten() {
            h.push_str("<tr>");
            for cell in row.as_array().into_iter().flatten() {
                let _ = write!(h, "<td>{}</td>", escape_html(cell.as_str().unwrap_or("")));
            }
            h.push_str("</tr>");
        }
        h.push_str("</table>\n");
    }
    h
}

#[cfg(test)]
mod tests {
    use super::escape_html;

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(
            escape_html("<script>alert('x')&\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&amp;&quot;&lt;/script&gt;"
        );
        assert_eq!(escape_html("a\u{1b}[31mb\nc"), "a\u{fffd}[31mb\nc");
    }
}
