//! The sessions' reports the consoles send (`POST /api/v1/reports`): a report is read under its
//! own size limit, checked in full ([`Report::check`]) before anything is stored, and kept once
//! per session and CSR, so a console that resends after a lost answer stores nothing twice. The
//! CSR is the signed-in account, never a name the report claims.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;

use deskside_proto::report::{Report, Stored};

use crate::App;
use crate::api::{ApiError, check, parse, signed_in};
use crate::code::Limit;
use crate::store::Counted;

/// `POST /api/v1/reports` (signed in): a session's report.
pub(crate) async fn add(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Stored>, ApiError> {
    let now = (app.clock)();
    let (account, _) = signed_in(&app, &headers, now).await?;
    let key = account.id.to_string();
    check(&app, Counted::ReportFromCsr, &key, Limit::REPORTS_PER_CSR, now).await?;
    let report: Report = parse(&body)?;
    if let Err(e) = report.check() {
        tracing::warn!(account = account.id, error = %e, "refused a report");
        return Err(ApiError::Bad("bad_report", format!("The session's report is not valid: {e}.")));
    }
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::Internal)?;
    let (id, new) = app.store.add_report(account.id, &account.display_name, &report, text, now).await?;
    app.store.add_attempt(Counted::ReportFromCsr, &key, now).await?;
    tracing::info!(account = account.id, report = id, new, "session report received");
    Ok(Json(Stored { id, new }))
}
