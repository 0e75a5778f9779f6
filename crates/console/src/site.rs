//! The console's sign-in to the team's support site, and the 9-digit codes it asks the site for
//! each customer invite. The sign-in (the site's token, the CSR's and organisation's names) is
//! kept in the configuration directory, readable by this user only, until it expires or the CSR
//! signs out. Requests run on the network runtime; the window polls them, never waits.

use std::path::PathBuf;

use deskside_i18n::t;
use deskside_net::site::{SiteClient, SiteError};
use deskside_proto::cert::{Certificate, Tools};
use deskside_proto::site::{Code, SessionTypeInfo, ShortCode, SignedIn};
use deskside_proto::{Invite, InviteRole};
use deskside_session::Policy;
use serde::{Deserialize, Serialize};
use tokio::task::JoinHandle;

/// A customer invite's 9-digit code from the team's site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShortCodeState {
    /// Asked for.
    Getting,
    /// The code, as read out (`123 456 789`).
    Ready(String),
    /// Why there is none, in words.
    Failed(String),
}

/// Largest sign-in file read.
const MAX_FILE_BYTES: u64 = 16 * 1024;

/// A code asked for an invite (by its secret), on its way.
type CodeTask = ([u8; 16], JoinHandle<Result<(ShortCode, Code), SiteError>>);
/// The site's session types and relays, asked for once signed in.
type PolicyTask = JoinHandle<Result<(Vec<SessionTypeInfo>, deskside_proto::site::RelayList), SiteError>>;
/// A certificate asked for, on its way.
pub type CertTask = JoinHandle<Result<(Certificate, u64), SiteError>>;

/// A fresh certificate is asked for when the one in use has less than this left.
pub const RENEW_BEFORE_S: u64 = 15 * 60;

/// The organisation's word for the session under way: its type, what it allows, and until
/// when the certificate the customers are shown holds.
pub struct Certified {
    /// The session type's id on the site.
    pub session_type: i64,
    /// What it allows.
    pub tools: Tools,
    /// When the certificate in use expires.
    pub expires_unix_s: u64,
    renewing: Option<CertTask>,
    /// After the site failed to renew: not asked again before this.
    retry_at_s: u64,
}

impl Certified {
    /// The session of type `session_type` allowing `tools`, certified until `expires_unix_s`.
    #[must_use]
    pub fn new(session_type: i64, tools: Tools, expires_unix_s: u64) -> Certified {
        Certified { session_type, tools, expires_unix_s, renewing: None, retry_at_s: 0 }
    }
}

#[derive(Serialize, Deserialize)]
struct Kept {
    site: String,
    signed: SignedIn,
}

/// The team's site and this CSR's sign-in to it.
pub struct SiteAccount {
    /// The site.
    pub client: SiteClient,
    /// Signed in: the site's answer (names as customers see them, the token).
    pub signed: Option<SignedIn>,
    /// The e-mail address typed.
    pub email: String,
    /// The password typed (cleared once sent).
    pub password: String,
    /// Why the last sign-in or code failed, in words.
    pub error: Option<String>,
    /// The session types the site offers this CSR (empty until the site answered).
    pub types: Vec<SessionTypeInfo>,
    /// The team's relays, as the site gives them (none until it answered; empty: the
    /// console's own settings).
    pub relays: Option<deskside_proto::site::RelayList>,
    types_task: Option<PolicyTask>,
    /// When the types may be asked again after the site failed to give them.
    types_again: Option<std::time::Instant>,
    signing: Option<JoinHandle<Result<SignedIn, SiteError>>>,
    codes: Vec<CodeTask>,
    path: Option<PathBuf>,
}

/// The words for what went wrong with the site.
#[must_use]
pub fn site_error_words(e: &SiteError, site: &str) -> String {
    match e {
        SiteError::WrongPassword => t!("site-error-wrong-password"),
        SiteError::AccountDisabled => t!("site-error-disabled"),
        SiteError::TooManyAttempts(s) => t!("site-error-too-many", minutes = s.div_ceil(60)),
        SiteError::Unreachable(_) | SiteError::Address => t!("site-error-unreachable", site = site.to_owned()),
        SiteError::NotSignedIn => t!("site-error-not-signed-in"),
        SiteError::Refused(why) => t!("site-error-other", why = why.clone()),
        SiteError::UnknownCode | SiteError::BadAnswer => t!("site-error-bad-answer"),
    }
}

