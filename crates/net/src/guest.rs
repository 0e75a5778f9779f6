//! Joining a session: connect to the host's endpoint id on every path the invite names, say
//! hello, and receive the welcome. What happens after the welcome is the caller's: the agent
//! enforces consent around the streams this returns.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use deskside_proto::{
    AppKind, Hello, Invite, MAX_CONTROL_MSG_BYTES, PROTOCOL_VERSION, Preview, Refusal, ToGuest, Welcome,
};

use crate::framed::{StreamError, read_msg, write_msg};

/// How long one address is tried.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(6);
/// How long the host has to answer the hello.
const WELCOME_TIMEOUT: Duration = Duration::from_secs(10);

/// Why joining failed, in words a customer understands.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum JoinError {
    /// The invite's time is up.
    #[error("This invite has expired. Ask your support representative for a new one.")]
    Expired,
    /// The host answered on no path: not directly, not through a relay this side reached.
    #[error(
        "The support representative's computer did not answer. Their session may have ended: tell them, and try again when they say."
    )]
    Unreachable,
    /// Nothing answered and no relay could be reached either: this network (or its firewall)
    /// lets none of Deskside's traffic out, or the relays are down.
    #[error(
        "Deskside reached neither the support representative's computer nor the support team's relay ({host}). If this network has a firewall, ask your IT department to allow TCP port {tcp_port} (HTTPS) and UDP port {udp_port} to {host}, and outgoing UDP, or try another network."
    )]
    Blocked {
        /// The first relay's host name or address.
        host: String,
        /// Its HTTPS port (TCP).
        tcp_port: u16,
        /// Its QUIC address discovery port (UDP).
        udp_port: u16,
    },
    /// A machine answered, but its handshake did not prove the identity the invite names.
    #[error(
        "The computer that answered is not the one in the invite, so Deskside did not connect. Ask your support representative for a new invite."
    )]
    IdentityMismatch,
    /// The support team's relay did not admit this connection (the invite's key is not one it
    /// knows).
    #[error(
        "The support team's relay refused this invite's key, so Deskside could not connect. Ask your support representative for a new invite."
    )]
    RelayRefused,
    /// The host refused.
    #[error("{0}")]
    Refused(Refusal),
    /// The host broke the protocol.
    #[error("The connection failed: {0}")]
    Protocol(String),
}

/// An admitted participant's connection.
pub struct GuestLink {
    /// The connection.
    pub conn: iroh::endpoint::Connection,
    /// The control stream's sending half.
    pub send: iroh::endpoint::SendStream,
    /// The control stream's receiving half.
    pub recv: iroh::endpoint::RecvStream,
    /// What the host said on admission.
    pub welcome: Welcome,
    /// The host's address that answered.
    pub remote: SocketAddr,
    /// Kept so the endpoint lives as long as the link.
    pub endpoint: crate::transport::OwnedEndpoint,
}

/// The refusal a connection error carries, if the host closed with one.
#[must_use]
pub fn refusal_of(err: &iroh::endpoint::ConnectionError) -> Option<Refusal> {
    match err {
        iroh::endpoint::ConnectionError::ApplicationClosed(close) => Refusal::from_code(close.error_code.into_inner()),
        _ => None,
    }
}

/// Joins the session `invite` names, as `name`, speaking as `app`. `now_s` is the current time
/// in seconds since the Unix epoch.
pub async fn join(invite: &Invite, name: &str, app: AppKind, now_s: u64) -> Result<GuestLink, JoinError> {
    join_with_version(invite, name, app, now_s, PROTOCOL_VERSION).await
}

/// [`join`], announcing protocol `version` (tests use this to play an old or future peer).
pub async fn join_with_version(
    invite: &Invite,
    name: &str,
    app: AppKind,
    now_s: u64,
    version: u32,
) -> Result<GuestLink, JoinError> {
    if invite.is_expired(now_s) {
        return Err(JoinError::Expired);
    }
    let hello = Hello {
        version,
        session: invite.session,
        secret: invite.secret,
        name: name.to_owned(),
        app,
        preview: false,
        resume: false,
    };
    admit(invite, &hello).await
}

