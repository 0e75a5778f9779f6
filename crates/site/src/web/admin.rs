//! The administrator's pages: the session types (what each allows, whether a tracking code is
//! required; archived when no longer offered), the organisation (its name and address as
//! customers see them, how long reports are kept) and the audit log of every admin action.
//! Only an administrator's sign-in opens them; every change needs the sign-in's form token and
//! lands in the audit log.

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use deskside_proto::cert::{Tool, Tools};

use super::auth::{Signed, field, fields, form_token_matches, organisation, same_origin, signed};
use super::{Words, message, page, see_other, words_for};
use crate::App;
use crate::store::{Organisation, Role, StoreError};

/// Longest session type name.
const MAX_TYPE_NAME_CHARS: usize = 100;

/// A session type as the page lists it.
pub(crate) struct TypeRow {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) tracking: bool,
    pub(crate) tools: String,
}

/// A tool as the form offers it.
pub(crate) struct ToolBox {
    pub(crate) key: &'static str,
    pub(crate) name: String,
}

#[derive(Template)]
#[template(path = "types.html")]
struct TypesPage {
    w: Words,
    organisation: String,
    csrf: String,
    who: String,
    types: Vec<TypeRow>,
    tools: Vec<ToolBox>,
    name: String,
    notice: Option<String>,
    error: Option<String>,
}

/// An audit log entry as the page shows it.
pub(crate) struct AuditRow {
    pub(crate) when: String,
    pub(crate) who: String,
    pub(crate) action: String,
    pub(crate) detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    w: Words,
    organisation: String,
    csrf: String,
    who: String,
    entries: Vec<AuditRow>,
}

fn tool_name(w: &Words, tool: Tool) -> String {
    w.t(&format!("site-tool-{}", tool.key().replace('_', "-")))
}

/// The administrator signed in, or the page to answer instead (sign in; not for CSRs).
pub(crate) async fn admin(app: &App, headers: &HeaderMap) -> Result<(Signed, String), Response> {
    let org = organisation(app).await;
    match signed(app, headers, (app.clock)()).await {
        Ok(Some(s)) if s.account.role == Role::Admin => Ok((s, org)),
        Ok(Some(s)) => {
            tracing::warn!(account = s.account.id, "refused: the admin pages are for administrators");
            Err(message(StatusCode::FORBIDDEN, words_for(headers), org, "site-web-admins-only"))
        }
        Ok(None) => Err(see_other("/admin/sign-in")),
        Err(_) => Err(message(StatusCode::INTERNAL_SERVER_ERROR, words_for(headers), org, "site-web-problem")),
    }
}