impl SiteAccount {
    /// The site at `address` (none if empty or not an address), with the sign-in kept at `path`
    /// if it is for this site and still good at `now_s`.
    #[must_use]
    pub fn new(address: &str, path: Option<PathBuf>, now_s: u64) -> Option<SiteAccount> {
        let client = SiteClient::new(address, &[]).ok()?;
        let signed = path.as_deref().and_then(|p| {
            let meta = std::fs::metadata(p).ok()?;
            if meta.len() > MAX_FILE_BYTES {
                return None;
            }
            let kept: Kept = serde_json::from_slice(&std::fs::read(p).ok()?).ok()?;
            (kept.site == client.address() && kept.signed.expires_unix_s > now_s).then_some(kept.signed)
        });
        Some(SiteAccount {
            client,
            signed,
            email: String::new(),
            password: String::new(),
            error: None,
            types: Vec::new(),
            relays: None,
            types_task: None,
            types_again: None,
            signing: None,
            codes: Vec::new(),
            path,
        })
    }

    /// The site's name for people: its address without `https://`.
    #[must_use]
    pub fn name(&self) -> String {
        self.client.address().trim_start_matches("https://").to_owned()
    }

    /// Whether a sign-in is under way.
    #[must_use]
    pub fn signing_in(&self) -> bool {
        self.signing.is_some()
    }

    /// Whether an answer from the site is awaited (the window should look again soon).
    #[must_use]
    pub fn busy(&self) -> bool {
        self.signing.is_some() || self.types_task.is_some()
    }

    /// Signs in with the e-mail address and password typed.
    pub fn sign_in(&mut self, rt: &tokio::runtime::Handle) {
        if self.signing.is_some() {
            return;
        }
        let (client, email, password) =
            (self.client.clone(), self.email.trim().to_owned(), std::mem::take(&mut self.password));
        self.error = None;
        self.signing = Some(rt.spawn(async move { client.sign_in(&email, &password).await }));
    }

    /// The relays a session started now goes through: this run's (`--relay`) first, then the
    /// team's from its site when it names some, then the console's settings (`own`).
    #[must_use]
    pub fn host_relays(
        run: Option<&deskside_net::transport::Relays>,
        site: Option<&SiteAccount>,
        own: deskside_net::transport::Relays,
    ) -> deskside_net::transport::Relays {
        if let Some(r) = run {
            return r.clone();
        }
        match site.filter(|s| s.signed.is_some()).and_then(|s| s.relays.as_ref()) {
            Some(list) if !list.urls.is_empty() => {
                deskside_net::transport::Relays { urls: list.urls.clone(), token: list.token.clone(), roots: own.roots }
            }
            _ => own,
        }
    }

    /// The offered session type named `name`.
    #[must_use]
    pub fn session_type(&self, name: &str) -> Option<&SessionTypeInfo> {
        self.types.iter().find(|t| t.name == name)
    }

    /// Asks the site for this console's certificate (`endpoint`) for a session of `session_type`.
    #[must_use]
    pub fn certify(&self, rt: &tokio::runtime::Handle, endpoint: [u8; 32], session_type: i64) -> Option<CertTask> {
        let token = self.signed.as_ref()?.token.clone();
        let client = self.client.clone();
        Some(rt.spawn(async move { client.certificate(&token, &endpoint, session_type).await }))
    }

    /// Keeps the session under way certified: asks for a fresh certificate before the one in
    /// use runs out, and returns the policy to give the host once it came. A site that does not
    /// answer is asked again a minute later; customers already in are not affected.
    pub fn keep_certified(
        &mut self,
        rt: &tokio::runtime::Handle,
        certified: &mut Certified,
        endpoint: [u8; 32],
        now_s: u64,
    ) -> Option<Policy> {
        if certified.renewing.is_none()
            && now_s >= certified.retry_at_s
            && now_s + RENEW_BEFORE_S >= certified.expires_unix_s
        {
            certified.renewing = self.certify(rt, endpoint, certified.session_type);
        }
        if !certified.renewing.as_ref().is_some_and(JoinHandle::is_finished) {
            return None;
        }
        match rt.block_on(certified.renewing.take()?) {
            Ok(Ok((cert, expires))) => {
                certified.expires_unix_s = expires;
                Some(Policy { certificate: Some(cert), tools: certified.tools })
            }
            Ok(Err(e)) => {
                tracing::warn!("the certificate could not be renewed: {e}");
                // Asked again in a minute (never in a tight loop).
                certified.retry_at_s = now_s + 60;
                None
            }
            Err(_) => {
                certified.retry_at_s = now_s + 60;
                None
            }
        }
    }