/// Comes back to one's seat after the connection dropped, with the resumption `ticket` the host
/// gave ([`ToGuest::Ticket`]): no new invite is needed (the invite's own expiry does not
/// matter), only the host's address and identity from it.
pub async fn resume(invite: &Invite, ticket: [u8; 16], name: &str, app: AppKind) -> Result<GuestLink, JoinError> {
    let hello = Hello {
        version: PROTOCOL_VERSION,
        session: invite.session,
        secret: ticket,
        name: name.to_owned(),
        app,
        preview: false,
        resume: true,
    };
    admit(invite, &hello).await
}

/// Dials, says `hello` and waits for the welcome.
async fn admit(invite: &Invite, hello: &Hello) -> Result<GuestLink, JoinError> {
    let (conn, endpoint, remote) = dial(invite).await?;
    let (mut send, mut recv) = conn.open_bi().await.map_err(|e| conn_error(&e))?;
    write_msg(&mut send, hello, MAX_CONTROL_MSG_BYTES).await.map_err(|e| stream_error(&conn, &e))?;
    let first = tokio::time::timeout(WELCOME_TIMEOUT, read_msg::<ToGuest>(&mut recv, MAX_CONTROL_MSG_BYTES))
        .await
        .map_err(|_| JoinError::Protocol("the host did not answer".into()))?;
    match first {
        Ok(ToGuest::Welcome(welcome)) if welcome.is_valid() => {
            Ok(GuestLink { conn, send, recv, welcome, remote, endpoint })
        }
        Ok(_) => {
            crate::host::close(&conn, Refusal::Malformed);
            Err(JoinError::Protocol("the host did not welcome us".into()))
        }
        Err(e) => Err(stream_error(&conn, &e)),
    }
}

/// Asks who is behind `invite` (the CSR's name, organisation and session type) without joining:
/// the invite stays unused. `now_s` is the current time in seconds since the Unix epoch.
pub async fn preview(invite: &Invite, app: AppKind, now_s: u64) -> Result<Preview, JoinError> {
    if invite.is_expired(now_s) {
        return Err(JoinError::Expired);
    }
    let (conn, _endpoint, _) = dial(invite).await?;
    let (mut send, mut recv) = conn.open_bi().await.map_err(|e| conn_error(&e))?;
    let hello = Hello {
        version: PROTOCOL_VERSION,
        session: invite.session,
        secret: invite.secret,
        name: "preview".into(),
        app,
        preview: true,
        resume: false,
    };
    write_msg(&mut send, &hello, MAX_CONTROL_MSG_BYTES).await.map_err(|e| stream_error(&conn, &e))?;
    let first = tokio::time::timeout(WELCOME_TIMEOUT, read_msg::<ToGuest>(&mut recv, MAX_CONTROL_MSG_BYTES))
        .await
        .map_err(|_| JoinError::Protocol("the host did not answer".into()))?;
    let result = match first {
        Ok(m @ ToGuest::Preview(_)) if !m.is_valid() => {
            crate::host::close(&conn, Refusal::Malformed);
            Err(JoinError::Protocol("the host sent a preview Deskside does not understand".into()))
        }
        Ok(ToGuest::Preview(p)) => Ok(p),
        Ok(_) => Err(JoinError::Protocol("the host did not answer the preview".into())),
        Err(e) => Err(stream_error(&conn, &e)),
    };
    conn.close(iroh::endpoint::VarInt::from_u32(0), b"");
    result
}

fn conn_error(e: &iroh::endpoint::ConnectionError) -> JoinError {
    refusal_of(e).map_or_else(|| JoinError::Protocol(e.to_string()), JoinError::Refused)
}

/// Maps a failed read or write to what the person should hear: the host's refusal when it
/// closed with one.
fn stream_error(conn: &iroh::endpoint::Connection, e: &StreamError) -> JoinError {
    if let Some(reason) = conn.close_reason() {
        return conn_error(&reason);
    }
    match e {
        StreamError::Frame(_) => {
            crate::host::close(conn, Refusal::Malformed);
            JoinError::Refused(Refusal::Malformed)
        }
        other => JoinError::Protocol(other.to_string()),
    }
}

