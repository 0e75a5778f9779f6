//! Certificates: an organisation's word, signed by its support site, that a console speaks for
//! it: which CSR, which organisation, which tools the session type allows, for which endpoint and
//! until when. The agent checks one against the keys it got from the site it resolved the code
//! with, and only then shows the CSR as verified and holds the console to the certified tools.
//!
//! On the wire a certificate is the signer's public key, the body's bytes and an ed25519
//! signature over a fixed prefix and those bytes. Nothing in the body is decoded before the key
//! is one the agent trusts and the signature holds (a forger's bytes are never parsed).

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::Capability;
use crate::{is_valid_label, is_valid_name};

/// Most bytes of a certificate's body.
pub const MAX_BODY_BYTES: usize = 1024;
/// How far the two clocks may disagree when a certificate's times are checked.
pub const CLOCK_SKEW_S: u64 = 300;
/// Longest site address a certificate names.
pub const MAX_SITE_BYTES: usize = 200;
/// Most keys an agent trusts for one site (the current one, the next, and recently retired).
pub const MAX_KEYS: usize = 8;
/// What is signed before the body, so that no other signature of the key can pass for one.
const DOMAIN: &[u8] = b"deskside certificate v1\0";

/// A tool a session type may allow.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tool {
    /// See the customer's screen.
    View,
    /// Control the customer's mouse and keyboard.
    Control,
    /// See (and control, with [`Tool::Control`]) one application window only.
    OneApp,
    /// Offer files for the customer to download.
    SendFiles,
    /// Browse the customer's files and move files both ways.
    BrowseFiles,
    /// Receive the machine's inventory.
    SystemInfo,
    /// Chat.
    Chat,
    /// A voice call.
    Voice,
    /// Webcam video.
    Video,
    /// Record the session.
    Recording,
}

impl Tool {
    /// Every tool, in display order.
    pub const ALL: [Tool; 10] = [
        Tool::View,
        Tool::Control,
        Tool::OneApp,
        Tool::SendFiles,
        Tool::BrowseFiles,
        Tool::SystemInfo,
        Tool::Chat,
        Tool::Voice,
        Tool::Video,
        Tool::Recording,
    ];

    /// The tool's name in the site's API and forms.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Tool::View => "view",
            Tool::Control => "control",
            Tool::OneApp => "one_app",
            Tool::SendFiles => "send_files",
            Tool::BrowseFiles => "browse_files",
            Tool::SystemInfo => "system_info",
            Tool::Chat => "chat",
            Tool::Voice => "voice",
            Tool::Video => "video",
            Tool::Recording => "recording",
        }
    }

    /// The tool named `key` (see [`Tool::key`]).
    #[must_use]
    pub fn from_key(key: &str) -> Option<Tool> {
        Tool::ALL.into_iter().find(|t| t.key() == key)
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of tools.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
#[serde(transparent)]
pub struct Tools(u16);

impl Tools {
    /// Every tool.
    pub const ALL: Tools = Tools((1 << Tool::ALL.len()) - 1);
    /// No tool.
    pub const NONE: Tools = Tools(0);

    /// The set with `tool` added.
    #[must_use]
    pub fn with(self, tool: Tool) -> Tools {
        Tools(self.0 | tool.bit())
    }

    /// The set of `tools`.
    #[must_use]
    pub fn of(tools: &[Tool]) -> Tools {
        tools.iter().fold(Tools::NONE, |s, t| s.with(*t))
    }

    /// Whether `tool` is in the set.
    #[must_use]
    pub fn contains(self, tool: Tool) -> bool {
        self.0 & tool.bit() != 0
    }

    /// The tools in the set, in display order.
    pub fn iter(self) -> impl Iterator<Item = Tool> {
        Tool::ALL.into_iter().filter(move |t| self.contains(*t))
    }

    /// The set as stored (one bit per tool, in [`Tool::ALL`]'s order).
    #[must_use]
    pub fn bits(self) -> u16 {
        self.0
    }

    /// The set stored as `bits`, if it names only known tools.
    #[must_use]
    pub fn from_bits(bits: u16) -> Option<Tools> {
        (bits & !Tools::ALL.0 == 0).then_some(Tools(bits))
    }

    /// Whether a CSR may ask a customer for `cap` in a session of this type: control of one
    /// application needs both the application and control.
    #[must_use]
    pub fn allows(self, cap: Capability) -> bool {
        match cap {
            Capability::View => self.contains(Tool::View),
            Capability::Control => self.contains(Tool::Control),
            Capability::ViewApp => self.contains(Tool::OneApp),
            Capability::ControlApp => self.contains(Tool::OneApp) && self.contains(Tool::Control),
            Capability::SystemInfo => self.contains(Tool::SystemInfo),
            Capability::Files => self.contains(Tool::BrowseFiles),
        }
    }
}

/// What a certificate says.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CertBody {
    /// The console's endpoint id: the certificate speaks for this host only.
    pub endpoint: [u8; 32],
    /// The CSR's name as customers see it.
    pub csr_name: String,
    /// The organisation's name.
    pub organisation: String,
    /// The organisation's site address.
    pub site_address: String,
    /// The session type.
    pub session_type: String,
    /// What the session type allows.
    pub tools: Tools,
    /// When it was issued, seconds since the Unix epoch.
    pub issued_unix_s: u64,
    /// When it stops being valid.
    pub expires_unix_s: u64,
}

