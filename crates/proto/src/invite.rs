//! Invites: what a participant needs to join a session, as a `deskside://join/...` link and as
//! an equivalent text code.
//!
//! Binary form: a format byte, the postcard-encoded fields, then the first 4 bytes of the SHA-256
//! of everything before them (a checksum that catches typing mistakes). Text form: that binary in
//! Crockford base32 (digits and capitals without I, L, O, U, so it survives being read aloud),
//! grouped by five with dashes. Reading is forgiving where it is safe: case, spaces and dashes
//! are ignored, and O, I and L are read as 0, 1 and 1.

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{InviteRole, SessionId};

/// The link scheme and path prefix.
pub const LINK_PREFIX: &str = "deskside://join/";
/// The agent file-name prefix that carries a code (`deskside-agent-<code>`).
pub const FILE_PREFIX: &str = "deskside-agent-";
/// Most direct addresses a host's address may carry.
pub const MAX_ADDRS: usize = 8;
/// Most relays a host's address may name.
pub const MAX_RELAYS: usize = 3;
/// Longest relay URL, in bytes.
pub const MAX_RELAY_URL_BYTES: usize = 100;
/// Longest text accepted as an invite, in bytes.
pub const MAX_TEXT_BYTES: usize = 1200;

const FORMAT: u8 = 2;

/// Who a host is and where it may be reached: its endpoint id (an ed25519 public key, which the
/// QUIC handshake proves: the joining side connects to this id and to no other), the support
/// team's relays it is reachable through, and the direct addresses it knows, best first.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct HostAddr {
    /// The host's endpoint id.
    pub id: [u8; 32],
    /// The relays (`https://...` URLs) the host is reachable through.
    pub relays: Vec<String>,
    /// The token the team's relays admit (empty when there are none).
    pub relay_token: String,
    /// Direct addresses, IPv4 and IPv6.
    pub addrs: Vec<SocketAddr>,
}

impl HostAddr {
    /// Checks the bounds: some way to reach it, not too many, each relay a plain `http(s)://`
    /// URL without spaces or control characters.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        (!self.addrs.is_empty() || !self.relays.is_empty())
            && self.addrs.len() <= MAX_ADDRS
            && self.relays.len() <= MAX_RELAYS
            && self.relays.iter().all(|r| is_valid_relay_url(r))
            && (self.relay_token.is_empty() || is_valid_relay_token(&self.relay_token))
    }
}

/// Longest relay token, in bytes.
pub const MAX_RELAY_TOKEN_BYTES: usize = 128;

/// Whether `token` can be a relay token: long enough not to be guessed (16 bytes or more),
/// bounded, and only characters that travel unchanged in a header, a link and a settings file.
#[must_use]
pub fn is_valid_relay_token(token: &str) -> bool {
    (16..=MAX_RELAY_TOKEN_BYTES).contains(&token.len())
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Whether `url` is acceptable as a relay's URL: `https://` (or `http://`, for a lab), bounded,
/// no whitespace or control characters.
#[must_use]
pub fn is_valid_relay_url(url: &str) -> bool {
    url.len() <= MAX_RELAY_URL_BYTES
        && (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "https://".len()
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}
const CHECKSUM_BYTES: usize = 4;
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// An invite to one session.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Invite {
    /// Who the host is and where it may be reached; the joining side connects to its id only.
    pub host: HostAddr,
    /// The session.
    pub session: SessionId,
    /// Who the invite admits.
    pub role: InviteRole,
    /// Single-use secret.
    pub secret: [u8; 16],
    /// When the invite stops working, in seconds since the Unix epoch.
    pub expires_unix_s: u64,
}

/// Why a text is not a usable invite. The display text is for the customer.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InviteError {
    /// Nothing was given.
    #[error("Please enter the invite code your support representative gave you.")]
    Empty,
    /// Far longer than any invite.
    #[error("This is too long to be an invite code. Please check what you pasted.")]
    TooLong,
    /// A character that no invite contains.
    #[error("The invite code contains '{0}', which is not part of any invite code. Please check it.")]
    BadCharacter(char),
    /// The checksum does not match: a typing mistake, or a truncated code.
    #[error("This invite code is incomplete or has a typing mistake. Please check it or ask for a new one.")]
    Checksum,
    /// The code decodes, but not to a valid invite.
    #[error("This invite code is not valid. Please ask your support representative for a new one.")]
    Invalid,
}