/// Connects to the host the invite names: its endpoint id, at its direct addresses and through
/// its relays at once (iroh tries every path and keeps the best). Only that id is accepted: the
/// handshake proves it.
async fn dial(
    invite: &Invite,
) -> Result<(iroh::endpoint::Connection, crate::transport::OwnedEndpoint, SocketAddr), JoinError> {
    let Ok(id) = iroh::EndpointId::from_bytes(&invite.host.id) else {
        return Err(JoinError::IdentityMismatch);
    };
    let relays = crate::transport::Relays {
        urls: invite.host.relays.clone(),
        token: invite.host.relay_token.clone(),
        roots: Vec::new(),
    };
    let endpoint = crate::transport::client_endpoint(&relays)
        .await
        .map(crate::transport::OwnedEndpoint::new)
        .map_err(|e| JoinError::Protocol(e.to_string()))?;
    let mut addr = iroh::EndpointAddr::new(id);
    for a in &invite.host.addrs {
        addr = addr.with_ip_addr(*a);
    }
    for r in invite.host.relays.iter().filter_map(|r| r.parse::<iroh::RelayUrl>().ok()) {
        addr = addr.with_relay_url(r);
    }
    let first = invite.host.addrs.first().copied().unwrap_or_else(|| (Ipv4Addr::UNSPECIFIED, 0).into());
    let failed = match tokio::time::timeout(CONNECT_TIMEOUT, endpoint.connect(addr, deskside_proto::ALPN)).await {
        Ok(Ok(conn)) => return Ok((conn, endpoint, first)),
        Ok(Err(e)) => connect_error(&e),
        Err(_) => JoinError::Unreachable,
    };
    // Not reached: if a relay said why it would not carry this connection, that is the reason;
    // if no relay could be reached at all, the network is the likely cause.
    let mut status = endpoint.home_relay_status();
    let status = iroh::Watcher::get(&mut status);
    if failed != JoinError::Unreachable {
        return Err(failed);
    }
    if status.iter().any(|r| r.auth_denied_reason().is_some()) {
        return Err(JoinError::RelayRefused);
    }
    match invite.host.relays.first().and_then(|r| r.parse::<iroh::RelayUrl>().ok()) {
        Some(relay) if !status.iter().any(iroh::endpoint::RelayStatus::is_connected) => Err(blocked(&relay)),
        _ => Err(failed),
    }
}

/// [`JoinError::Blocked`] for `relay`: what this side needs to reach it (HTTPS over TCP, QUIC
/// address discovery over UDP); the representative's computer needs outgoing UDP.
fn blocked(relay: &iroh::RelayUrl) -> JoinError {
    JoinError::Blocked {
        host: relay.host_str().unwrap_or_default().to_owned(),
        tcp_port: relay.port_or_known_default().unwrap_or(443),
        udp_port: QAD_PORT,
    }
}

/// The UDP port of a relay's QUIC address discovery (iroh's default, which endpoints assume).
pub const QAD_PORT: u16 = 7842;

/// What a failed connection attempt means for the person: the host refused, another machine
/// answered in its place (its handshake did not prove the invite's id), or nothing answered.
fn connect_error(e: &iroh::endpoint::ConnectError) -> JoinError {
    use iroh::endpoint::{ConnectError, ConnectingError, ConnectionError};
    let conn = match e {
        ConnectError::Connecting { source: ConnectingError::ConnectionError { source, .. }, .. }
        | ConnectError::Connection { source, .. } => Some(source),
        _ => None,
    };
    match conn {
        Some(ConnectionError::TransportError(t)) if is_crypto_error(t) => JoinError::IdentityMismatch,
        Some(c) => refusal_of(c).map_or(JoinError::Unreachable, JoinError::Refused),
        None => JoinError::Unreachable,
    }
}

/// Whether a transport error is the TLS handshake failing (the peer's key is not the one asked
/// for).
fn is_crypto_error(t: &iroh::endpoint::TransportError) -> bool {
    let code = u64::from(t.code);
    (0x100..0x200).contains(&code)
}