impl CertBody {
    fn is_valid(&self) -> bool {
        is_valid_name(&self.csr_name)
            && !self.organisation.trim().is_empty()
            && is_valid_label(&self.organisation)
            && is_valid_label(&self.session_type)
            && self.site_address.len() <= MAX_SITE_BYTES
            && !self.site_address.chars().any(|c| c.is_control() || c.is_whitespace())
            && Tools::from_bits(self.tools.0).is_some()
            && self.issued_unix_s <= self.expires_unix_s
    }
}

/// A signed certificate, as it travels.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// The public key that signed it.
    pub key: [u8; 32],
    /// The [`CertBody`], postcard-encoded.
    pub body: Vec<u8>,
    /// The ed25519 signature over the prefix and `body` (64 bytes).
    pub signature: Vec<u8>,
}

/// Why a certificate is not believed. The display text is for logs; the agent shows its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    /// Larger than any certificate, or a signature of the wrong size.
    #[error("the certificate is malformed")]
    Malformed,
    /// Signed by a key the organisation does not publish.
    #[error("the certificate is signed by a key the organisation does not publish")]
    UnknownKey,
    /// The signature does not hold: the certificate was forged or changed.
    #[error("the certificate's signature does not hold")]
    BadSignature,
    /// It speaks for another console.
    #[error("the certificate is for another console")]
    OtherEndpoint,
    /// Not valid yet (the clocks disagree by more than the skew allowed).
    #[error("the certificate is not valid yet")]
    NotYetValid,
    /// Expired.
    #[error("the certificate has expired")]
    Expired,
}

impl Certificate {
    /// Signs `body` with the organisation's `secret` key.
    #[must_use]
    pub fn sign(secret: &[u8; 32], body: &CertBody) -> Certificate {
        let key = SigningKey::from_bytes(secret);
        let bytes = postcard::to_stdvec(body).unwrap_or_default();
        let signature = key.sign(&signed_message(&bytes));
        Certificate { key: key.verifying_key().to_bytes(), body: bytes, signature: signature.to_bytes().to_vec() }
    }

    /// Whether the sizes are within bounds (checked before anything else is).
    #[must_use]
    pub fn is_bounded(&self) -> bool {
        self.body.len() <= MAX_BODY_BYTES && self.signature.len() == 64
    }

    /// What the certificate says, if one of `trusted` keys signed it, it speaks for `endpoint`
    /// (the host the connection is pinned to) and it is valid at `now_s`.
    ///
    /// # Errors
    /// [`CertError`] says why it is not believed.
    pub fn verify(&self, trusted: &[[u8; 32]], endpoint: &[u8; 32], now_s: u64) -> Result<CertBody, CertError> {
        if !self.is_bounded() {
            return Err(CertError::Malformed);
        }
        if !trusted.iter().take(MAX_KEYS).any(|k| *k == self.key) {
            return Err(CertError::UnknownKey);
        }
        let key = VerifyingKey::from_bytes(&self.key).map_err(|_| CertError::UnknownKey)?;
        let signature = Signature::from_slice(&self.signature).map_err(|_| CertError::Malformed)?;
        key.verify(&signed_message(&self.body), &signature).map_err(|_| CertError::BadSignature)?;
        // Signed by the organisation: only now is the body read.
        let body: CertBody = match postcard::from_bytes(&self.body) {
            Ok(b) => b,
            Err(_) => return Err(CertError::Malformed),
        };
        if !body.is_valid() {
            return Err(CertError::Malformed);
        }
        if body.endpoint != *endpoint {
            return Err(CertError::OtherEndpoint);
        }
        if now_s.saturating_add(CLOCK_SKEW_S) < body.issued_unix_s {
            return Err(CertError::NotYetValid);
        }
        if now_s >= body.expires_unix_s.saturating_add(CLOCK_SKEW_S) {
            return Err(CertError::Expired);
        }
        Ok(body)
    }

