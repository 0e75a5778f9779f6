//! The support site's API as it crosses the network: the short code a customer types (nine
//! digits, read as people type them) and the JSON bodies consoles, agents and the site exchange.
//! Everything here is parsed from a hostile peer: the site checks every field's length, and a
//! client reads at most [`MAX_RESPONSE_BYTES`] of an answer.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Most bytes of a site's answer a console or agent reads.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// Digits in a short code: 10^9 codes, of which a team has at most a few thousand live at once.
pub const DIGITS: usize = 9;

/// A short code: nine digits a customer can read over the phone, standing for one invite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ShortCode(u32);

/// Why a typed text is not a short code. Worded for the customer by the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Nothing but spaces.
    #[error("Please enter the 9-digit code your support representative gave you.")]
    Empty,
    /// A character other than digits and the separators people type.
    #[error("A support code has digits only. Please check what you typed.")]
    NotDigits,
    /// Too few or too many digits.
    #[error("A support code has 9 digits; this has {0}. Please check what you typed.")]
    WrongLength(usize),
}

impl ShortCode {
    /// The code made of the nine decimal digits of `n` modulo 10^9 (from random bytes).
    #[must_use]
    pub fn from_random(n: u64) -> ShortCode {
        ShortCode((n % 1_000_000_000) as u32)
    }

    /// Reads a code as people type or paste it: digits, with spaces, dashes or dots anywhere
    /// ("123 456 789", "123-456-789"), or in the agent's file name as the site names the
    /// download (`deskside-agent-123456789.exe`, with the " (1)" browsers add). At most 64
    /// characters are looked at.
    ///
    /// # Errors
    /// [`CodeError`] says what is wrong.
    pub fn parse(typed: &str) -> Result<ShortCode, CodeError> {
        let typed = typed.trim();
        let typed = crate::invite::file_name_code(typed).unwrap_or(typed);
        if typed.is_empty() {
            return Err(CodeError::Empty);
        }
        let mut n: u32 = 0;
        let mut digits = 0usize;
        for c in typed.chars().take(64) {
            match c {
                '0'..='9' => {
                    digits += 1;
                    if digits <= DIGITS {
                        n = n * 10 + (c as u32 - '0' as u32);
                    }
                }
                ' ' | '-' | '.' | '\u{a0}' => {}
                _ => return Err(CodeError::NotDigits),
            }
        }
        if typed.chars().count() > 64 || digits != DIGITS {
            return Err(CodeError::WrongLength(digits));
        }
        Ok(ShortCode(n))
    }

    /// The code as the store keeps it: nine digits, leading zeros kept.
    #[must_use]
    pub fn digits(self) -> String {
        format!("{:09}", self.0)
    }
}

impl fmt::Display for ShortCode {
    /// In three groups, as it is read out: `123 456 789`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.digits();
        write!(f, "{} {} {}", &d[0..3], &d[3..6], &d[6..9])
    }
}

/// `POST /api/v1/sign-in`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The account's e-mail address.
    pub email: String,
    /// Its password.
    pub password: String,
}

/// What a console gets when it signs in.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    /// The bearer token for the API.
    pub token: String,
    /// When it stops working, seconds since the Unix epoch.
    pub expires_unix_s: u64,
    /// The CSR's name as customers see it.
    pub display_name: String,
    /// The organisation's name as customers see it.
    pub organisation: String,
    /// The site's public address.
    pub site_address: String,
}

/// `POST /api/v1/codes` (signed in): a short code for an invite.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NewCode {
    /// The invite's text code.
    pub invite: String,
}

/// A short code the site made for an invite.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Code {
    /// Nine digits.
    pub code: String,
    /// The same, as read out: `123 456 789`.
    pub display: String,
    /// When it stops working, seconds since the Unix epoch.
    pub expires_unix_s: u64,
}

/// `POST /api/v1/resolve` (no account).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Resolve {
    /// The code as typed.
    pub code: String,
}

