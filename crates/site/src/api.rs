//! The site's JSON API for consoles and agents: sign-in, short codes and their resolution. Every
//! body is read as bytes under a size limit and parsed here, so a malformed request gets a clear
//! JSON refusal (`{"error": "...", "message": "..."}`) and never a panic; every refusal that
//! counts against a limit is logged.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use deskside_proto::site::{Code, NewCode, Refused, Resolve, Resolved, ShortCode, SignIn, SignedIn};

use crate::code::{Limit, Verdict, address_of, client_address, network_of};
use crate::secret;
use crate::store::{Account, Counted, StoreError};
use crate::{App, TOKEN_LIFETIME_S};

/// Longest e-mail address accepted (RFC 5321's path limit).
pub const MAX_EMAIL_BYTES: usize = 254;
/// Longest invite text a console may store under a code (the invite's own bound, with room).
pub const MAX_INVITE_BYTES: usize = 2 * deskside_proto::invite::MAX_TEXT_BYTES;
/// Longest a code stays usable, whatever the invite says.
pub const MAX_CODE_LIFETIME_S: u64 = 24 * 3600;

/// A refusal, as the API answers it.
#[derive(Debug)]
pub enum ApiError {
    /// The request is malformed: what is wrong, for the developer or the customer.
    Bad(&'static str, String),
    /// No valid sign-in.
    Unauthorized(&'static str, &'static str),
    /// Signed in, but not allowed.
    Forbidden(&'static str, &'static str),
    /// Nothing there.
    NotFound(&'static str, &'static str),
    /// Too many attempts; try again in this many seconds.
    TooMany(u64),
    /// The site failed; logged, and the caller told only that.
    Internal,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, message) = match self {
            ApiError::Bad(e, m) => (StatusCode::BAD_REQUEST, e, m),
            ApiError::Unauthorized(e, m) => (StatusCode::UNAUTHORIZED, e, m.to_owned()),
            ApiError::Forbidden(e, m) => (StatusCode::FORBIDDEN, e, m.to_owned()),
            ApiError::NotFound(e, m) => (StatusCode::NOT_FOUND, e, m.to_owned()),
            ApiError::TooMany(s) => {
                let minutes = s.div_ceil(60);
                let body = Refused {
                    error: "too_many_attempts".to_owned(),
                    message: format!("Too many attempts. Please try again in {minutes} minute(s)."),
                };
                let mut r = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
                if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
                return r;
            }
            ApiError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "The support site had a problem. Please try again in a moment.".to_owned(),
            ),
        };
        (status, Json(Refused { error: error.to_owned(), message })).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        tracing::error!(error = %e, "store");
        ApiError::Internal
    }
}

/// Where the request comes from (through the site's own proxies, if any).
pub(crate) fn client_of(app: &App, peer: SocketAddr, headers: &HeaderMap) -> std::net::IpAddr {
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    client_address(peer.ip(), forwarded, &app.trusted_proxies)
}

pub(crate) fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::Bad("bad_request", format!("The request is not valid: {e}")))
}

pub(crate) async fn check(app: &App, what: Counted, key: &str, limit: Limit, now_s: u64) -> Result<(), ApiError> {
    let (n, oldest) = app.store.attempts(what, key, limit.since(now_s)).await?;
    match limit.judge(n, oldest, now_s) {
        Verdict::Allow => Ok(()),
        Verdict::Wait { retry_after_s } => {
            tracing::warn!(what = ?what, key, "refused: too many attempts");
            Err(ApiError::TooMany(retry_after_s))
        }
    }
}

