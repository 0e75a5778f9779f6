//! The support site's API from a console or an agent: signing in, asking for a short code for
//! an invite, and resolving a typed code into its invite. HTTPS with rustls, trusting the public
//! web roots (or the team's own, as for the relays); every answer is read under
//! [`MAX_RESPONSE_BYTES`] and parsed as hostile, and an invite that comes back is parsed like one
//! typed. What went wrong comes back as [`SiteError`], a value the apps word in the reader's
//! language.

use std::sync::Arc;
use std::time::Duration;

use deskside_proto::Invite;
use deskside_proto::cert::{Certificate, Trust};
use deskside_proto::site::{
    Code, Issued, Keys, MAX_RESPONSE_BYTES, NewCertificate, NewCode, Refused, Resolve, Resolved, SessionTypeInfo,
    SessionTypes, ShortCode, SignIn, SignedIn, parse_keys,
};

/// Most session types a console takes from a site.
pub const MAX_SESSION_TYPES: usize = 100;

/// Longest a site's address may be.
pub const MAX_SITE_ADDRESS_BYTES: usize = 200;
/// How long one request to the site may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Why the site did not answer what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteError {
    /// The address is not an `https://` (or, for a lab, `http://`) address.
    #[error("not a site address")]
    Address,
    /// The site could not be reached (no network, wrong name, TLS refused, timed out).
    #[error("the site could not be reached: {0}")]
    Unreachable(String),
    /// The e-mail address or password is wrong.
    #[error("wrong e-mail address or password")]
    WrongPassword,
    /// The account is disabled.
    #[error("the account is disabled")]
    AccountDisabled,
    /// The sign-in has expired or ended.
    #[error("not signed in")]
    NotSignedIn,
    /// Too many attempts; try again in this many seconds.
    #[error("too many attempts; try again in {0} s")]
    TooManyAttempts(u64),
    /// The code is unknown, used or expired.
    #[error("unknown, used or expired code")]
    UnknownCode,
    /// The site refused for another reason (its words, for the log).
    #[error("the site refused: {0}")]
    Refused(String),
    /// The answer is not what the site's API sends (too large, malformed, or an invalid invite).
    #[error("the site's answer is not valid")]
    BadAnswer,
}

/// A site, by its address.
#[derive(Clone, Debug)]
pub struct SiteClient {
    base: String,
    http: reqwest::Client,
}

fn tls_config(roots: &[Vec<u8>]) -> Result<rustls::ClientConfig, SiteError> {
    let mut store = rustls::RootCertStore::empty();
    if roots.is_empty() {
        store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    } else {
        for der in roots {
            store.add(rustls::pki_types::CertificateDer::from(der.clone())).map_err(|_| SiteError::Address)?;
        }
    }
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| SiteError::Unreachable(e.to_string()))?
        .with_root_certificates(store)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