impl Invite {
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![FORMAT];
        // Encoding an in-memory invite cannot fail: postcard only fails on unsupported types.
        out = postcard::to_extend(self, out).unwrap_or_else(|_| vec![FORMAT]);
        let sum = Sha256::digest(&out);
        out.extend_from_slice(&sum[..CHECKSUM_BYTES]);
        out
    }

    /// The invite as a text code, grouped by five characters with dashes.
    #[must_use]
    pub fn to_code(&self) -> String {
        let raw = base32_encode(&self.to_bytes());
        raw.as_bytes().chunks(5).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect::<Vec<_>>().join("-")
    }

    /// The invite as a `deskside://join/...` link.
    #[must_use]
    pub fn to_link(&self) -> String {
        format!("{LINK_PREFIX}{}", base32_encode(&self.to_bytes()))
    }

    /// Parses a link, a code, or an agent file name carrying a code.
    pub fn parse(input: &str) -> Result<Invite, InviteError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(InviteError::Empty);
        }
        if text.len() > MAX_TEXT_BYTES {
            return Err(InviteError::TooLong);
        }
        let text = strip_prefix_ci(text, LINK_PREFIX).unwrap_or(text);
        let text = file_name_code(text).unwrap_or(text);
        let text = text.trim_end_matches('/');
        let bytes = base32_decode(text)?;
        if bytes.len() < 1 + CHECKSUM_BYTES {
            return Err(InviteError::Checksum);
        }
        let (body, sum) = bytes.split_at(bytes.len() - CHECKSUM_BYTES);
        if Sha256::digest(body)[..CHECKSUM_BYTES] != *sum {
            return Err(InviteError::Checksum);
        }
        if body[0] != FORMAT {
            return Err(InviteError::Invalid);
        }
        let Ok((invite, [])) = postcard::take_from_bytes::<Invite>(&body[1..]) else {
            return Err(InviteError::Invalid);
        };
        if !invite.host.is_valid() {
            return Err(InviteError::Invalid);
        }
        Ok(invite)
    }

    /// Whether the invite has expired at `now_unix_s`.
    #[must_use]
    pub fn is_expired(&self, now_unix_s: u64) -> bool {
        now_unix_s >= self.expires_unix_s
    }
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

/// The code inside an agent file name: a path's last part, `deskside-agent-<code>`, with an
/// optional extension such as `.exe` and a browser's duplicate suffix such as ` (1)`.
pub(crate) fn file_name_code(text: &str) -> Option<&str> {
    let name = text.rsplit(['/', '\\']).next()?;
    let rest = strip_prefix_ci(name, FILE_PREFIX)?;
    let rest = rest.split(['.', ' ']).next()?;
    Some(rest)
}

fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((acc >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((acc << (5 - bits)) & 31) as usize]));
    }
    out
}

fn base32_value(c: char) -> Option<u32> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        c => c,
    };
    ALPHABET.iter().position(|&a| char::from(a) == c).map(|p| p as u32)
}

