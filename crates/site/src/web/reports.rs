//! The sessions' reports, for administrators: every session of the team, searched by CSR,
//! customer, tracking code, type and date, counted per CSR and per type, each opened with its
//! participants, consents, chat, files and notes, and exported as CSV or JSON. An export of
//! customers' data is written in the audit log.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use deskside_proto::report::Report;

use super::admin::admin;
use super::{Words, message, page, secure, words_for};
use crate::App;
use crate::store::{ReportQuery, ReportRow};

/// Most reports the list shows.
pub const MAX_LISTED: u32 = 200;
/// Most reports a CSV export holds.
pub const MAX_CSV: u32 = 10_000;
/// Most reports a JSON export holds (each with its whole chat).
pub const MAX_JSON: u32 = 1_000;
/// Longest text searched for.
const MAX_TERM_CHARS: usize = 100;

/// The search as the form sends it (`?csr=&customer=&tracking=&type=&from=&until=`).
#[derive(Default)]
pub(crate) struct Filter {
    pub(crate) csr: String,
    pub(crate) customer: String,
    pub(crate) tracking: String,
    pub(crate) kind: String,
    pub(crate) from: String,
    pub(crate) until: String,
}

impl Filter {
    fn parse(query: Option<&str>) -> Filter {
        let mut f = Filter::default();
        for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()).take(16) {
            let v: String = v.trim().chars().filter(|c| !c.is_control()).take(MAX_TERM_CHARS).collect();
            match k.as_ref() {
                "csr" => f.csr = v,
                "customer" => f.customer = v,
                "tracking" => f.tracking = v,
                "type" => f.kind = v,
                "from" => f.from = v,
                "until" => f.until = v,
                _ => {}
            }
        }
        f
    }

    /// The store's query, or the message id of a date that is not a date.
    fn query(&self) -> Result<ReportQuery, &'static str> {
        let day = |s: &str| -> Result<Option<u64>, &'static str> {
            if s.is_empty() {
                return Ok(None);
            }
            let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| "site-web-reports-bad-date")?;
            let ms =
                d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).ok_or("site-web-reports-bad-date")?;
            Ok(Some(u64::try_from(ms).unwrap_or(0)))
        };
        Ok(ReportQuery {
            csr: self.csr.clone(),
            customer: self.customer.clone(),
            tracking: self.tracking.clone(),
            session_type: self.kind.clone(),
            from_ms: day(&self.from)?,
            // The last day searched is included.
            until_ms: day(&self.until)?.map(|d| d + 86_400_000),
        })
    }

    /// The search again, as a query string for the export links.
    pub(crate) fn to_query(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("csr", &self.csr)
            .append_pair("customer", &self.customer)
            .append_pair("tracking", &self.tracking)
            .append_pair("type", &self.kind)
            .append_pair("from", &self.from)
            .append_pair("until", &self.until)
            .finish()
    }
}

/// A report as the list shows it.
pub(crate) struct Line {
    pub(crate) id: i64,
    pub(crate) when: String,
    pub(crate) csr: String,
    pub(crate) customers: String,
    pub(crate) kind: String,
    pub(crate) tracking: String,
    pub(crate) minutes: u64,
    pub(crate) outcome: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    w: Words,
    organisation: String,
    csrf: String,
    who: String,
    filter: Filter,
    query: String,
    lines: Vec<Line>,
    total_words: String,
    more_words: Option<String>,
    per_csr: Vec<(String, u64)>,
    per_type: Vec<(String, u64)>,
    error: Option<String>,
}

/// A line of one of the report's tables, as the page shows it.
pub(crate) struct Cells(pub(crate) Vec<String>);

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    w: Words,
    organisation: String,
    csrf: String,
    who: String,
    row: Line,
    ended: String,
    participants: Vec<Cells>,
    consents: Vec<Cells>,
    chat: Vec<Cells>,
    files: Vec<Cells>,
    notes: String,
    end_notes: String,
}

fn outcome_words(w: &Words, outcome: &str) -> String {
    w.t(if outcome == "ended" { "site-web-reports-ended" } else { "site-web-reports-ended-unexpectedly" })
}

fn line(w: &Words, r: ReportRow) -> Line {
    Line {
        id: r.id,
        when: super::utc(r.started_ms / 1000),
        csr: r.csr_name,
        customers: r.customers.join(", "),
        kind: r.session_type,
        tracking: r.tracking_code,
        minutes: r.ended_ms.saturating_sub(r.started_ms).div_ceil(60_000),
        outcome: outcome_words(w, &r.outcome),
    }
}