    /// The certificate as text (hex of its postcard bytes), as the site's API carries it.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex::encode(postcard::to_stdvec(self).unwrap_or_default())
    }

    /// The certificate from [`Certificate::to_hex`]'s text, if it is one within bounds.
    #[must_use]
    pub fn from_hex(text: &str) -> Option<Certificate> {
        if text.len() > 2 * (MAX_BODY_BYTES + 200) {
            return None;
        }
        let bytes = hex::decode(text).ok()?;
        let cert: Certificate = postcard::from_bytes(&bytes).ok()?;
        cert.is_bounded().then_some(cert)
    }
}

/// What an agent trusts a site for: the keys the site at `site` published, fetched over TLS
/// from that address when the code was resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trust {
    /// The site's host name as the agent reached it (`support.acme.example`): shown beside a
    /// verified name, since it is what TLS proved.
    pub site: String,
    /// The organisation's published keys.
    pub keys: Vec<[u8; 32]>,
}

/// Who the agent is talking to, as far as it can tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// The console's certificate holds against the site's keys.
    Verified {
        /// What it says.
        body: Box<CertBody>,
        /// The site that vouches (see [`Trust::site`]).
        site: String,
    },
    /// Not verified: the customer is warned.
    Unverified(Unverified),
}

/// Why a console is not verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unverified {
    /// The agent knows no site to check with (a plain invite link).
    NoSite,
    /// The console sent no certificate (its CSR is not signed in to a site).
    NoCertificate,
    /// The certificate was refused.
    Refused(CertError),
}

impl Identity {
    /// Judges the certificate `cert` a host pinned to `host` sent, against `trust`, at `now_s`.
    #[must_use]
    pub fn judge(cert: Option<&Certificate>, trust: Option<&Trust>, host: &[u8; 32], now_s: u64) -> Identity {
        let Some(trust) = trust else { return Identity::Unverified(Unverified::NoSite) };
        let Some(cert) = cert else { return Identity::Unverified(Unverified::NoCertificate) };
        match cert.verify(&trust.keys, host, now_s) {
            Ok(body) => Identity::Verified { body: Box::new(body), site: trust.site.clone() },
            Err(e) => Identity::Unverified(Unverified::Refused(e)),
        }
    }

    /// The tools the organisation allows, when verified (`None`: nothing is certified).
    #[must_use]
    pub fn tools(&self) -> Option<Tools> {
        match self {
            Identity::Verified { body, .. } => Some(body.tools),
            Identity::Unverified(_) => None,
        }
    }

    /// Whether the console is verified.
    #[must_use]
    pub fn is_verified(&self) -> bool {
        matches!(self, Identity::Verified { .. })
    }
}

fn signed_message(body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(DOMAIN.len() + body.len());
    m.extend_from_slice(DOMAIN);
    m.extend_from_slice(body);
    m
}