fn base32_decode(text: &str) -> Result<Vec<u8>, InviteError> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.chars() {
        if c == '-' || c.is_whitespace() {
            continue;
        }
        let v = base32_value(c).ok_or(InviteError::BadCharacter(c))?;
        acc = ((acc << 5) | v) & 0xFFFF;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Invite {
        Invite {
            host: HostAddr {
                id: [0xAB; 32],
                relays: vec!["https://relay.acme.example".into()],
                relay_token: "acme-7Gf2kQ9xLm4Rt8Wz".into(),
                addrs: vec!["203.0.113.7:45123".parse().unwrap(), "[2001:db8::7]:45123".parse().unwrap()],
            },
            session: SessionId([7; 16]),
            role: InviteRole::Customer,
            secret: [0x5A; 16],
            expires_unix_s: 1_790_000_000,
        }
    }

    #[test]
    fn code_and_link_round_trip() {
        let inv = sample();
        assert_eq!(Invite::parse(&inv.to_code()).unwrap(), inv);
        assert_eq!(Invite::parse(&inv.to_link()).unwrap(), inv);
    }

    #[test]
    fn reading_is_forgiving_where_safe() {
        let inv = sample();
        let code = inv.to_code().to_lowercase().replace('-', " ");
        assert_eq!(Invite::parse(&format!("  {code}\n")).unwrap(), inv);
        let link = inv.to_link().replace("deskside://join/", "DESKSIDE://JOIN/");
        assert_eq!(Invite::parse(&format!("{link}/")).unwrap(), inv);
    }

    #[test]
    fn file_names_carry_codes() {
        let inv = sample();
        let raw = inv.to_link()[LINK_PREFIX.len()..].to_string();
        for name in [
            format!("deskside-agent-{raw}"),
            format!("/home/ana/Downloads/deskside-agent-{raw}.exe"),
            format!("C:\\Users\\ana\\Downloads\\deskside-agent-{raw} (1).exe"),
        ] {
            assert_eq!(Invite::parse(&name).unwrap(), inv, "{name}");
        }
    }

    #[test]
    fn typing_mistakes_are_caught() {
        let code = sample().to_code();
        let mut chars: Vec<char> = code.chars().collect();
        let i = chars.iter().position(|c| *c != '-').unwrap() + 3;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let typo: String = chars.into_iter().collect();
        assert_eq!(Invite::parse(&typo), Err(InviteError::Checksum));
        assert_eq!(Invite::parse(&code[..code.len() - 6]), Err(InviteError::Checksum));
    }

    #[test]
    fn bad_input_is_refused_clearly() {
        assert_eq!(Invite::parse("   "), Err(InviteError::Empty));
        assert_eq!(Invite::parse(&"A".repeat(1300)), Err(InviteError::TooLong));
        assert_eq!(Invite::parse("ABC*DEF"), Err(InviteError::BadCharacter('*')));
        assert_eq!(Invite::parse("AB"), Err(InviteError::Checksum));
        assert_eq!(Invite::parse("https://example.com"), Err(InviteError::BadCharacter(':')));
    }

    #[test]
    fn an_invite_without_a_way_to_the_host_or_with_a_strange_relay_is_invalid() {
        let mut inv = sample();
        inv.host.addrs.clear();
        assert_eq!(Invite::parse(&inv.to_code()).unwrap(), inv, "a relay alone reaches the host");
        inv.host.relays.clear();
        assert_eq!(Invite::parse(&inv.to_code()), Err(InviteError::Invalid));
        let mut short_token = sample();
        short_token.host.relay_token = "abc".into();
        assert_eq!(Invite::parse(&short_token.to_code()), Err(InviteError::Invalid), "a guessable token");
        short_token.host.relay_token = "acme 7Gf2kQ9xLm4Rt8Wz".into();
        assert_eq!(Invite::parse(&short_token.to_code()), Err(InviteError::Invalid), "a space");
        for bad in [
            "ftp://relay",
            "https://",
            "https://relay .example",
            "https://relay\n",
            &format!("https://{}", "r".repeat(100)),
        ] {
            let mut inv = sample();
            inv.host.relays = vec![bad.to_owned()];
            assert_eq!(Invite::parse(&inv.to_code()), Err(InviteError::Invalid), "{bad}");
        }
    }

    #[test]
    fn an_invite_with_a_relay_and_addresses_stays_a_short_link() {
        let inv = sample();
        assert!(inv.to_link().len() < 280, "{} characters", inv.to_link().len());
    }

    #[test]
    fn expiry() {
        let inv = sample();
        assert!(!inv.is_expired(inv.expires_unix_s - 1));
        assert!(inv.is_expired(inv.expires_unix_s));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,700}") {
            let _ = Invite::parse(&s);
        }

        #[test]
        fn arbitrary_base32_never_panics(s in "[0-9A-Z]{0,200}") {
            let _ = Invite::parse(&s);
        }
    }
}