/// `at_ms` to the second, for a report's events.
fn utc_s(at_ms: u64) -> String {
    i64::try_from(at_ms)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map_or_else(|| "?".into(), |d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string())
}

/// `GET /admin/reports`: the search, its counts and the newest matching reports.
pub(crate) async fn list(State(app): State<Arc<App>>, RawQuery(raw): RawQuery, headers: HeaderMap) -> Response {
    let (s, organisation) = match admin(&app, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let w = words_for(&headers);
    let filter = Filter::parse(raw.as_deref());
    let again = filter.to_query();
    let who = s.account.display_name.clone();
    let mut view = ReportsPage {
        w,
        organisation,
        csrf: s.csrf,
        who,
        filter,
        query: again,
        lines: Vec::new(),
        total_words: String::new(),
        more_words: None,
        per_csr: Vec::new(),
        per_type: Vec::new(),
        error: None,
    };
    let query = match view.filter.query() {
        Ok(q) => q,
        Err(id) => {
            view.error = Some(view.w.t(id));
            return page(StatusCode::BAD_REQUEST, &view);
        }
    };
    let found = async {
        let listed = app.store.reports(&query, MAX_LISTED).await?;
        Ok::<_, crate::store::StoreError>((listed, app.store.report_counts(&query).await?))
    };
    match found.await {
        Ok(((rows, total), (per_csr, per_type))) => {
            view.lines = rows.into_iter().map(|r| line(&view.w, r)).collect();
            view.total_words = view.w.with("site-web-reports-total", &[("count", total.into())]);
            let shown = view.lines.len() as u64;
            view.more_words = (total > shown).then(|| view.w.with("site-web-reports-more", &[("shown", shown.into())]));
            (view.per_csr, view.per_type) = (per_csr, per_type);
            page(StatusCode::OK, &view)
        }
        Err(e) => {
            tracing::error!(error = %e, "store");
            message(StatusCode::INTERNAL_SERVER_ERROR, view.w, view.organisation, "site-web-problem")
        }
    }
}

/// `GET /admin/reports/{id}`: one session's report.
pub(crate) async fn one(State(app): State<Arc<App>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let (s, organisation) = match admin(&app, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let w = words_for(&headers);
    let found = match id.parse::<i64>() {
        Ok(id) => app.store.report(id).await,
        Err(_) => Ok(None),
    };
    let (row, body) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return message(StatusCode::NOT_FOUND, w, organisation, "site-web-reports-none"),
        Err(e) => {
            tracing::error!(error = %e, "store");
            return message(StatusCode::INTERNAL_SERVER_ERROR, w, organisation, "site-web-problem");
        }
    };
    let Ok(report) = serde_json::from_str::<Report>(&body) else {
        tracing::error!(report = row.id, "a stored report does not read back");
        return message(StatusCode::INTERNAL_SERVER_ERROR, w, organisation, "site-web-problem");
    };
    let name = |n: u32| {
        report.participants.iter().find(|p| p.participant == n).map_or_else(|| format!("#{n}"), |p| p.name.clone())
    };
    let (granted, revoked) = (w.t("site-web-reports-granted"), w.t("site-web-reports-revoked"));
    let participants = report
        .participants
        .iter()
        .map(|p| {
            Cells(vec![p.name.clone(), p.role.clone(), utc_s(p.joined_ms), p.left_ms.map(utc_s).unwrap_or_default()])
        })
        .collect();
    let consents = report
        .consents
        .iter()
        .map(|c| {
            let what = if c.granted { granted.clone() } else { revoked.clone() };
            Cells(vec![utc_s(c.at_ms), name(c.participant), c.capability.clone(), what])
        })
        .collect();
    let chat = report
        .chat
        .iter()
        .map(|c| Cells(vec![utc_s(c.at_ms), c.from_name.clone(), c.to_label.clone(), c.text.clone()]))
        .collect();
    let files = report
        .files
        .iter()
        .map(|f| {
            Cells(vec![
                utc_s(f.at_ms),
                f.name.clone(),
                f.size.to_string(),
                f.direction.clone(),
                f.who.clone(),
                f.outcome.clone(),
                f.sha256.clone(),
            ])
        })
        .collect();
    let ended = utc_s(row.ended_ms);
    let row = line(&w, row);
    let who = s.account.display_name.clone();
    let (notes, end_notes) = (report.notes, report.end_notes);
    let p = ReportPage {
        w,
        organisation,
        csrf: s.csrf,
        who,
        row,
        ended,
        participants,
        consents,
        chat,
        files,
        notes,
        end_notes,
    };
    page(StatusCode::OK, &p)
}

/// A CSV cell: quoted, and a text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`)
/// kept as text.
fn cell(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() };
    format!("\"{}\"", guarded.replace('"', "\"\""))
}

