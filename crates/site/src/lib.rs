//! `deskside-site`: the support team's site. It holds the team's accounts and its
//! organisation's signing key, makes short codes for the consoles' invites and resolves them for
//! customers (`api`), on SQLite or PostgreSQL (`store`). The rules that need no IO (codes and
//! the limits on guessing them, `code`) are apart from the drivers, with time passed in.
//!
//! `init` makes the organisation, its key and its first administrator, from the command line
//! only. Then: sign-in for consoles, short codes and their resolution, session types, the
//! consoles' certificates and the keys to check them (`identity`), key rotation, the team's
//! relays, the sessions' reports (`reports`), health, HTTPS by itself (`tls`), and the pages
//! (`web`): the organisation, session types, accounts, reports and audit log for
//! administrators, and the customer's code page with the agent's download.

pub mod api;
pub mod code;
pub mod identity;
mod reports;
pub mod secret;
pub mod store;
pub mod tls;
mod web;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use store::{NewAccount, Organisation, Role, Store, StoreError};

/// How long a console's sign-in lasts: a working day.
pub const TOKEN_LIFETIME_S: u64 = 12 * 3600;
/// How long a certificate is valid. Short, so that a CSR whose account is disabled stops being
/// vouched for within the hour; the console asks for a fresh one before it runs out.
pub const CERT_LIFETIME_S: u64 = 3600;
/// Largest request body read, bytes (the API's bodies are a few hundred).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The current time, seconds since the Unix epoch (tests pass their own).
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system clock.
#[must_use]
pub fn system_clock() -> Clock {
    Arc::new(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()))
}

/// What every request handler shares.
pub struct App {
    /// The database.
    pub store: Store,
    /// The time.
    pub clock: Clock,
    /// The site's own reverse proxies, whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Whether the pages' cookie is marked `Secure` (sent over HTTPS only): always, but for a
    /// site reached over plain HTTP on a lab's loopback.
    pub secure_cookies: bool,
    /// The folder of the agent programs the code page offers (`deskside-agent-linux-x86_64`,
    /// `deskside-agent-windows-x86_64.exe`), if the site offers downloads.
    pub agents: Option<std::path::PathBuf>,
}

/// How the site serves, beyond its store and address.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// See [`App::trusted_proxies`].
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// See [`App::secure_cookies`].
    pub secure_cookies: bool,
    /// See [`App::agents`].
    pub agents: Option<std::path::PathBuf>,
    /// The site's own TLS ([`tls::config`]); without it the site speaks plain HTTP, behind a
    /// reverse proxy that ends TLS.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions { trusted_proxies: Vec::new(), secure_cookies: true, agents: None, tls: None }
    }
}

/// The site's routes.
pub fn router(app: Arc<App>) -> Router {
    // A session's report is larger than any other body; it alone is read up to its own bound.
    let reports = Router::new()
        .route("/api/v1/reports", post(reports::add))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(deskside_proto::report::MAX_REPORT_BYTES))
        .layer(axum::extract::DefaultBodyLimit::max(deskside_proto::report::MAX_REPORT_BYTES));
    Router::new()
        .route("/health", get(api::health))
        .route("/api/v1/sign-in", post(api::sign_in))
        .route("/api/v1/sign-out", post(api::sign_out))
        .route("/api/v1/codes", post(api::new_code))
        .route("/api/v1/resolve", post(api::resolve))
        .route("/api/v1/keys", get(identity::keys))
        .route("/api/v1/session-types", get(identity::session_types))
        .route("/api/v1/relays", get(identity::relays))
        .route("/api/v1/certificate", post(identity::certificate))
        .merge(web::routes())
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .merge(reports)
        .with_state(app)
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// A running site.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    sweeper: tokio::task::JoinHandle<()>,
}

/// How often the reports past the organisation's retention are removed.
pub const RETENTION_SWEEP_S: u64 = 3600;

impl Running {
    /// Stops taking connections, lets the requests under way finish, and returns.
    ///
    /// # Errors
    /// The server failed.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.sweeper.abort();
        (&mut self.task).await.map_err(std::io::Error::other)?
    }
}

/// Serves the site on `listen` until [`Running::shutdown`], taken directly from the internet.
///
/// # Errors
/// The address cannot be bound.
pub async fn start(store: Store, listen: SocketAddr, clock: Clock) -> std::io::Result<Running> {
    start_behind(store, listen, clock, Vec::new()).await
}

/// The same behind the site's own reverse proxies at `trusted_proxies`: for requests they pass
/// on, the client's address is the one they name in `X-Forwarded-For` (see
/// [`code::client_address`]).
///
/// # Errors
/// The address cannot be bound.
pub async fn start_behind(
    store: Store,
    listen: SocketAddr,
    clock: Clock,
    trusted_proxies: Vec<std::net::IpAddr>,
) -> std::io::Result<Running> {
    start_with(store, listen, clock, ServeOptions { trusted_proxies, ..ServeOptions::default() }).await
}

