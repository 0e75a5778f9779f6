//! Joining a session: dial the host's candidate addresses at once, pin its certificate, say
//! hello, and receive the welcome. What happens after the welcome is the caller's: the agent
//! enforces consent around the streams this returns.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use deskside_proto::{
    AppKind, Hello, Invite, MAX_CONTROL_MSG_BYTES, PROTOCOL_VERSION, Preview, Refusal, ToGuest, Welcome,
};

use crate::framed::{StreamError, read_msg, write_msg};
use crate::tls;

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
    /// No address answered.
    #[error("The support representative's computer cannot be reached. Check your internet connection and try again.")]
    Unreachable,
    /// A machine answered, but not with the certificate the invite names.
    #[error(
        "The computer that answered is not the one in the invite, so Deskside did not connect. Ask your support representative for a new invite."
    )]
    IdentityMismatch,
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
    pub conn: quinn::Connection,
    /// The control stream's sending half.
    pub send: quinn::SendStream,
    /// The control stream's receiving half.
    pub recv: quinn::RecvStream,
    /// What the host said on admission.
    pub welcome: Welcome,
    /// The host's address that answered.
    pub remote: SocketAddr,
    /// Kept so the endpoint lives as long as the link.
    pub endpoint: quinn::Endpoint,
}

/// The refusal a connection error carries, if the host closed with one.
#[must_use]
pub fn refusal_of(err: &quinn::ConnectionError) -> Option<Refusal> {
    match err {
        quinn::ConnectionError::ApplicationClosed(close) => Refusal::from_code(close.error_code.into_inner()),
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
    conn.close(quinn::VarInt::from_u32(0), b"");
    result
}

fn conn_error(e: &quinn::ConnectionError) -> JoinError {
    refusal_of(e).map_or_else(|| JoinError::Protocol(e.to_string()), JoinError::Refused)
}

/// Maps a failed read or write to what the person should hear: the host's refusal when it
/// closed with one.
fn stream_error(conn: &quinn::Connection, e: &StreamError) -> JoinError {
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

/// Tries every candidate address at once; the first completed handshake wins.
async fn dial(invite: &Invite) -> Result<(quinn::Connection, quinn::Endpoint, SocketAddr), JoinError> {
    let mismatch = Arc::new(AtomicBool::new(false));
    let cfg =
        tls::client_config(invite.fingerprint, mismatch.clone()).map_err(|e| JoinError::Protocol(e.to_string()))?;
    let mut endpoints = Vec::new();
    let mut attempts = tokio::task::JoinSet::new();
    for addr in &invite.addrs {
        let bind: SocketAddr =
            if addr.is_ipv4() { (Ipv4Addr::UNSPECIFIED, 0).into() } else { (Ipv6Addr::UNSPECIFIED, 0).into() };
        let Ok(mut ep) = quinn::Endpoint::client(bind) else {
            continue;
        };
        ep.set_default_client_config(cfg.clone());
        let Ok(connecting) = ep.connect(*addr, tls::SERVER_NAME) else {
            continue;
        };
        let addr = *addr;
        let ep2 = ep.clone();
        attempts.spawn(async move {
            match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
                Ok(Ok(conn)) => Ok((conn, ep2, addr)),
                Ok(Err(e)) => Err(Some(e)),
                Err(_) => Err(None),
            }
        });
        endpoints.push(ep);
    }
    let mut refusal = None;
    while let Some(done) = attempts.join_next().await {
        match done {
            Ok(Ok(found)) => {
                attempts.abort_all();
                return Ok(found);
            }
            Ok(Err(Some(e))) => refusal = refusal.or_else(|| refusal_of(&e)),
            _ => {}
        }
    }
    if mismatch.load(Ordering::SeqCst) {
        return Err(JoinError::IdentityMismatch);
    }
    Err(refusal.map_or(JoinError::Unreachable, JoinError::Refused))
}
