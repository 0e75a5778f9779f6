//! Signing in to the pages: the same accounts, passwords and limits as the consoles' sign-in,
//! then a fresh random token in a cookie (`HttpOnly`, `SameSite=Strict`, `Secure` unless the
//! site was started for plain HTTP) and a form token that every form carries. A token the
//! browser brings is believed only if the site made it and it is live, so one planted before
//! the sign-in (session fixation) is never taken over: the sign-in always makes a new one.

use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::{Words, page, see_other, words_for};
use crate::api::{ApiError, authenticate, client_of};
use crate::store::{Account, Role};
use crate::{App, TOKEN_LIFETIME_S, secret};

/// The cookie's name.
pub(crate) const COOKIE: &str = "deskside_site";

/// A signed-in page reader.
pub(crate) struct Signed {
    pub(crate) account: Account,
    pub(crate) csrf: String,
    token_hash: String,
}

/// The live page sign-in the request's cookie names, if any.
pub(crate) async fn signed(app: &App, headers: &HeaderMap, now_s: u64) -> Result<Option<Signed>, ApiError> {
    let Some(token) = cookie(headers) else { return Ok(None) };
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let token_hash = secret::token_hash(token);
    Ok(app.store.web_session(&token_hash, now_s).await?.map(|(account, csrf)| Signed { account, csrf, token_hash }))
}

fn cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('='))
}

/// Whether the form token sent is the sign-in's (compared in constant time).
pub(crate) fn form_token_matches(signed: &Signed, sent: Option<&str>) -> bool {
    let Some(sent) = sent else { return false };
    let (a, b) = (signed.csrf.as_bytes(), sent.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The fields of a form body (`application/x-www-form-urlencoded`), at most 64.
pub(crate) fn fields(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).take(64).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The first field named `name`.
pub(crate) fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Whether a form comes from the site's own pages: a browser names the page's origin in
/// `Origin` on every POST; another site's page would name its own.
pub(crate) fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split_once("://").map_or("", |(_, h)| h);
    !host.is_empty() && origin_host == host
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    w: Words,
    organisation: String,
    csrf: String,
    who: String,
    email: String,
    error: Option<String>,
}

/// The organisation's name, for a page's header (empty before `init`).
pub(crate) async fn organisation(app: &App) -> String {
    app.store.organisation().await.ok().flatten().map(|o| o.name).unwrap_or_default()
}

fn sign_in_form(w: Words, organisation: String, email: String, error: Option<String>, status: StatusCode) -> Response {
    page(status, &SignInPage { w, organisation, csrf: String::new(), who: String::new(), email, error })
}

/// `GET /admin/sign-in`.
pub(crate) async fn sign_in_page(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if matches!(signed(&app, &headers, (app.clock)()).await, Ok(Some(_))) {
        return see_other("/admin");
    }
    sign_in_form(words_for(&headers), organisation(&app).await, String::new(), None, StatusCode::OK)
}

/// `POST /admin/sign-in` (`email`, `password`).
pub(crate) async fn sign_in(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let w = words_for(&headers);
    let org = organisation(&app).await;
    if !same_origin(&headers) {
        tracing::warn!("refused a sign-in form from another origin");
        return super::message(StatusCode::FORBIDDEN, w, org, "site-web-other-origin");
    }
    let form = fields(&body);
    let (email, password) = (field(&form, "email").unwrap_or(""), field(&form, "password").unwrap_or(""));
    let now = (app.clock)();
    let account = match authenticate(&app, client_of(&app, peer, &headers), email, password.to_owned(), now).await {
        Ok(a) => a,
        Err(e) => {
            let (status, id) = match &e {
                ApiError::TooMany(_) => (StatusCode::TOO_MANY_REQUESTS, "site-web-too-many"),
                ApiError::Forbidden(..) => (StatusCode::FORBIDDEN, "site-web-disabled"),
                ApiError::Bad(..) => (StatusCode::BAD_REQUEST, "site-web-too-long"),
                ApiError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "site-web-problem"),
                _ => (StatusCode::UNAUTHORIZED, "site-web-wrong-password"),
            };
            let error = w.t(id);
            let email = email.chars().take(254).collect();
            return sign_in_form(w, org, email, Some(error), status);
        }
    };
    let made = secret::new_token().and_then(|t| Ok((t, hex::encode(secret::random::<32>()?))));
    let Ok(((token, token_hash), csrf)) = made else {
        return super::message(StatusCode::INTERNAL_SERVER_ERROR, w, org, "site-web-problem");
    };
    if let Err(e) = app.store.add_web_session(&token_hash, account.id, &csrf, now, now + TOKEN_LIFETIME_S).await {
        tracing::error!(error = %e, "store");
        return super::message(StatusCode::INTERNAL_SERVER_ERROR, w, org, "site-web-problem");
    }
    tracing::info!(account = account.id, admin = account.role == Role::Admin, "signed in to the pages");
    with_cookie(see_other("/admin"), &app, &token, TOKEN_LIFETIME_S)
}

/// `POST /admin/sign-out` (`csrf`): the sign-in ends here and in the store.
pub(crate) async fn sign_out(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let now = (app.clock)();
    if let Ok(Some(s)) = signed(&app, &headers, now).await
        && form_token_matches(&s, field(&fields(&body), "csrf"))
    {
        if let Err(e) = app.store.remove_web_session(&s.token_hash, now).await {
            tracing::error!(error = %e, "store");
        }
        tracing::info!(account = s.account.id, "signed out of the pages");
    }
    // An empty cookie that is gone at once.
    with_cookie(see_other("/admin/sign-in"), &app, "", 0)
}

/// `r` setting the sign-in cookie to `token` for `max_age_s` seconds, with its attributes.
fn with_cookie(mut r: Response, app: &App, token: &str, max_age_s: u64) -> Response {
    let secure = if app.secure_cookies { "; Secure" } else { "" };
    let value = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}");
    if let Ok(v) = HeaderValue::from_str(&value) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}