    /// Signs out: the token is forgotten here at once, and ended on the site.
    pub fn sign_out(&mut self, rt: &tokio::runtime::Handle) {
        self.types.clear();
        self.relays = None;
        self.types_task = None;
        if let Some(signed) = self.signed.take() {
            let client = self.client.clone();
            rt.spawn(async move {
                let _ = client.sign_out(&signed.token).await;
            });
        }
        if let Some(p) = &self.path {
            let _ = std::fs::remove_file(p);
        }
    }

    /// Takes a finished sign-in, and asks for the session types once signed in.
    pub fn poll(&mut self, rt: &tokio::runtime::Handle) {
        self.poll_types(rt);
        if !self.signing.as_ref().is_some_and(JoinHandle::is_finished) {
            return;
        }
        let Some(task) = self.signing.take() else { return };
        match rt.block_on(task) {
            Ok(Ok(signed)) => {
                if let Some(p) = &self.path {
                    let kept = Kept { site: self.client.address().to_owned(), signed: signed.clone() };
                    if let Ok(bytes) = serde_json::to_vec(&kept)
                        && let Err(e) = deskside_net::identity::write_private(p, &bytes)
                    {
                        tracing::warn!("the sign-in could not be kept: {e}");
                    }
                }
                self.signed = Some(signed);
                self.types.clear();
                self.poll_types(rt);
            }
            Ok(Err(e)) => self.error = Some(site_error_words(&e, &self.name())),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn poll_types(&mut self, rt: &tokio::runtime::Handle) {
        let Some(signed) = &self.signed else { return };
        let waiting = self.types_again.is_some_and(|t| t > std::time::Instant::now());
        if self.types.is_empty() && self.types_task.is_none() && !waiting {
            let (client, token) = (self.client.clone(), signed.token.clone());
            self.types_task = Some(rt.spawn(async move {
                let types = client.session_types(&token).await?;
                // A site that names no relays (or none an invite could carry) leaves the
                // console's own; the types are what a session cannot start without.
                let relays = client.relays(&token).await.unwrap_or_else(|e| {
                    tracing::warn!("the site's relays: {e}");
                    deskside_proto::site::RelayList::default()
                });
                Ok((types, relays))
            }));
        }
        if !self.types_task.as_ref().is_some_and(JoinHandle::is_finished) {
            return;
        }
        let Some(task) = self.types_task.take() else { return };
        self.types_again = Some(std::time::Instant::now() + std::time::Duration::from_secs(30));
        match rt.block_on(task) {
            Ok(Ok((types, relays))) if !types.is_empty() => {
                self.types = types;
                self.relays = Some(relays);
            }
            Ok(Ok(_)) => self.error = Some(t!("site-error-no-types")),
            Ok(Err(SiteError::NotSignedIn)) => {
                self.error = Some(t!("site-error-not-signed-in"));
                self.sign_out(rt);
            }
            Ok(Err(e)) => self.error = Some(site_error_words(&e, &self.name())),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Asks the site for a 9-digit code for each open customer invite that has none yet, and
    /// takes the codes that came: `codes` is the session's list.
    pub fn codes(
        &mut self,
        rt: &tokio::runtime::Handle,
        invites: &[Invite],
        codes: &mut Vec<([u8; 16], ShortCodeState)>,
    ) {
        let Some(signed) = &self.signed else { return };
        for inv in invites.iter().filter(|i| i.role == InviteRole::Customer) {
            if codes.iter().any(|(s, _)| *s == inv.secret) {
                continue;
            }
            let (client, token, invite) = (self.client.clone(), signed.token.clone(), inv.clone());
            self.codes.push((inv.secret, rt.spawn(async move { client.new_code(&token, &invite).await })));
            codes.push((inv.secret, ShortCodeState::Getting));
        }
        let mut signed_out = false;
        let (done, waiting): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.codes).into_iter().partition(|(_, t)| t.is_finished());
        self.codes = waiting;
        for (secret, task) in done {
            let state = match rt.block_on(task) {
                Ok(Ok((code, _))) => ShortCodeState::Ready(code.to_string()),
                Ok(Err(e)) => {
                    signed_out |= e == SiteError::NotSignedIn;
                    ShortCodeState::Failed(site_error_words(&e, &self.name()))
                }
                Err(e) => ShortCodeState::Failed(e.to_string()),
            };
            if let Some((_, s)) = codes.iter_mut().find(|(s, _)| *s == secret) {
                *s = state;
            }
        }
        if signed_out {
            self.error = Some(t!("site-error-not-signed-in"));
            self.sign_out(rt);
        }
    }
}
