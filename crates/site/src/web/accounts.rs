//! The team's accounts, for administrators: add a CSR or an administrator (with a password, or
//! with a one-time link the person sets their own with), disable and enable, change the role,
//! reset a password (a new one-time link; the old password and every sign-in end at once). An
//! administrator cannot change their own account here, and the site always keeps one enabled
//! administrator. The link's page (`/admin/set-password`) needs no sign-in: the link is the
//! proof, 256 random bits of which the store keeps the hash, used once, for three days.

use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::admin::{admin, admin_form};
use super::auth::{Signed, field, fields, organisation, same_origin};
use super::{Words, message, page, words_for};
use crate::api::{ApiError, allowed, client_of};
use crate::code::{Limit, address_of};
use crate::store::{Change, Counted, NO_PASSWORD, NewAccount, Role, StoreError};
use crate::{App, secret};
use deskside_proto::site::percent_encode;

/// How long a link to set a password works.
pub const LINK_LIFETIME_S: u64 = 3 * 24 * 3600;
/// Longest display name.
const MAX_NAME_CHARS: usize = 100;

/// An account as the page lists it.
pub(crate) struct AccountLine {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) admin: bool,
    pub(crate) disabled: bool,
    pub(crate) state: String,
    pub(crate) me: bool,
}

/// A link made for someone, to copy or send.
pub(crate) struct Made {
    pub(crate) said: String,
    pub(crate) link: String,
    pub(crate) mailto: String,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    w: Words,
    organisation: String,
    csrf: String,
    who: String,
    accounts: Vec<AccountLine>,
    made: Option<Made>,
    notice: Option<String>,
    error: Option<String>,
    name: String,
    email: String,
}

#[derive(Template)]
#[template(path = "set_password.html")]
struct SetPasswordPage {
    w: Words,
    organisation: String,
    csrf: String,
    who: String,
    token: String,
    intro: String,
    error: Option<String>,
}

/// What the page shows after an action: a notice, a link made, or why it was refused.
#[derive(Default)]
struct Outcome {
    made: Option<Made>,
    notice: Option<String>,
    error: Option<(StatusCode, String)>,
    kept: (String, String),
}

async fn show(app: &App, w: Words, (s, organisation): (Signed, String), out: Outcome) -> Response {
    let Ok(rows) = app.store.accounts().await else {
        return message(StatusCode::INTERNAL_SERVER_ERROR, w, organisation, "site-web-problem");
    };
    let accounts = rows
        .into_iter()
        .map(|a| {
            let state = if a.disabled {
                "site-web-account-disabled"
            } else if a.has_password {
                "site-web-account-active"
            } else {
                "site-web-account-waiting"
            };
            AccountLine {
                id: a.id,
                me: a.id == s.account.id,
                name: a.display_name,
                email: a.email,
                admin: a.role == Role::Admin,
                disabled: a.disabled,
                state: w.t(state),
            }
        })
        .collect();
    let (status, error) = out.error.map_or((StatusCode::OK, None), |(c, e)| (c, Some(e)));
    let who = s.account.display_name.clone();
    let (name, email) = out.kept;
    let p = AccountsPage {
        w,
        organisation,
        csrf: s.csrf,
        who,
        accounts,
        made: out.made,
        notice: out.notice,
        error,
        name,
        email,
    };
    page(status, &p)
}

/// `GET /admin/accounts`.
pub(crate) async fn accounts_page(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    match admin(&app, &headers).await {
        Ok(signed) => show(&app, words_for(&headers), signed, Outcome::default()).await,
        Err(r) => r,
    }
}