/// Whether `check` lets `key` try again: `Ok(false)` when it is over `limit` (for pages, which
/// answer with a page rather than the API's refusal).
pub(crate) async fn allowed(app: &App, what: Counted, key: &str, limit: Limit, now_s: u64) -> Result<bool, ApiError> {
    match check(app, what, key, limit, now_s).await {
        Ok(()) => Ok(true),
        Err(ApiError::TooMany(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Counts a code that did not work against its address and its network (the agent's lookups
/// and the customer's pages share these counters).
pub(crate) async fn count_wrong_code(app: &App, address: &str, network: &str, now_s: u64) -> Result<(), StoreError> {
    app.store.add_attempt(Counted::WrongCodeFromAddress, address, now_s).await?;
    app.store.add_attempt(Counted::WrongCodeFromNetwork, network, now_s).await
}

/// The signed-in account of a request (`Authorization: Bearer <token>`).
pub(crate) async fn signed_in(app: &App, headers: &HeaderMap, now_s: u64) -> Result<(Account, String), ApiError> {
    const NO: ApiError = ApiError::Unauthorized("not_signed_in", "Please sign in to the support site again.");
    let value = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or(NO)?;
    let token = value.strip_prefix("Bearer ").ok_or(NO)?;
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(NO);
    }
    let hash = secret::token_hash(token);
    let account = app.store.account_by_token(&hash, now_s).await?.ok_or(NO)?;
    Ok((account, hash))
}

/// `POST /api/v1/sign-in {"email", "password"}`.
pub(crate) async fn sign_in(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<SignedIn>, ApiError> {
    let req: SignIn = parse(&body)?;
    let now = (app.clock)();
    let account = authenticate(&app, client_of(&app, peer, &headers), &req.email, req.password, now).await?;
    let org = app.store.organisation().await?.ok_or(ApiError::Internal)?;
    let (token, token_hash) = secret::new_token().map_err(|_| ApiError::Internal)?;
    let expires = now + TOKEN_LIFETIME_S;
    app.store.add_token(&token_hash, account.id, now, expires).await?;
    tracing::info!(account = account.id, "signed in");
    Ok(Json(SignedIn {
        token,
        expires_unix_s: expires,
        display_name: account.display_name,
        organisation: org.name,
        site_address: org.site_address,
    }))
}

/// The account whose `email` and `password` these are, counted against the limits on wrong
/// passwords per account and per address (`client`): for the API's sign-in and the pages'.
pub(crate) async fn authenticate(
    app: &App,
    client: std::net::IpAddr,
    email: &str,
    password: String,
    now: u64,
) -> Result<Account, ApiError> {
    if email.len() > MAX_EMAIL_BYTES || password.len() > secret::MAX_PASSWORD_BYTES {
        return Err(ApiError::Bad("too_long", "The e-mail address or password is too long.".to_owned()));
    }
    let email = email.trim().to_lowercase();
    let address = address_of(client);
    check(app, Counted::WrongPasswordFromAddress, &address, Limit::SIGN_IN_PER_ADDRESS, now).await?;
    check(app, Counted::WrongPasswordForAccount, &email, Limit::SIGN_IN_PER_ACCOUNT, now).await?;
    let account = app.store.account_by_email(&email).await?;
    let hash = account.as_ref().map_or_else(|| secret::DUMMY_HASH.clone(), |a| a.password_hash.clone());
    let matches = tokio::task::spawn_blocking(move || secret::password_matches(&password, &hash))
        .await
        .map_err(|_| ApiError::Internal)?;
    let Some(account) = account.filter(|_| matches) else {
        app.store.add_attempt(Counted::WrongPasswordFromAddress, &address, now).await?;
        app.store.add_attempt(Counted::WrongPasswordForAccount, &email, now).await?;
        tracing::warn!(address, "refused sign-in: wrong e-mail address or password");
        return Err(ApiError::Unauthorized("wrong_password", "The e-mail address or password is not right."));
    };
    if account.disabled {
        tracing::warn!(account = account.id, "refused sign-in: account disabled");
        return Err(ApiError::Forbidden(
            "account_disabled",
            "This account is disabled. Please ask your site administrator.",
        ));
    }
    Ok(account)
}

/// `POST /api/v1/sign-out`: the token stops working.
pub(crate) async fn sign_out(State(app): State<Arc<App>>, headers: HeaderMap) -> Result<StatusCode, ApiError> {
    let (_, hash) = signed_in(&app, &headers, (app.clock)()).await?;
    app.store.remove_token(&hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/codes {"invite"}` (signed in): a short code for the invite's text code.
pub(crate) async fn new_code(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Code>, ApiError> {
    let now = (app.clock)();
    let (account, _) = signed_in(&app, &headers, now).await?;
    let req: NewCode = parse(&body)?;
    if req.invite.len() > MAX_INVITE_BYTES {
        return Err(ApiError::Bad("too_long", "The invite is too long.".to_owned()));
    }
    let invite = deskside_proto::invite::Invite::parse(&req.invite)
        .map_err(|e| ApiError::Bad("bad_invite", format!("The invite is not valid: {e}")))?;
    if invite.is_expired(now) {
        return Err(ApiError::Bad("expired_invite", "The invite has expired.".to_owned()));
    }
    let key = account.id.to_string();
    check(&app, Counted::CodeAskedByCsr, &key, Limit::CODES_PER_CSR, now).await?;
    let expires = invite.expires_unix_s.min(now + MAX_CODE_LIFETIME_S);
    for _ in 0..8 {
        let n = u64::from_le_bytes(secret::random::<8>().map_err(|_| ApiError::Internal)?);
        let code = ShortCode::from_random(n);
        if app.store.add_code(&code.digits(), account.id, &invite.to_code(), now, expires).await? {
            app.store.add_attempt(Counted::CodeAskedByCsr, &key, now).await?;
            return Ok(Json(Code { code: code.digits(), display: code.to_string(), expires_unix_s: expires }));
        }
    }
    // Eight live codes drawn in a row: the site holds far more codes than any team uses.
    tracing::error!("no free short code in eight draws");
    Err(ApiError::Internal)
}

/// `POST /api/v1/resolve {"code"}` (no account): the invite behind a live, unused code, once.
pub(crate) async fn resolve(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Resolved>, ApiError> {
    let now = (app.clock)();
    let client = client_of(&app, peer, &headers);
    let (address, network) = (address_of(client), network_of(client));
    check(&app, Counted::WrongCodeFromAddress, &address, Limit::RESOLVE_PER_ADDRESS, now).await?;
    check(&app, Counted::WrongCodeFromNetwork, &network, Limit::RESOLVE_PER_NETWORK, now).await?;
    let req: Resolve = parse(&body)?;
    let code = ShortCode::parse(&req.code).map_err(|e| ApiError::Bad("bad_code", e.to_string()))?;
    if let Some(invite) = app.store.take_code(&code.digits(), now).await? {
        tracing::info!(address, "short code resolved");
        let keys = app.store.published_hex(now, crate::CERT_LIFETIME_S).await?;
        return Ok(Json(Resolved { invite, keys }));
    }
    count_wrong_code(&app, &address, &network, now).await?;
    tracing::warn!(address, "refused: unknown, expired or used short code");
    Err(ApiError::NotFound(
        "unknown_code",
        "This code does not work. It may have expired or been used already. Please ask your support representative for a new one.",
    ))
}

/// `GET /health`: 200 when the site and its database answer.
pub(crate) async fn health(State(app): State<Arc<App>>) -> Response {
    match app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health: database");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}
