//! A 9-digit code typed into the invite box: looked up once with the support team's site, and
//! then an invite like any other.

use deskside_i18n::t;
use deskside_proto::Invite;
use deskside_proto::cert::Trust;
use deskside_proto::site::ShortCode;
use tokio::sync::oneshot;

use super::{AgentApp, invite_error_words, site_error_words};

/// A 9-digit code typed in the invite box, looked up with the support team's site.
pub enum CodeState {
    /// Asking the site.
    Resolving(oneshot::Receiver<Result<(Invite, Trust), deskside_net::site::SiteError>>),
    /// The invite behind it (the site hands it out once, so it is kept here), and the keys of
    /// the site that gave it.
    Ready(Invite, Trust),
    /// It could not be looked up: why, in words.
    Failed(String),
}

impl AgentApp {
    /// The invite in the box: pasted or typed, or behind the 9-digit code typed once the site
    /// answered.
    pub(super) fn typed_invite(&self) -> Result<Invite, String> {
        let e = match Invite::parse(&self.invite_text) {
            Ok(inv) => return Ok(inv),
            Err(e) => e,
        };
        if ShortCode::parse(&self.invite_text).is_ok() {
            return match &self.code {
                Some((k, CodeState::Ready(inv, _))) if *k == self.invite_text.trim() => Ok(inv.clone()),
                Some((k, CodeState::Failed(why))) if *k == self.invite_text.trim() => Err(why.clone()),
                _ if self.site.is_none() => Err(t!("agent-code-no-site")),
                _ => Err(t!("agent-code-looking", site = self.site_name())),
            };
        }
        Err(invite_error_words(&e))
    }

    /// The keys of the site behind the 9-digit code in the box, once it is looked up.
    pub(super) fn code_trust(&self) -> Option<Trust> {
        match &self.code {
            Some((k, CodeState::Ready(_, trust))) if *k == self.invite_text.trim() => Some(trust.clone()),
            _ => None,
        }
    }

    pub(super) fn site_name(&self) -> String {
        self.site.as_ref().map(|s| s.address().trim_start_matches("https://").to_owned()).unwrap_or_default()
    }

    /// Looks up the 9-digit code in the box with the site, once per code typed.
    pub(super) fn resolve_code(&mut self, ctx: &egui::Context) {
        let key = self.invite_text.trim().to_owned();
        let (Ok(code), Some(site)) = (ShortCode::parse(&key), self.site.clone()) else { return };
        if Invite::parse(&key).is_ok() || self.code.as_ref().is_some_and(|(k, _)| *k == key) {
            return;
        }
        let (tx, rx) = oneshot::channel();
        let ctx = ctx.clone();
        self.runtime.spawn(async move {
            let _ = tx.send(site.resolve(code).await);
            ctx.request_repaint();
        });
        self.code = Some((key, CodeState::Resolving(rx)));
    }

    pub(super) fn poll_code(&mut self) {
        let site = self.site_name();
        if let Some((_, state)) = &mut self.code
            && let CodeState::Resolving(rx) = state
        {
            match rx.try_recv() {
                Ok(Ok((inv, trust))) => *state = CodeState::Ready(inv, trust),
                Ok(Err(e)) => *state = CodeState::Failed(site_error_words(&e, &site)),
                Err(oneshot::error::TryRecvError::Empty) => {}
                Err(oneshot::error::TryRecvError::Closed) => *state = CodeState::Failed(t!("agent-join-stopped")),
            }
        }
    }
}