fn download(body: String, content_type: &'static str, name: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static(name));
    secure(h);
    r
}

/// `GET /admin/reports.csv`: the search's reports, one line each.
pub(crate) async fn export_csv(State(app): State<Arc<App>>, RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    export(&app, q.as_deref(), &headers, true).await
}

/// `GET /admin/reports.json`: the search's reports, whole.
pub(crate) async fn export_json(State(app): State<Arc<App>>, RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    export(&app, q.as_deref(), &headers, false).await
}

async fn export(app: &App, q: Option<&str>, headers: &HeaderMap, csv: bool) -> Response {
    let (s, organisation) = match admin(app, headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let w = words_for(headers);
    let filter = Filter::parse(q);
    let Ok(query) = filter.query() else {
        return message(StatusCode::BAD_REQUEST, w, organisation, "site-web-reports-bad-date");
    };
    let made = if csv { csv_export(app, &query).await } else { json_export(app, &query).await };
    let (body, count) = match made {
        Ok(made) => made,
        Err(e) => {
            tracing::error!(error = %e, "store");
            return message(StatusCode::INTERNAL_SERVER_ERROR, w, organisation, "site-web-problem");
        }
    };
    let detail = format!("{count} report(s) as {}, search: {}", if csv { "CSV" } else { "JSON" }, filter.to_query());
    if let Err(e) = app.store.audit((app.clock)(), Some(s.account.id), "reports exported", &detail).await {
        tracing::error!(error = %e, "store");
        return message(StatusCode::INTERNAL_SERVER_ERROR, w, organisation, "site-web-problem");
    }
    tracing::info!(account = s.account.id, count, "reports exported");
    if csv {
        download(body, "text/csv; charset=utf-8", "attachment; filename=\"deskside-reports.csv\"")
    } else {
        download(body, "application/json", "attachment; filename=\"deskside-reports.json\"")
    }
}

async fn csv_export(app: &App, q: &ReportQuery) -> Result<(String, usize), crate::store::StoreError> {
    let (rows, _) = app.store.reports(q, MAX_CSV).await?;
    let mut out = String::from("id,session,started_utc,ended_utc,csr,customers,session_type,tracking_code,outcome\r\n");
    for r in &rows {
        let fields = [
            r.id.to_string(),
            r.uid.clone(),
            utc_s(r.started_ms),
            utc_s(r.ended_ms),
            r.csr_name.clone(),
            r.customers.join("; "),
            r.session_type.clone(),
            r.tracking_code.clone(),
            r.outcome.clone(),
        ];
        out.push_str(&fields.iter().map(|f| cell(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    Ok((out, rows.len()))
}

async fn json_export(app: &App, q: &ReportQuery) -> Result<(String, usize), crate::store::StoreError> {
    let rows = app.store.report_bodies(q, MAX_JSON).await?;
    let total = app.store.reports(q, 0).await?.1;
    let reports: Vec<serde_json::Value> = rows
        .iter()
        .map(|(r, body)| {
            serde_json::json!({
                "id": r.id,
                "csr_name": r.csr_name,
                "report": serde_json::from_str::<serde_json::Value>(body).unwrap_or(serde_json::Value::Null),
            })
        })
        .collect();
    let count = reports.len();
    let doc = serde_json::json!({ "matching": total, "truncated": total > count as u64, "reports": reports });
    Ok((serde_json::to_string_pretty(&doc).unwrap_or_default(), count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(cell("Ana \"the\" customer"), "\"Ana \"\"the\"\" customer\"");
        assert_eq!(cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
        assert_eq!(cell("-1+2"), "\"'-1+2\"");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
    }

    #[test]
    fn searches_read_from_the_address_with_their_dates() {
        let f = Filter::parse(Some("csr=Sam&customer=%27%20OR%201%3D1&from=2026-12-01&until=2026-12-01&x=1"));
        let q = f.query().unwrap();
        assert_eq!((q.csr.as_str(), q.customer.as_str()), ("Sam", "' OR 1=1"));
        assert_eq!(q.until_ms.unwrap() - q.from_ms.unwrap(), 86_400_000, "the last day is included");
        assert!(Filter::parse(Some("from=yesterday")).query().is_err());
        let long = format!("csr={}", "a".repeat(10_000));
        assert_eq!(Filter::parse(Some(&long)).csr.len(), MAX_TERM_CHARS);
    }
}