impl SiteClient {
    /// The site at `address` (`https://support.acme.example`), trusting `roots` (DER) instead
    /// of the public web roots if any are given.
    ///
    /// # Errors
    /// [`SiteError::Address`] for anything but a bounded `https://` or `http://` address.
    pub fn new(address: &str, roots: &[Vec<u8>]) -> Result<SiteClient, SiteError> {
        let base = address.trim().trim_end_matches('/');
        let plain = base.strip_prefix("https://").or_else(|| base.strip_prefix("http://"));
        if base.len() > MAX_SITE_ADDRESS_BYTES
            || plain.is_none_or(|host| host.is_empty() || host.contains(['/', '?', '#', '@']))
            || base.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(SiteError::Address);
        }
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config(roots)?)
            .timeout(REQUEST_TIMEOUT)
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SiteError::Unreachable(e.to_string()))?;
        Ok(SiteClient { base: base.to_owned(), http })
    }

    /// The site's address, as given, without a trailing slash.
    #[must_use]
    pub fn address(&self) -> &str {
        &self.base
    }

    /// The site's host name (`support.acme.example`), as TLS proves it: what an agent shows
    /// beside a name the site verified.
    #[must_use]
    pub fn host(&self) -> &str {
        let plain = self.base.strip_prefix("https://").or_else(|| self.base.strip_prefix("http://"));
        plain.unwrap_or(&self.base)
    }

    fn trust(&self, keys: &[String]) -> Trust {
        Trust { site: self.host().to_owned(), keys: parse_keys(keys) }
    }

    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &impl serde::Serialize,
    ) -> Result<T, SiteError> {
        let body = serde_json::to_vec(body).map_err(|_| SiteError::BadAnswer)?;
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        self.send(req, token).await
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str, token: Option<&str>) -> Result<T, SiteError> {
        self.send(self.http.get(format!("{}{path}", self.base)), token).await
    }

    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        mut req: reqwest::RequestBuilder,
        token: Option<&str>,
    ) -> Result<T, SiteError> {
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let mut resp = req.send().await.map_err(|e| SiteError::Unreachable(e.to_string()))?;
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| SiteError::Unreachable(e.to_string()))? {
            if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(SiteError::BadAnswer);
            }
            bytes.extend_from_slice(&chunk);
        }
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|_| SiteError::BadAnswer);
        }
        let refused: Option<Refused> = serde_json::from_slice(&bytes).ok();
        Err(match refused.as_ref().map(|r| r.error.as_str()) {
            Some("wrong_password") => SiteError::WrongPassword,
            Some("account_disabled") => SiteError::AccountDisabled,
            Some("not_signed_in") => SiteError::NotSignedIn,
            Some("unknown_code") => SiteError::UnknownCode,
            Some("too_many_attempts") => SiteError::TooManyAttempts(retry_after.unwrap_or(60).min(86_400)),
            Some(_) => SiteError::Refused(refused.map(|r| r.message.chars().take(200).collect()).unwrap_or_default()),
            None => SiteError::Refused(format!("HTTP {}", status.as_u16())),
        })
    }

    /// Signs in as `email`.
    ///
    /// # Errors
    /// [`SiteError`].
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<SignedIn, SiteError> {
        let body = SignIn { email: email.to_owned(), password: password.to_owned() };
        let signed: SignedIn = self.post("/api/v1/sign-in", None, &body).await?;
        let bounded = |s: &str, max: usize| s.len() <= max && !s.chars().any(char::is_control);
        if signed.token.len() != 64
            || !bounded(&signed.display_name, 100)
            || !bounded(&signed.organisation, 100)
            || !bounded(&signed.site_address, MAX_SITE_ADDRESS_BYTES)
        {
            return Err(SiteError::BadAnswer);
        }
        Ok(signed)
    }

    /// Ends the sign-in whose token is `token`.
    ///
    /// # Errors
    /// [`SiteError`].
    pub async fn sign_out(&self, token: &str) -> Result<(), SiteError> {
        match self.post::<serde_json::Value>("/api/v1/sign-out", Some(token), &serde_json::json!({})).await {
            // 204: no body, which is no JSON.
            Ok(_) | Err(SiteError::BadAnswer) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// A short code for `invite`, for the CSR signed in with `token`.
    ///
    /// # Errors
    /// [`SiteError`].
    pub async fn new_code(&self, token: &str, invite: &Invite) -> Result<(ShortCode, Code), SiteError> {
        let code: Code = self.post("/api/v1/codes", Some(token), &NewCode { invite: invite.to_code() }).await?;
        let short = ShortCode::parse(&code.code).map_err(|_| SiteError::BadAnswer)?;
        Ok((short, code))
    }

    /// The invite behind `code` (the site hands it out once), with the organisation's keys to
    /// check its console's certificate against.
    ///
    /// # Errors
    /// [`SiteError`]; [`SiteError::BadAnswer`] if what comes back is not a valid invite.
    pub async fn resolve(&self, code: ShortCode) -> Result<(Invite, Trust), SiteError> {
        let resolved: Resolved = self.post("/api/v1/resolve", None, &Resolve { code: code.digits() }).await?;
        let invite = Invite::parse(&resolved.invite).map_err(|_| SiteError::BadAnswer)?;
        Ok((invite, self.trust(&resolved.keys)))
    }

    /// The organisation's published keys (for an invite that came as a link, not a code).
    ///
    /// # Errors
    /// [`SiteError`].
    pub async fn keys(&self) -> Result<Trust, SiteError> {
        let keys: Keys = self.get("/api/v1/keys", None).await?;
        Ok(self.trust(&keys.keys))
    }

    /// The session types the CSR signed in with `token` may start (at most
    /// [`MAX_SESSION_TYPES`], each name bounded; others are left out).
    ///
    /// # Errors
    /// [`SiteError`].
    pub async fn session_types(&self, token: &str) -> Result<Vec<SessionTypeInfo>, SiteError> {
        let types: SessionTypes = self.get("/api/v1/session-types", Some(token)).await?;
        Ok(types
            .types
            .into_iter()
            .filter(|t| !t.name.trim().is_empty() && deskside_proto::is_valid_label(&t.name))
            .take(MAX_SESSION_TYPES)
            .collect())
    }

    /// The team's relays, which this console names in its invites (signed in).
    ///
    /// # Errors
    /// [`SiteError`]; a list an invite could not carry is [`SiteError::BadAnswer`].
    pub async fn relays(&self, token: &str) -> Result<deskside_proto::site::RelayList, SiteError> {
        let relays: deskside_proto::site::RelayList = self.get("/api/v1/relays", Some(token)).await?;
        if relays.is_valid() { Ok(relays) } else { Err(SiteError::BadAnswer) }
    }

    /// The organisation's certificate for this console's `endpoint` and `session_type`.
    ///
    /// # Errors
    /// [`SiteError`]; [`SiteError::BadAnswer`] if what comes back is not a certificate.
    pub async fn certificate(
        &self,
        token: &str,
        endpoint: &[u8; 32],
        session_type: i64,
    ) -> Result<(Certificate, u64), SiteError> {
        let body = NewCertificate { endpoint: hex::encode(endpoint), session_type };
        let issued: Issued = self.post("/api/v1/certificate", Some(token), &body).await?;
        let cert = Certificate::from_hex(&issued.certificate).ok_or(SiteError::BadAnswer)?;
        Ok((cert, issued.expires_unix_s))
    }

    /// Sends a session's report (signed in). The site keeps it once: sending it again after an
    /// answer that was lost stores nothing twice (`Stored::new` is false).
    ///
    /// # Errors
    /// [`SiteError`]; a report the site refuses as invalid is [`SiteError::Refused`].
    pub async fn report(
        &self,
        token: &str,
        report: &deskside_proto::report::Report,
    ) -> Result<deskside_proto::report::Stored, SiteError> {
        self.post("/api/v1/reports", Some(token), report).await
    }
}