/// The invite behind a short code, and the keys to check its console's certificate with.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The invite's text code, parsed by the agent like any invite.
    pub invite: String,
    /// The organisation's published keys, as [`Keys::keys`].
    pub keys: Vec<String>,
}

/// `GET /api/v1/keys` (no account): the keys the organisation's certificates are signed with.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Keys {
    /// The organisation's name.
    pub organisation: String,
    /// Its public keys (hex), the signing one, the next one and recently retired ones.
    pub keys: Vec<String>,
}

/// The keys of `hex` texts that are 32-byte keys, at most [`crate::cert::MAX_KEYS`] of them
/// (a site's hostile answer is cut there; a malformed one is left out).
#[must_use]
pub fn parse_keys(hex_keys: &[String]) -> Vec<[u8; 32]> {
    hex_keys
        .iter()
        .take(crate::cert::MAX_KEYS)
        .filter_map(|k| hex::decode(k).ok().and_then(|b| <[u8; 32]>::try_from(b).ok()))
        .collect()
}

/// A session type as the console offers it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SessionTypeInfo {
    /// Its id on the site.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Whether a tracking code must be given.
    pub tracking_required: bool,
    /// What it allows, by [`crate::cert::Tool::key`].
    pub tools: Vec<String>,
}

impl SessionTypeInfo {
    /// The tools it allows (names this build does not know are left out).
    #[must_use]
    pub fn tool_set(&self) -> crate::cert::Tools {
        self.tools
            .iter()
            .filter_map(|k| crate::cert::Tool::from_key(k))
            .fold(crate::cert::Tools::NONE, crate::cert::Tools::with)
    }
}

/// `GET /api/v1/session-types` (signed in): the types a CSR may start.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SessionTypes {
    /// The types, by name.
    pub types: Vec<SessionTypeInfo>,
}

/// `POST /api/v1/certificate` (signed in): a certificate for a console's endpoint and a type.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NewCertificate {
    /// The console's endpoint id, hex.
    pub endpoint: String,
    /// The session type's id.
    pub session_type: i64,
}

/// A certificate the site issued.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    /// [`crate::cert::Certificate::to_hex`].
    pub certificate: String,
    /// When it expires, seconds since the Unix epoch.
    pub expires_unix_s: u64,
}

/// A refusal from the site: a machine-readable reason and a sentence for the person.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// `wrong_password`, `too_many_attempts`, `unknown_code`, ...
    pub error: String,
    /// Why, in words.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_people_type_them() {
        let c = ShortCode::parse("012 345-678").unwrap();
        assert_eq!(c.digits(), "012345678");
        assert_eq!(c.to_string(), "012 345 678");
        assert_eq!(ShortCode::parse(" 012345678 "), Ok(c));
        assert_eq!(ShortCode::parse("/home/ana/Downloads/deskside-agent-012345678 (1).exe"), Ok(c));
        assert_eq!(ShortCode::parse("Deskside-Agent-012345678"), Ok(c));
        assert_eq!(ShortCode::parse("deskside-agent-01234567.exe"), Err(CodeError::WrongLength(8)));
        assert_eq!(ShortCode::parse(""), Err(CodeError::Empty));
        assert_eq!(ShortCode::parse("12345678"), Err(CodeError::WrongLength(8)));
        assert_eq!(ShortCode::parse("1234567890"), Err(CodeError::WrongLength(10)));
        assert_eq!(ShortCode::parse("12345678x"), Err(CodeError::NotDigits));
        assert_eq!(ShortCode::parse("1' OR 1=1 --"), Err(CodeError::NotDigits));
        // A megabyte of digits is not read to its end, and is refused.
        assert!(matches!(ShortCode::parse(&"1".repeat(1 << 20)), Err(CodeError::WrongLength(_))));
        assert_eq!(ShortCode::from_random(u64::MAX).digits().len(), DIGITS);
        assert_eq!(ShortCode::from_random(7).digits(), "000000007");
    }
}