/// Serves the site on `listen` with `options` until [`Running::shutdown`].
///
/// # Errors
/// The address cannot be bound.
pub async fn start_with(
    store: Store,
    listen: SocketAddr,
    clock: Clock,
    options: ServeOptions,
) -> std::io::Result<Running> {
    let ServeOptions { trusted_proxies, secure_cookies, agents, tls } = options;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let sweeper = tokio::spawn(sweep(store.clone(), clock.clone()));
    let app = router(Arc::new(App { store, clock, trusted_proxies, secure_cookies, agents }));
    let task = if let Some(tls) = tls {
        tokio::spawn(tls::serve(listener, app, tls, stopped))
    } else {
        tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        })
    };
    Ok(Running { addr, stop: Some(stop), task, sweeper })
}

/// Removes the reports past the organisation's retention now and every [`RETENTION_SWEEP_S`].
async fn sweep(store: Store, clock: Clock) {
    loop {
        match store.apply_retention(clock()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "session reports past their retention removed"),
            Err(e) => tracing::error!(error = %e, "retention"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(RETENTION_SWEEP_S)).await;
    }
}

/// Why `init` refused.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// A field is empty or too long.
    #[error("{0}")]
    Field(&'static str),
    /// The password is not acceptable.
    #[error(transparent)]
    Password(#[from] secret::SecretError),
    /// The store refused (or the site is already initialised).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What `deskside-site init` makes.
#[derive(Clone, Debug)]
pub struct Init {
    /// The organisation's name as customers will see it.
    pub organisation: String,
    /// The site's public address.
    pub site_address: String,
    /// The first administrator's e-mail address.
    pub admin_email: String,
    /// Their name as customers see it.
    pub admin_name: String,
    /// Their password.
    pub admin_password: String,
}

/// Whether `name` may be the organisation's name as customers see it: 1 to 100 characters, no
/// control characters.
#[must_use]
pub fn valid_organisation_name(name: &str) -> bool {
    !name.trim().is_empty() && name.chars().count() <= 100 && deskside_proto::is_valid_label(name)
}

/// Whether `address` may be the site's public address: `https://` (or `http://`, for a lab)
/// and a host, at most 200 bytes, no spaces.
#[must_use]
pub fn valid_site_address(address: &str) -> bool {
    let host = address.strip_prefix("https://").or_else(|| address.strip_prefix("http://"));
    host.is_some_and(|h| !h.is_empty() && !h.contains(['?', '#', '@']))
        && address.len() <= deskside_proto::cert::MAX_SITE_BYTES
        && !address.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Makes the organisation, its first signing key and its first administrator. The only way to
/// make an administrator on a fresh site: no web route does it.
///
/// # Errors
/// A bad field or password, a store error, or a site already initialised.
pub async fn init(store: &Store, init: &Init, now_s: u64) -> Result<(), InitError> {
    let field = |v: &str, max: usize| !v.trim().is_empty() && v.len() <= max;
    if !valid_organisation_name(&init.organisation) {
        return Err(InitError::Field("the organisation's name must have 1 to 100 characters"));
    }
    if !valid_site_address(&init.site_address) {
        return Err(InitError::Field("the site address must be an https:// address of at most 200 characters"));
    }
    if !field(&init.admin_email, api::MAX_EMAIL_BYTES) || !init.admin_email.contains('@') {
        return Err(InitError::Field("the administrator's e-mail address is not valid"));
    }
    if !field(&init.admin_name, 100) {
        return Err(InitError::Field("the administrator's name must have 1 to 100 characters"));
    }
    let hash = secret::hash_password(&init.admin_password)?;
    let key = secret::random::<32>()?;
    let org = Organisation { name: init.organisation.trim().to_owned(), site_address: init.site_address.clone() };
    let admin = NewAccount {
        email: init.admin_email.trim(),
        display_name: init.admin_name.trim(),
        password_hash: &hash,
        role: Role::Admin,
    };
    store.init(&org, (&key, &deskside_proto::cert::public_key(&key)), &admin, now_s).await?;
    Ok(())
}

/// Publishes a new next signing key: agents that fetch the keys from now on trust it, and it
/// signs nothing until [`store::Store::promote_next_key`]. Rotate in two steps, a certificate's
/// lifetime or more apart, so that no agent meets a certificate signed by a key it has not seen.
///
/// # Errors
/// No secure random numbers, a next key published already, or the store failed.
pub async fn publish_next_key(store: &Store, now_s: u64) -> Result<[u8; 32], InitError> {
    let key = secret::random::<32>()?;
    let public = deskside_proto::cert::public_key(&key);
    store.add_next_key(&key, &public, None, now_s).await?;
    Ok(public)
}
