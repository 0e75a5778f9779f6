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

/// `GET /api/v1/relays` (signed in): the team's relays, which consoles name in their invites.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct RelayList {
    /// Their URLs (`https://...`), at most [`crate::invite::MAX_RELAYS`].
    pub urls: Vec<String>,
    /// The token they admit (empty when there are none).
    pub token: String,
}

impl RelayList {
    /// Whether an invite can carry them: at most [`crate::invite::MAX_RELAYS`] valid URLs and,
    /// if there are any, a valid token.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.urls.len() <= crate::invite::MAX_RELAYS
            && self.urls.iter().all(|u| crate::invite::is_valid_relay_url(u))
            && if self.urls.is_empty() {
                self.token.is_empty()
            } else {
                crate::invite::is_valid_relay_token(&self.token)
            }
    }
}

/// A refusal from the site: a machine-readable reason and a sentence for the person.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// `wrong_password`, `too_many_attempts`, `unknown_code`, ...
    pub error: String,
    /// Why, in words.
    pub message: String,
}

/// What ends an agent the site hands out: the site's address, its length (two bytes, little
/// endian) and this mark, appended to the program (which the system ignores), so the agent
/// knows the site that looks up its code without being told.
pub const TRAILER_MARK: &[u8; 16] = b"DESKSIDE-SITE-V1";
/// The most bytes of a program's end that hold its trailer.
pub const MAX_TRAILER_BYTES: usize = crate::cert::MAX_SITE_BYTES + 2 + TRAILER_MARK.len();
/// The start of a link that opens an installed agent with a code and its site:
/// `deskside://code/123456789?site=https%3A%2F%2Fsupport.acme.example`.
pub const CODE_LINK_PREFIX: &str = "deskside://code/";

/// The trailer naming `site` (an address of at most [`crate::cert::MAX_SITE_BYTES`]).
#[must_use]
pub fn site_trailer(site: &str) -> Vec<u8> {
    let site = &site.as_bytes()[..site.len().min(crate::cert::MAX_SITE_BYTES)];
    let len = u16::try_from(site.len()).unwrap_or(0).to_le_bytes();
    [site, &len, TRAILER_MARK].concat()
}

/// The site a program's last bytes (`tail`, at least [`MAX_TRAILER_BYTES`] of them when the
/// program is that long) name, if they end with a trailer holding an `https://` or `http://`
/// address.
#[must_use]
pub fn site_in_trailer(tail: &[u8]) -> Option<String> {
    let rest = tail.strip_suffix(TRAILER_MARK.as_slice())?;
    let (rest, len) = rest.split_at_checked(rest.len().checked_sub(2)?)?;
    let len = usize::from(u16::from_le_bytes([len[0], len[1]]));
    if len == 0 || len > crate::cert::MAX_SITE_BYTES {
        return None;
    }
    let site = std::str::from_utf8(rest.get(rest.len().checked_sub(len)?..)?).ok()?;
    let plain = site.strip_prefix("https://").or_else(|| site.strip_prefix("http://"))?;
    (!plain.is_empty() && !site.chars().any(|c| c.is_control() || c.is_whitespace())).then(|| site.to_owned())
}

/// The link that opens an installed agent with `code` (nine digits) to look up with `site`.
#[must_use]
pub fn code_link(code: ShortCode, site: &str) -> String {
    let site: String = percent_encode(site);
    format!("{CODE_LINK_PREFIX}{}?site={site}", code.digits())
}

/// The code and site address of a [`code_link`] (any case in its prefix).
#[must_use]
pub fn parse_code_link(link: &str) -> Option<(ShortCode, String)> {
    let head = link.get(..CODE_LINK_PREFIX.len())?;
    if !head.eq_ignore_ascii_case(CODE_LINK_PREFIX) || link.len() > 2 * crate::cert::MAX_SITE_BYTES + 64 {
        return None;
    }
    let (digits, query) = link[CODE_LINK_PREFIX.len()..].split_once("?site=")?;
    let code = ShortCode::parse(digits.trim_end_matches('/')).ok()?;
    let site = percent_decode(query)?;
    let tail = site_trailer(&site);
    site_in_trailer(&tail).map(|site| (code, site))
}

/// `s` with everything but the unreserved characters (letters, digits, `-_.~`) written as
/// `%XX`: for a link's query, or a `mailto:` address's.
#[must_use]
pub fn percent_encode(s: &str) -> String {
    use std::fmt::Write as _;
    s.bytes().fold(String::new(), |mut out, b| {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
        out
    })
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
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

    #[test]
    fn relays_are_what_an_invite_can_carry() {
        let ok = RelayList { urls: vec!["https://relay.acme.example".into()], token: "team-relay-token-0123".into() };
        assert!(ok.is_valid());
        assert!(RelayList::default().is_valid(), "none at all");
        assert!(!RelayList { token: "short".into(), ..ok.clone() }.is_valid());
        assert!(!RelayList { urls: vec!["ftp://relay.acme.example".into()], ..ok.clone() }.is_valid());
        assert!(!RelayList { urls: vec![ok.urls[0].clone(); 4], ..ok.clone() }.is_valid());
        assert!(!RelayList { urls: vec![], ..ok }.is_valid(), "a token without relays");
    }

    #[test]
    fn a_program_names_its_site_at_its_end() {
        let program =
            [vec![0x7f, b'E', b'L', b'F'], vec![0; 1000], site_trailer("https://support.acme.example")].concat();
        let tail = &program[program.len() - MAX_TRAILER_BYTES..];
        assert_eq!(site_in_trailer(tail).as_deref(), Some("https://support.acme.example"));
        assert_eq!(site_in_trailer(&program).as_deref(), Some("https://support.acme.example"));
        // A program without one, one cut short, and hostile ones name nothing.
        assert_eq!(site_in_trailer(&program[..1004]), None);
        assert_eq!(site_in_trailer(&program[program.len() - 20..]), None);
        assert_eq!(site_in_trailer(TRAILER_MARK), None);
        assert_eq!(site_in_trailer(&[&[0xff, 0xff][..], TRAILER_MARK].concat()), None);
        assert_eq!(site_in_trailer(&site_trailer("file:///etc/passwd")), None);
        assert_eq!(site_in_trailer(&site_trailer("https://a b")), None);
        assert_eq!(site_in_trailer(&site_trailer("https://")), None);
    }

    #[test]
    fn code_links_carry_the_code_and_its_site() {
        let code = ShortCode::parse("012 345 678").unwrap();
        let link = code_link(code, "http://127.0.0.1:8080");
        assert_eq!(link, "deskside://code/012345678?site=http%3A%2F%2F127.0.0.1%3A8080");
        assert_eq!(parse_code_link(&link), Some((code, "http://127.0.0.1:8080".to_owned())));
        let shouted = link.replace("deskside://code/", "DESKSIDE://CODE/").replace("%3A", "%3a");
        assert_eq!(
            parse_code_link(&shouted),
            Some((code, "http://127.0.0.1:8080".to_owned())),
            "any case, as links come"
        );
        assert_eq!(
            parse_code_link("deskside://code/012345678/?site=https%3A%2F%2Fx.example").map(|c| c.1),
            Some("https://x.example".to_owned())
        );
        assert_eq!(parse_code_link("deskside://code/12?site=https%3A%2F%2Fx.example"), None);
        assert_eq!(parse_code_link("deskside://code/012345678?site=javascript%3Aalert(1)"), None);
        assert_eq!(parse_code_link("deskside://code/012345678?site=%ZZ"), None);
        assert_eq!(parse_code_link("deskside://join/012345678?site=https%3A%2F%2Fx.example"), None);
    }
}