/// The administrator and the fields of the form they sent, once its form token and origin are
/// checked (or the page to answer instead).
pub(crate) async fn admin_form(
    app: &App,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<((Signed, String), Vec<(String, String)>), Response> {
    let (s, org) = admin(app, headers).await?;
    let form = fields(body);
    if !same_origin(headers) || !form_token_matches(&s, field(&form, "csrf")) {
        tracing::warn!(account = s.account.id, "refused a form without this sign-in's form token");
        return Err(message(StatusCode::FORBIDDEN, words_for(headers), org, "site-web-stale-form"));
    }
    Ok(((s, org), form))
}

async fn types_form(
    app: &App,
    w: Words,
    (s, organisation): (Signed, String),
    name: String,
    notice: Option<String>,
    error: Option<(StatusCode, String)>,
) -> Response {
    let Ok(types) = app.store.session_types(false).await else {
        return message(StatusCode::INTERNAL_SERVER_ERROR, w, organisation, "site-web-problem");
    };
    let types = types
        .into_iter()
        .map(|t| TypeRow {
            id: t.id,
            name: t.name,
            tracking: t.tracking_required,
            tools: t.tools.iter().map(|k| tool_name(&w, k)).collect::<Vec<_>>().join(", "),
        })
        .collect();
    let tools = Tool::ALL.into_iter().map(|t| ToolBox { key: t.key(), name: tool_name(&w, t) }).collect();
    let (status, error) = error.map_or((StatusCode::OK, None), |(s, e)| (s, Some(e)));
    let who = s.account.display_name.clone();
    page(status, &TypesPage { w, organisation, csrf: s.csrf, who, types, tools, name, notice, error })
}

/// `GET /admin`: the session types.
pub(crate) async fn types_page(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let signed = match admin(&app, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    types_form(&app, words_for(&headers), signed, String::new(), None, None).await
}

/// `POST /admin/session-types` (`csrf`, `name`, `tracking`, `tool`…): adds a session type.
pub(crate) async fn add_type(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let ((s, org), form) = match admin_form(&app, &headers, &body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let w = words_for(&headers);
    let name = field(&form, "name").unwrap_or("").trim().to_owned();
    let tracking = field(&form, "tracking").is_some();
    let mut tools = Tools::NONE;
    let mut unknown = false;
    for (_, key) in form.iter().filter(|(k, _)| k == "tool") {
        match Tool::from_key(key) {
            Some(t) => tools = tools.with(t),
            None => unknown = true,
        }
    }
    let bad = |id: &str| Some((StatusCode::BAD_REQUEST, w.t(id)));
    let error =
        if name.is_empty() || name.chars().count() > MAX_TYPE_NAME_CHARS || !deskside_proto::is_valid_label(&name) {
            bad("site-web-type-bad-name")
        } else if unknown {
            bad("site-web-type-bad-tool")
        } else if tools == Tools::NONE {
            bad("site-web-type-no-tools")
        } else if app.store.session_types(false).await.is_ok_and(|t| t.iter().any(|t| t.name == name)) {
            bad("site-web-type-taken")
        } else {
            None
        };
    if error.is_some() {
        let kept = name.chars().take(MAX_TYPE_NAME_CHARS).collect();
        return types_form(&app, w, (s, org), kept, None, error).await;
    }
    let now = (app.clock)();
    if let Err(e) = app.store.add_session_type(&name, tracking, tools, Some(s.account.id), now).await {
        tracing::error!(error = %e, "store");
        return message(StatusCode::INTERNAL_SERVER_ERROR, w, org, "site-web-problem");
    }
    tracing::info!(account = s.account.id, "session type added");
    let notice = w.with("site-web-type-added", &[("name", name.as_str().into())]);
    types_form(&app, w, (s, org), String::new(), Some(notice), None).await
}

/// `POST /admin/session-types/{id}` (`csrf`, `do=archive`): offers the type no more.
pub(crate) async fn change_type(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ((s, org), form) = match admin_form(&app, &headers, &body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let w = words_for(&headers);
    let Some(id) = id.parse::<i64>().ok().filter(|_| field(&form, "do") == Some("archive")) else {
        let e = Some((StatusCode::BAD_REQUEST, w.t("site-web-account-bad-action")));
        return types_form(&app, w, (s, org), String::new(), None, e).await;
    };
    let name = app.store.session_type(id).await.ok().flatten().map(|t| t.name).unwrap_or_default();
    match app.store.archive_session_type(id, Some(s.account.id), (app.clock)()).await {
        Ok(()) => {
            tracing::info!(account = s.account.id, session_type = id, "session type archived");
            let notice = w.with("site-web-type-archived", &[("name", name.as_str().into())]);
            types_form(&app, w, (s, org), String::new(), Some(notice), None).await
        }
        Err(StoreError::Refused(_)) => {
            let e = Some((StatusCode::CONFLICT, w.t("site-web-type-last")));
            types_form(&app, w, (s, org), String::new(), None, e).await
        }
        Err(e) => {
            tracing::error!(error = %e, "store");
            message(StatusCode::INTERNAL_SERVER_ERROR, w, org, "site-web-problem")
        }
    }
}

#[derive(Template)]
#[template(path = "organisation.html")]
struct OrganisationPage {
    w: Words,
    organisation: String,
    csrf: String,
    who: String,
    name: String,
    address: String,
    retention: String,
    relays: String,
    token: String,
    notice: Option<String>,
    error: Option<String>,
}

/// What the organisation form holds, as typed: name, address, retention, relays, token.
type OrgFields = (String, String, String, String, String);

/// Longest retention an administrator may set, days (ten years).
pub const MAX_RETENTION_DAYS: u32 = 3650;

async fn organisation_form(
    app: &App,
    w: Words,
    (s, organisation): (Signed, String),
    typed: Option<OrgFields>,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let (name, address, retention, relays, token) = if let Some(t) = typed {
        t
    } else {
        let org = app.store.organisation().await.ok().flatten();
        let days = app.store.retention_days().await.unwrap_or(0);
        let (Some(org), Ok(relays)) = (org, app.store.relays().await) else {
            return message(StatusCode::INTERNAL_SERVER_ERROR, w, organisation, "site-web-problem");
        };
        (org.name, org.site_address, days.to_string(), relays.urls.join("\n"), relays.token)
    };
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let who = s.account.display_name.clone();
    let p =
        OrganisationPage { w, organisation, csrf: s.csrf, who, name, address, retention, relays, token, notice, error };
    page(status, &p)
}

/// `GET /admin/organisation`: the organisation's name and address, and how long reports are kept.
pub(crate) async fn organisation_page(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    match admin(&app, &headers).await {
        Ok(signed) => organisation_form(&app, words_for(&headers), signed, None, None, None).await,
        Err(r) => r,
    }
}

/// `POST /admin/organisation` (`csrf`, `name`, `address`, `retention`).
pub(crate) async fn set_organisation(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let ((s, org), form) = match admin_form(&app, &headers, &body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let w = words_for(&headers);
    let take = |k: &str, n: usize| field(&form, k).unwrap_or("").trim().chars().take(n).collect::<String>();
    let (name, address, retention) = (take("name", 200), take("address", 200), take("retention", 200));
    let (relays, token) = (take("relays", 1000), take("token", 200));
    let days = retention.parse::<u32>().ok().filter(|d| *d <= MAX_RETENTION_DAYS);
    let list = deskside_proto::site::RelayList {
        urls: relays.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect(),
        token: token.clone(),
    };
    let error = if !crate::valid_organisation_name(&name) {
        Some("site-web-org-bad-name")
    } else if !crate::valid_site_address(&address) {
        Some("site-web-org-bad-address")
    } else if days.is_none() {
        Some("site-web-org-bad-retention")
    } else if list.urls.len() > deskside_proto::invite::MAX_RELAYS
        || !list.urls.iter().all(|u| deskside_proto::invite::is_valid_relay_url(u))
    {
        Some("site-web-org-bad-relays")
    } else if !list.is_valid() {
        Some("site-web-org-bad-token")
    } else {
        None
    };
    if let Some(id) = error {
        let e = w.t(id);
        let typed = (name, address, retention, relays, token);
        return organisation_form(&app, w, (s, org), Some(typed), None, Some(e)).await;
    }
    let now = (app.clock)();
    let new = Organisation { name: name.clone(), site_address: address.trim_end_matches('/').to_owned() };
    if let Err(e) = app.store.set_organisation(&new, days.unwrap_or(0), &list, s.account.id, now).await {
        tracing::error!(error = %e, "store");
        return message(StatusCode::INTERNAL_SERVER_ERROR, w, org, "site-web-problem");
    }
    // Reports past a shorter retention go at once, not at the next hourly sweep.
    match app.store.apply_retention(now).await {
        Ok(n) if n > 0 => tracing::info!(removed = n, "session reports past their retention removed"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "retention"),
    }
    tracing::info!(account = s.account.id, "organisation changed");
    let notice = Some(w.t("site-web-org-saved"));
    organisation_form(&app, w, (s, name), None, notice, None).await
}

/// `GET /admin/audit`: the newest 500 entries of the audit log.
pub(crate) async fn audit_page(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let (s, organisation) = match admin(&app, &headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let w = words_for(&headers);
    let Ok(log) = app.store.audit_entries(500).await else {
        return message(StatusCode::INTERNAL_SERVER_ERROR, w, organisation, "site-web-problem");
    };
    let system = w.t("site-web-audit-system");
    let entries = log
        .into_iter()
        .map(|(at, who, action, detail)| AuditRow {
            when: super::utc(at),
            who: who.unwrap_or_else(|| system.clone()),
            action,
            detail,
        })
        .collect();
    let who = s.account.display_name.clone();
    page(StatusCode::OK, &AuditPage { w, organisation, csrf: s.csrf, who, entries })
}