/// A fresh one-time link for account `id` (named `who`, at `email`), kept in the store.
async fn new_link(app: &App, w: &Words, id: i64, who: &str, email: &str, reset: bool, by: i64) -> Result<Made, ()> {
    let (token, hash) = secret::new_token().map_err(|_| ())?;
    let now = (app.clock)();
    let org = app.store.organisation().await.ok().flatten().ok_or(())?;
    app.store.add_link(id, &hash, reset, Some(by), now, now + LINK_LIFETIME_S).await.map_err(|e| {
        tracing::error!(error = %e, "store");
    })?;
    let link = format!("{}/admin/set-password?t={token}", org.site_address.trim_end_matches('/'));
    let subject = w.with("site-web-link-mail-subject", &[("organisation", org.name.as_str().into())]);
    let body = w.with("site-web-link-mail-body", &[("name", who.into()), ("link", link.as_str().into())]);
    let mailto =
        format!("mailto:{}?subject={}&body={}", percent_encode(email), percent_encode(&subject), percent_encode(&body));
    let said = w.with("site-web-link-made", &[("name", who.into())]);
    Ok(Made { said, link, mailto })
}

/// `POST /admin/accounts` (`csrf`, `name`, `email`, `role`, `password`): adds an account.
pub(crate) async fn add(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let (signed, form) = match admin_form(&app, &headers, &body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let w = words_for(&headers);
    let name = field(&form, "name").unwrap_or("").trim().to_owned();
    let email = field(&form, "email").unwrap_or("").trim().to_lowercase();
    let password = field(&form, "password").unwrap_or("");
    let role = match field(&form, "role") {
        Some("admin") => Some(Role::Admin),
        Some("csr") | None => Some(Role::Csr),
        Some(_) => None,
    };
    let kept = (name.chars().take(MAX_NAME_CHARS).collect(), email.chars().take(crate::api::MAX_EMAIL_BYTES).collect());
    let refuse = |id: &str| Outcome {
        error: Some((StatusCode::BAD_REQUEST, w.t(id))),
        kept: kept.clone(),
        ..Outcome::default()
    };
    let Some(role) = role else {
        let out = refuse("site-web-account-bad-role");
        return show(&app, w, signed, out).await;
    };
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || !deskside_proto::is_valid_name(&name) {
        let out = refuse("site-web-account-bad-name");
        return show(&app, w, signed, out).await;
    }
    let email_ok = email.len() <= crate::api::MAX_EMAIL_BYTES
        && email.split_once('@').is_some_and(|(a, b)| !a.is_empty() && b.contains('.'))
        && !email.chars().any(|c| c.is_whitespace() || c.is_control() || "<>\"'(),;:[]\\".contains(c));
    if !email_ok {
        let out = refuse("site-web-account-bad-email");
        return show(&app, w, signed, out).await;
    }
    let hash = if password.is_empty() {
        NO_PASSWORD.to_owned()
    } else {
        let pw = password.to_owned();
        match tokio::task::spawn_blocking(move || secret::hash_password(&pw)).await {
            Ok(Ok(h)) => h,
            Ok(Err(_)) => {
                let out = refuse("site-web-account-bad-password");
                return show(&app, w, signed, out).await;
            }
            Err(_) => return message(StatusCode::INTERNAL_SERVER_ERROR, w, signed.1, "site-web-problem"),
        }
    };
    let by = signed.0.account.id;
    let new = NewAccount { email: &email, display_name: &name, password_hash: &hash, role };
    let id = match app.store.add_account(&new, Some(by), (app.clock)()).await {
        Ok(id) => id,
        Err(StoreError::Refused(_)) => {
            let out = refuse("site-web-account-taken");
            return show(&app, w, signed, out).await;
        }
        Err(e) => {
            tracing::error!(error = %e, "store");
            return message(StatusCode::INTERNAL_SERVER_ERROR, w, signed.1, "site-web-problem");
        }
    };
    tracing::info!(account = by, added = id, "account added");
    let mut out = Outcome::default();
    if password.is_empty() {
        match new_link(&app, &w, id, &name, &email, false, by).await {
            Ok(made) => out.made = Some(made),
            Err(()) => return message(StatusCode::INTERNAL_SERVER_ERROR, w, signed.1, "site-web-problem"),
        }
    } else {
        out.notice = Some(w.with("site-web-account-added", &[("name", name.as_str().into())]));
    }
    show(&app, w, signed, out).await
}

/// `POST /admin/accounts/{id}` (`csrf`, `do`: `disable`, `enable`, `admin`, `csr`, `reset`).
pub(crate) async fn change(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (signed, form) = match admin_form(&app, &headers, &body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let w = words_for(&headers);
    let refuse = |code: StatusCode, id: &str| Outcome { error: Some((code, w.t(id))), ..Outcome::default() };
    let by = signed.0.account.id;
    let target = match app.store.accounts().await {
        Ok(all) => id.parse::<i64>().ok().and_then(|id| all.into_iter().find(|a| a.id == id)),
        Err(_) => return message(StatusCode::INTERNAL_SERVER_ERROR, w, signed.1, "site-web-problem"),
    };
    let Some(target) = target else {
        let out = refuse(StatusCode::NOT_FOUND, "site-web-account-none");
        return show(&app, w, signed, out).await;
    };
    if target.id == by {
        let out = refuse(StatusCode::BAD_REQUEST, "site-web-account-not-yourself");
        return show(&app, w, signed, out).await;
    }
    let what = match field(&form, "do") {
        Some("disable") => Change::Disable,
        Some("enable") => Change::Enable,
        Some("admin") => Change::Role(Role::Admin),
        Some("csr") => Change::Role(Role::Csr),
        Some("reset") => {
            let made = new_link(&app, &w, target.id, &target.display_name, &target.email, true, by).await;
            let Ok(made) = made else {
                return message(StatusCode::INTERNAL_SERVER_ERROR, w, signed.1, "site-web-problem");
            };
            tracing::info!(account = by, reset = target.id, "password reset");
            return show(&app, w, signed, Outcome { made: Some(made), ..Outcome::default() }).await;
        }
        _ => {
            let out = refuse(StatusCode::BAD_REQUEST, "site-web-account-bad-action");
            return show(&app, w, signed, out).await;
        }
    };
    match app.store.change_account(target.id, what, by, (app.clock)()).await {
        Ok(()) => {
            tracing::info!(account = by, changed = target.id, change = ?what, "account changed");
            let notice = w.with("site-web-account-changed", &[("name", target.display_name.as_str().into())]);
            show(&app, w, signed, Outcome { notice: Some(notice), ..Outcome::default() }).await
        }
        Err(StoreError::Refused(_)) => {
            let out = refuse(StatusCode::CONFLICT, "site-web-account-last-admin");
            show(&app, w, signed, out).await
        }
        Err(e) => {
            tracing::error!(error = %e, "store");
            message(StatusCode::INTERNAL_SERVER_ERROR, w, signed.1, "site-web-problem")
        }
    }
}

/// Whether the address may try another link, counting a wrong one if `wrong`.
async fn link_limit(app: &App, address: &str, wrong: bool, now: u64) -> Result<bool, ApiError> {
    if wrong {
        app.store.add_attempt(Counted::WrongLinkFromAddress, address, now).await?;
        tracing::warn!(address, "refused: unknown, used or expired password link");
    }
    allowed(app, Counted::WrongLinkFromAddress, address, Limit::RESOLVE_PER_ADDRESS, now).await
}

fn link_token(raw: Option<&str>) -> String {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "t")
        .map(|(_, v)| v.chars().take(64).collect())
        .unwrap_or_default()
}

/// The account a link's token opens, if it is a live one (and the address has not tried too
/// many wrong ones); otherwise the page to answer.
async fn linked(
    app: &App,
    headers: &HeaderMap,
    client: std::net::IpAddr,
    token: &str,
) -> Result<(String, String), Response> {
    let now = (app.clock)();
    let (w, org) = (words_for(headers), organisation(app).await);
    let address = address_of(client);
    match link_limit(app, &address, false, now).await {
        Ok(true) => {}
        Ok(false) => return Err(message(StatusCode::TOO_MANY_REQUESTS, w, org, "site-web-link-too-many")),
        Err(_) => return Err(message(StatusCode::INTERNAL_SERVER_ERROR, w, org, "site-web-problem")),
    }
    let well_formed = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
    let found = if well_formed { app.store.link(&secret::token_hash(token), now).await } else { Ok(None) };
    match found {
        Ok(Some(who)) => Ok(who),
        Ok(None) => {
            let _ = link_limit(app, &address, true, now).await;
            Err(message(StatusCode::NOT_FOUND, w, org, "site-web-link-dead"))
        }
        Err(_) => Err(message(StatusCode::INTERNAL_SERVER_ERROR, w, org, "site-web-problem")),
    }
}

fn password_form(
    w: Words,
    organisation: String,
    token: String,
    who: (String, String),
    error: Option<String>,
) -> Response {
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let (email, name) = who;
    let intro = w.with("site-web-link-for", &[("name", name.into()), ("email", email.into())]);
    page(status, &SetPasswordPage { w, organisation, csrf: String::new(), who: String::new(), token, intro, error })
}

/// `GET /admin/set-password?t=TOKEN` (no sign-in): the form to set a password with.
pub(crate) async fn set_password_page(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let token = link_token(raw.as_deref());
    match linked(&app, &headers, client_of(&app, peer, &headers), &token).await {
        Ok(who) => {
            let org = organisation(&app).await;
            password_form(words_for(&headers), org, token, who, None)
        }
        Err(r) => r,
    }
}

/// `POST /admin/set-password` (`t`, `password`, `again`): sets it, once.
pub(crate) async fn set_password(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let w = words_for(&headers);
    let org = organisation(&app).await;
    if !same_origin(&headers) {
        return message(StatusCode::FORBIDDEN, w, org, "site-web-other-origin");
    }
    let form = fields(&body);
    let token: String = field(&form, "t").unwrap_or("").chars().take(64).collect();
    let who = match linked(&app, &headers, client_of(&app, peer, &headers), &token).await {
        Ok(who) => who,
        Err(r) => return r,
    };
    let (password, again) = (field(&form, "password").unwrap_or(""), field(&form, "again").unwrap_or(""));
    if password != again {
        let e = w.t("site-web-link-mismatch");
        return password_form(w, org, token, who, Some(e));
    }
    let pw = password.to_owned();
    let hash = match tokio::task::spawn_blocking(move || secret::hash_password(&pw)).await {
        Ok(Ok(h)) => h,
        Ok(Err(_)) => {
            let e = w.t("site-web-account-bad-password");
            return password_form(w, org, token, who, Some(e));
        }
        Err(_) => return message(StatusCode::INTERNAL_SERVER_ERROR, w, org, "site-web-problem"),
    };
    match app.store.use_link(&secret::token_hash(&token), &hash, (app.clock)()).await {
        Ok(true) => {
            tracing::info!("a password was set through its link");
            message(StatusCode::OK, w, org, "site-web-link-done")
        }
        Ok(false) => message(StatusCode::NOT_FOUND, w, org, "site-web-link-dead"),
        Err(e) => {
            tracing::error!(error = %e, "store");
            message(StatusCode::INTERNAL_SERVER_ERROR, w, org, "site-web-problem")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_links_escape_everything_but_plain_characters() {
        // The escaping is the code links' (`proto::site`), written into a mailto: address.
        assert_eq!(percent_encode("kim@acme.example"), "kim%40acme.example");
        assert_eq!(percent_encode("a b&c=d\n"), "a%20b%26c%3Dd%0A");
        assert_eq!(percent_encode("Gómez"), "G%C3%B3mez");
    }

    #[test]
    fn a_links_token_is_read_from_its_address_and_bounded() {
        assert_eq!(link_token(Some("t=abc&x=1")), "abc");
        assert_eq!(link_token(Some(&format!("t={}", "a".repeat(1000)))).len(), 64);
        assert_eq!(link_token(None), "");
    }
}
