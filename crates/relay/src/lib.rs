//! The support team's own relay: consoles and agents that cannot reach each other directly (a
//! symmetric NAT, a network that blocks UDP) talk through it, end to end encrypted (it forwards
//! QUIC packets it cannot read). It also tells endpoints their public address (QUIC address
//! discovery), without which they never punch through a NAT. Only this team's endpoints may use
//! it: each presents one of the team's tokens.
//!
//! Built on n0's `iroh-relay` server; this crate adds Deskside's config file, token access
//! control and structured logs. `main.rs` only reads the command line.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use iroh_relay::server::{
    Access, AccessControl, ClientRateLimit, ClientRequest, ConnectionId, Limits, QuicConfig, RelayConfig, Server,
    ServerConfig, TlsConfig,
};
use serde::Deserialize;

/// What the relay's config file says (JSON).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where plain HTTP is served: the relay itself when there is no TLS (a lab only), else the
    /// captive-portal probe.
    pub http_bind: SocketAddr,
    /// HTTPS and QUIC address discovery, with the team's certificate. Without it endpoints never
    /// learn their public address, and no hole is ever punched.
    #[serde(default)]
    pub tls: Option<TlsFiles>,
    /// HTTPS and QUIC address discovery with a certificate obtained (and renewed) over ACME, as
    /// from Let's Encrypt, instead of `tls`'s files: a relay that faces the internet.
    #[serde(default)]
    pub acme: Option<AcmeFile>,
    /// The tokens this team's endpoints present; an endpoint without one is refused.
    pub tokens: Vec<String>,
    /// Rate limits for each client.
    #[serde(default)]
    pub limits: LimitsFile,
}

/// The certificate and where it is served.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TlsFiles {
    /// Where HTTPS is served (443 facing the internet).
    pub https_bind: SocketAddr,
    /// Where QUIC address discovery is served (UDP; 7842 by default).
    pub quic_bind: SocketAddr,
    /// The certificate chain, PEM.
    pub cert_chain: PathBuf,
    /// Its private key, PEM.
    pub key: PathBuf,
}

/// A certificate over ACME (RFC 8555, the TLS-ALPN-01 challenge on the HTTPS port, which must
/// therefore be 443 as the internet sees it), and where it is served.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AcmeFile {
    /// Where HTTPS is served (443 facing the internet: the ACME server checks the names there).
    pub https_bind: SocketAddr,
    /// Where QUIC address discovery is served (UDP; 7842 by default).
    pub quic_bind: SocketAddr,
    /// The relay's names, as in its URL; the certificate is issued for them.
    pub domains: Vec<String>,
    /// The e-mail address the ACME account is registered with (expiry notices).
    pub contact: String,
    /// The ACME directory; Let's Encrypt's production directory if absent.
    #[serde(default)]
    pub directory: Option<String>,
    /// Where the account and certificates are kept between runs, so a restart does not ask
    /// again (Let's Encrypt limits how often it issues).
    pub cache_dir: PathBuf,
    /// Certificates (PEM) trusted for the ACME server's own HTTPS besides the public roots:
    /// only for a test ACME server.
    #[serde(default)]
    pub directory_ca: Option<PathBuf>,
}

/// Rate limits for each client, as the config file says them.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LimitsFile {
    /// Bytes a second one client may send through the relay (unlimited if absent).
    pub client_bytes_per_second: Option<u32>,
    /// Bytes one client may send at once above that rate.
    pub client_burst_bytes: Option<u32>,
}

/// Longest token accepted, in bytes.
pub const MAX_TOKEN_BYTES: usize = 128;

/// Why the relay could not start.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The config file could not be read.
    #[error("cannot read the config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The config file is not valid.
    #[error("the config file {path} is not valid: {why}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// The certificate or its key could not be used.
    #[error("cannot use the certificate: {0}")]
    Certificate(String),
    /// The server could not start (an address is taken, say).
    #[error("cannot start the relay: {0}")]
    Start(String),
}

impl Config {
    /// Reads and checks the config file at `path`.
    pub fn load(path: &Path) -> Result<Config, RelayError> {
        let text = std::fs::read_to_string(path).map_err(|source| RelayError::Read { path: path.into(), source })?;
        let cfg: Config =
            serde_json::from_str(&text).map_err(|e| RelayError::Invalid { path: path.into(), why: e.to_string() })?;
        cfg.check().map_err(|why| RelayError::Invalid { path: path.into(), why })?;
        Ok(cfg)
    }

