//! The site's pages for people (askama templates, server-rendered, no script): signing in with a
//! cookie, the administrator's pages (`admin`, `accounts`), the sessions' reports (`reports`)
//! and the customer's code pages (`public`), in English or Spanish by the browser's language.
//!
//! Every page is sent with a strict Content-Security-Policy (nothing but the site's own style
//! sheet; no script, no frame, forms only to the site), every value a template shows is escaped,
//! and every form carries the sign-in's form token (`auth`), checked before anything changes.

mod accounts;
mod admin;
mod auth;
mod public;
mod reports;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use deskside_i18n::Lang;

use crate::App;

/// The pages' routes.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(public::front))
        .route("/join", get(public::join))
        .route("/download/{system}/{code}", get(public::download))
        .route("/admin", get(admin::types_page))
        .route("/admin/sign-in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/admin/sign-out", post(auth::sign_out))
        .route("/admin/session-types", post(admin::add_type))
        .route("/admin/session-types/{id}", post(admin::change_type))
        .route("/admin/organisation", get(admin::organisation_page).post(admin::set_organisation))
        .route("/admin/audit", get(admin::audit_page))
        .route("/admin/accounts", get(accounts::accounts_page).post(accounts::add))
        .route("/admin/accounts/{id}", post(accounts::change))
        .route("/admin/set-password", get(accounts::set_password_page).post(accounts::set_password))
        .route("/admin/reports", get(reports::list))
        .route("/admin/reports/{id}", get(reports::one))
        .route("/admin/reports.csv", get(reports::export_csv))
        .route("/admin/reports.json", get(reports::export_json))
        .route("/admin/style.css", get(style))
}

/// The words of a page, in its reader's language.
pub(crate) struct Words(Lang);

impl Words {
    /// The message `id`.
    pub(crate) fn t(&self, id: &str) -> String {
        deskside_i18n::tr_in(self.0, id, &[])
    }

    /// The message `id` with its variables.
    pub(crate) fn with(&self, id: &str, args: &[(&str, deskside_i18n::Value)]) -> String {
        deskside_i18n::tr_in(self.0, id, args)
    }

    /// The page's language tag.
    pub(crate) fn lang(&self) -> &'static str {
        self.0.code()
    }
}

/// The reader's language: the first of `Accept-Language` the site speaks, else English.
pub(crate) fn words_for(headers: &HeaderMap) -> Words {
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let first = accept.split(',').take(8).map(|l| l.split(';').next().unwrap_or("").trim()).find(|l| !l.is_empty());
    Words(first.map_or(Lang::En, Lang::from_locale))
}

/// A rendered page with the pages' security headers.
pub(crate) fn page(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => {
            let mut r = (status, html).into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            secure(h);
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "a page did not render");
            (StatusCode::INTERNAL_SERVER_ERROR, "The support site had a problem.").into_response()
        }
    }
}

/// The headers every page and redirect carries.
pub(crate) fn secure(h: &mut HeaderMap) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// A redirect after a form (303: the browser follows with GET).
pub(crate) fn see_other(to: &'static str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    r.headers_mut().insert(header::LOCATION, HeaderValue::from_static(to));
    secure(r.headers_mut());
    r
}

/// A page that only says something: a refusal, a problem.
#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct Message {
    pub(crate) w: Words,
    pub(crate) organisation: String,
    pub(crate) csrf: String,
    pub(crate) who: String,
    pub(crate) title: String,
    pub(crate) text: String,
}

/// The message page for `status` with the title and text of `id` (`<id>-title`, `<id>`).
pub(crate) fn message(status: StatusCode, w: Words, organisation: String, id: &str) -> Response {
    let (title, text) = (w.t(&format!("{id}-title")), w.t(id));
    page(status, &Message { w, organisation, csrf: String::new(), who: String::new(), title, text })
}

async fn style() -> Response {
    let mut r = include_str!("../../templates/style.css").into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    r.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    r
}

/// `at_s` as a UTC date and time, `2026-12-03 09:41 UTC` (chrono, as the console's
/// `exports::date_time` formats its dates).
pub(crate) fn utc(at_s: u64) -> String {
    i64::try_from(at_s)
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        .map_or_else(|| "?".into(), |d| d.format("%Y-%m-%d %H:%M UTC").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_languages() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_795_615_500), "2026-11-25 14:05 UTC");
        let mut h = HeaderMap::new();
        assert_eq!(words_for(&h).lang(), "en");
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("es-MX,es;q=0.9,en;q=0.8"));
        assert_eq!(words_for(&h).lang(), "es");
        h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("fr-FR, es;q=0.5"));
        assert_eq!(words_for(&h).lang(), "en");
    }
}