/// The public key of an organisation's `secret` signing key.
#[must_use]
pub fn public_key(secret: &[u8; 32]) -> [u8; 32] {
    SigningKey::from_bytes(secret).verifying_key().to_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: [u8; 32] = [7; 32];
    const HOST: [u8; 32] = [9; 32];

    fn body() -> CertBody {
        CertBody {
            endpoint: HOST,
            csr_name: "Sam Rivera".into(),
            organisation: "Acme Support".into(),
            site_address: "https://support.acme.example".into(),
            session_type: "Remote support".into(),
            tools: Tools::of(&[Tool::View, Tool::Chat]),
            issued_unix_s: 1_000_000,
            expires_unix_s: 1_000_000 + 3600,
        }
    }

    #[test]
    fn a_signed_certificate_verifies_for_its_endpoint_and_time_only() {
        let cert = Certificate::sign(&ORG, &body());
        let trusted = [public_key(&ORG)];
        assert_eq!(cert.verify(&trusted, &HOST, 1_000_100), Ok(body()));
        assert_eq!(Certificate::from_hex(&cert.to_hex()), Some(cert.clone()));
        assert_eq!(cert.verify(&trusted, &[8; 32], 1_000_100), Err(CertError::OtherEndpoint));
        assert_eq!(cert.verify(&trusted, &HOST, 1_000_000 + 3600 + CLOCK_SKEW_S), Err(CertError::Expired));
        assert_eq!(cert.verify(&trusted, &HOST, 1_000_000 - CLOCK_SKEW_S - 1), Err(CertError::NotYetValid));
        assert_eq!(cert.verify(&[public_key(&[1; 32])], &HOST, 1_000_100), Err(CertError::UnknownKey));
        assert_eq!(cert.verify(&[], &HOST, 1_000_100), Err(CertError::UnknownKey));
    }

    #[test]
    fn a_forged_or_changed_certificate_is_refused_without_reading_it() {
        let trusted = [public_key(&ORG)];
        let good = Certificate::sign(&ORG, &body());
        // Another key's certificate, presented under the organisation's key.
        let mut forged = Certificate::sign(&[1; 32], &body());
        forged.key = public_key(&ORG);
        assert_eq!(forged.verify(&trusted, &HOST, 1_000_100), Err(CertError::BadSignature));
        // One bit of the body changed (say, a tool added).
        let mut changed = good.clone();
        let last = changed.body.len() - 20;
        changed.body[last] ^= 1;
        assert_eq!(changed.verify(&trusted, &HOST, 1_000_100), Err(CertError::BadSignature));
        // Garbage, signed by nobody, is never decoded.
        let garbage = Certificate { key: public_key(&ORG), body: vec![0xff; 64], signature: vec![0; 64] };
        assert_eq!(garbage.verify(&trusted, &HOST, 1_000_100), Err(CertError::BadSignature));
        let short = Certificate { signature: vec![0; 63], ..good.clone() };
        assert_eq!(short.verify(&trusted, &HOST, 1_000_100), Err(CertError::Malformed));
        let huge = Certificate { body: vec![0; MAX_BODY_BYTES + 1], ..good.clone() };
        assert_eq!(huge.verify(&trusted, &HOST, 1_000_100), Err(CertError::Malformed));
        assert_eq!(Certificate::from_hex("zz"), None);
        assert_eq!(Certificate::from_hex(&"00".repeat(4096)), None);
        // A body the organisation signed but that breaks the bounds (a control character).
        let bad = Certificate::sign(&ORG, &CertBody { csr_name: "Sam\nRivera".into(), ..body() });
        assert_eq!(bad.verify(&trusted, &HOST, 1_000_100), Err(CertError::Malformed));
    }

    #[test]
    fn identity_is_verified_only_with_a_site_and_a_good_certificate() {
        let cert = Certificate::sign(&ORG, &body());
        let trust = Trust { site: "support.acme.example".into(), keys: vec![public_key(&ORG)] };
        let now = 1_000_100;
        let id = Identity::judge(Some(&cert), Some(&trust), &HOST, now);
        assert!(id.is_verified());
        assert_eq!(id.tools(), Some(Tools::of(&[Tool::View, Tool::Chat])));
        assert_eq!(Identity::judge(Some(&cert), None, &HOST, now), Identity::Unverified(Unverified::NoSite));
        assert_eq!(Identity::judge(None, Some(&trust), &HOST, now), Identity::Unverified(Unverified::NoCertificate));
        let other = Identity::judge(Some(&cert), Some(&trust), &[1; 32], now);
        assert_eq!(other, Identity::Unverified(Unverified::Refused(CertError::OtherEndpoint)));
        assert_eq!(other.tools(), None);
    }

    #[test]
    fn tools_map_to_capabilities() {
        let t = Tools::of(&[Tool::View, Tool::OneApp]);
        assert!(t.allows(Capability::View) && t.allows(Capability::ViewApp));
        assert!(!t.allows(Capability::Control) && !t.allows(Capability::ControlApp));
        assert!(!t.allows(Capability::Files) && !t.allows(Capability::SystemInfo));
        assert!(Tools::ALL.allows(Capability::ControlApp));
        assert_eq!(Tools::from_bits(Tools::ALL.bits()), Some(Tools::ALL));
        assert_eq!(Tools::from_bits(1 << 12), None);
        for tool in Tool::ALL {
            assert_eq!(Tool::from_key(tool.key()), Some(tool));
        }
        assert_eq!(Tool::from_key("root_shell"), None);
    }
}