    /// What is wrong with this config, if anything.
    pub fn check(&self) -> Result<(), String> {
        if self.tokens.is_empty() {
            return Err("no token: list the tokens this team's consoles and invites use under \"tokens\"".into());
        }
        if let Some(t) = self.tokens.iter().find(|t| !is_valid_token(t)) {
            return Err(format!(
                "the token {t:?} is not usable: 16 to {MAX_TOKEN_BYTES} letters, digits, '-', '_' or '.'"
            ));
        }
        if let Some(acme) = &self.acme {
            if self.tls.is_some() {
                return Err("\"tls\" and \"acme\" both say where the certificate comes from: keep one".into());
            }
            if acme.domains.is_empty() {
                return Err("\"acme\" needs the relay's names under \"domains\"".into());
            }
            if let Some(d) = acme.domains.iter().find(|d| !is_dns_name(d)) {
                return Err(format!(
                    "{d:?} under \"domains\" is not a host name (ACME issues for names, not addresses)"
                ));
            }
            if !acme.contact.contains('@') || acme.contact.contains(char::is_whitespace) {
                return Err(format!("\"contact\" is not an e-mail address: {:?}", acme.contact));
            }
        }
        Ok(())
    }
}

/// Whether `name` is a DNS host name: dot-separated labels of letters, digits and inner hyphens,
/// at most 253 bytes, not all digits (an address is not a name).
fn is_dns_name(name: &str) -> bool {
    let labels_ok = name.split('.').all(|l| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    });
    name.len() <= 253 && name.contains('.') && labels_ok && !name.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

/// Whether `token` can be a relay token: long enough to guess at no cost, bounded, and only
/// characters that travel unchanged in a header, a link and a settings file.
#[must_use]
pub fn is_valid_token(token: &str) -> bool {
    (16..=MAX_TOKEN_BYTES).contains(&token.len())
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Admits the endpoints that present one of the team's tokens, logs each decision, and counts
/// the connections it admitted that are still open.
#[derive(Debug)]
struct Tokens {
    tokens: Vec<String>,
    connected: Arc<std::sync::atomic::AtomicUsize>,
}

impl AccessControl for Tokens {
    async fn on_connect(&self, request: &ClientRequest) -> Access {
        let endpoint = request.endpoint_id().fmt_short().to_string();
        let presented = request.auth_token();
        // Compared in full each time, whatever matches first: no early exit to time.
        let known = presented.as_deref().is_some_and(|p| {
            self.tokens.iter().fold(false, |found, t| found | constant_time_eq(t.as_bytes(), p.as_bytes()))
        });
        if known {
            let connected = self.connected.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            tracing::info!(endpoint, connected, "relay: admitted");
            Access::Allow
        } else {
            tracing::info!(endpoint, token = presented.is_some(), "relay: refused (not this team's token)");
            Access::Deny { reason: Some("not this team's relay".into()) }
        }
    }

    fn on_disconnect(&self, endpoint_id: iroh_base::EndpointId, _connection: ConnectionId) {
        // Called once for each connection `on_connect` admitted.
        let connected = self.connected.fetch_sub(1, std::sync::atomic::Ordering::Relaxed).saturating_sub(1);
        tracing::info!(endpoint = %endpoint_id.fmt_short(), connected, "relay: left");
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// A running relay and where it listens.
pub struct Running {
    server: Server,
    connected: Arc<std::sync::atomic::AtomicUsize>,
}

impl Running {
    /// How many endpoint connections it carries now.
    #[must_use]
    pub fn connected(&self) -> usize {
        self.connected.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Where plain HTTP is served.
    #[must_use]
    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.server.http_addr()
    }

    /// Where HTTPS is served.
    #[must_use]
    pub fn https_addr(&self) -> Option<SocketAddr> {
        self.server.https_addr()
    }

    /// Where QUIC address discovery is served.
    #[must_use]
    pub fn quic_addr(&self) -> Option<SocketAddr> {
        self.server.quic_addr()
    }

    /// The URL endpoints use: `https://` with TLS, else `http://` (a lab only).
    #[must_use]
    pub fn url(&self, host: &str) -> Option<String> {
        match (self.https_addr(), self.http_addr()) {
            (Some(a), _) => Some(format!("https://{host}:{}", a.port())),
            (None, Some(a)) => Some(format!("http://{host}:{}", a.port())),
            (None, None) => None,
        }
    }

    /// Waits until the relay stops by itself (a task failed).
    pub async fn join(&mut self) {
        let _ = self.server.join().await;
    }

    /// Stops the relay.
    pub async fn shutdown(self) {
        let _ = self.server.shutdown().await;
    }
}

/// Starts the relay `cfg` describes.
pub async fn start(cfg: &Config) -> Result<Running, RelayError> {
    cfg.check().map_err(|why| RelayError::Invalid { path: PathBuf::new(), why })?;
    let mut relay = RelayConfig::new(cfg.http_bind);
    let connected = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    relay.access = Arc::new(Tokens { tokens: cfg.tokens.clone(), connected: connected.clone() });
    let mut limits = Limits::default();
    if let Some(rate) = cfg.limits.client_bytes_per_second {
        let rate = rate.try_into().map_err(|_| RelayError::Start("a zero rate limit".into()))?;
        let mut client = ClientRateLimit::new(rate);
        client.max_burst_bytes = cfg.limits.client_burst_bytes.and_then(|b| b.try_into().ok());
        limits.client_rx = Some(client);
    }
    relay.limits = limits;
    let quic = match (&cfg.tls, &cfg.acme) {
        (Some(tls), _) => {
            let server_config = certificate(&tls.cert_chain, &tls.key)?;
            let mut quic = QuicConfig::new(tls.quic_bind);
            quic.server_config = Some(server_config.clone());
            relay.tls = Some(TlsConfig::new(tls.https_bind, iroh_relay::server::CertConfig::Manual { server_config }));
            Some(quic)
        }
        (None, Some(acme)) => {
            relay.tls = Some(TlsConfig::new(acme.https_bind, acme_certificate(acme)?));
            // Without a configuration of its own, address discovery uses the HTTPS one: the
            // same certificate, as ACME renews it.
            Some(QuicConfig::new(acme.quic_bind))
        }
        (None, None) => None,
    };
    let mut server_config = ServerConfig::default();
    server_config.relay = Some(relay);
    server_config.quic = quic;
    let server = Server::spawn(server_config).await.map_err(|e| RelayError::Start(e.to_string()))?;
    tracing::info!(http = ?server.http_addr(), https = ?server.https_addr(), quic = ?server.quic_addr(), "relay: listening");
    Ok(Running { server, connected })
}

/// A certificate over ACME, as `acme` says.
fn acme_certificate(acme: &AcmeFile) -> Result<iroh_relay::server::CertConfig, RelayError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let directory = acme.directory.clone();
    let mut config = directory
        .map_or_else(|| iroh_relay::server::AcmeConfig::letsencrypt(true), iroh_relay::server::AcmeConfig::new)
        .domains(acme.domains.clone())
        .contact(vec![format!("mailto:{}", acme.contact)])
        .cache_path(acme.cache_dir.clone());
    if let Some(ca) = &acme.directory_ca {
        let bad = |e: &dyn std::fmt::Display| RelayError::Certificate(format!("{}: {e}", ca.display()));
        let roots: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(ca).map_err(|e| bad(&e))?.collect::<Result<_, _>>().map_err(|e| bad(&e))?;
        config = config.tls_config(iroh_relay::tls::CaTlsConfig::default().with_extra_roots(roots));
    }
    let builder = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| RelayError::Certificate(e.to_string()))?
        .with_no_client_auth();
    Ok(iroh_relay::server::CertConfig::LetsEncrypt { acme_config: config, server_config_builder: builder })
}

/// A TLS server configuration from PEM files.
fn certificate(chain: &Path, key: &Path) -> Result<rustls::ServerConfig, RelayError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |what: &Path, e: &dyn std::fmt::Display| RelayError::Certificate(format!("{}: {e}", what.display()));
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(chain)
        .map_err(|e| bad(chain, &e))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad(chain, &e))?;
    if certs.is_empty() {
        return Err(bad(chain, &"no certificate in this file (PEM expected)"));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| bad(key, &e))?;
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| RelayError::Certificate(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| RelayError::Certificate(e.to_string()))
}
