//! The hub a console runs when it hosts a session.
//!
//! One task (the hub) owns the sans-IO [`Session`] and is the only one that changes it. Each
//! connection has a reader task (control stream → hub), a writer task (hub → control stream and
//! input stream) and a task per screen stream that decodes frames into the [`SharedScreen`] the
//! UI paints from. Every channel is bounded; a peer that cannot keep up is disconnected rather
//! than queued for without limit.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deskside_proto::{
    Capability, ChatLine, ChatTarget, InputEvent, Invite, InviteRole, ParticipantId, ParticipantInfo, Refusal,
    SessionId,
};
use deskside_session::{Session, SessionConfig};
use tokio::sync::mpsc;

use crate::moves::MoveInfo;
use crate::{Identity, now_ms, random_bytes};

mod hub;
mod moves;
mod peer;
mod relay;
mod screen;

use hub::{FromConn, Hub, Outgoing};
use moves::Board;
use peer::{Allowed, accept_loop};
pub use screen::SharedScreen;
pub(crate) use screen::read_screen;
use screen::relay_screen;

/// Called whenever there is something new for the UI (an event or a frame): the console passes
/// `egui::Context::request_repaint`.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// Control messages queued for one peer before it counts as unresponsive.
const PEER_QUEUE: usize = 512;
/// Events queued for the UI.
const EVENT_QUEUE: usize = 4096;
/// Commands queued from the UI.
const COMMAND_QUEUE: usize = 256;
/// Connections being admitted at once (in their handshake or waiting for their hello), from every
/// source together. When all are taken, a newcomer takes the oldest one's place: a connection
/// that does not say hello can delay an honest one by at most its own deadline, never keep it out.
const MAX_HANDSHAKES: usize = 64;
/// Connections being admitted at once from one address: one address cannot take every slot.
const MAX_HANDSHAKES_PER_SOURCE: usize = 4;
/// How long a host waits for its relay before it starts without it.
const RELAY_WAIT: Duration = Duration::from_secs(5);
/// How long a new connection has, from its first packet, to finish the handshake and say hello.
const HELLO_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a screen or inventory stream that arrives just before the grant it needs waits for
/// it (the grant travels on the control stream, which may be a little behind), unread.
const GRANT_GRACE: Duration = Duration::from_secs(2);
/// Dirty rectangles kept for the UI before it is told to repaint everything instead.
const MAX_DIRTY: usize = 4096;
/// How long an invite a colleague asks for stays valid: 30 minutes, as the console's own.
pub const INVITE_TTL_MS: u64 = 30 * 60 * 1000;
/// How often the UI is told each connection's round-trip time and loss.
pub const QUALITY_INTERVAL: Duration = Duration::from_secs(2);

/// What the host needs to start.
#[derive(Clone, Debug)]
pub struct HostConfig {
    /// Where to listen (port 0 picks a free port).
    pub bind: SocketAddr,
    /// The host's identity.
    pub identity: Identity,
    /// The team's relays, through which participants reach this host when no direct path
    /// exists (none: direct paths only).
    pub relays: crate::transport::Relays,
    /// The session's settings.
    pub session: SessionConfig,
}

/// Something the host's own CSR does.
#[derive(Clone, Debug)]
pub enum HostCommand {
    /// Withdraw the unused invite with this secret.
    RevokeInvite([u8; 16]),
    /// Send a chat line.
    Chat {
        /// To whom.
        to: ChatTarget,
        /// What.
        text: String,
    },
    /// Ask the primary customer to allow a capability.
    Request {
        /// Which customer.
        to: ParticipantId,
        /// What.
        capability: Capability,
    },
    /// The CSR no longer needs a customer's grant (Stop viewing, Stop control, End file
    /// transfer): the customer's agent ends it and says who did.
    EndGrant {
        /// Which customer.
        to: ParticipantId,
        /// What ends.
        capability: Capability,
    },
    /// Send an input event to the primary customer (needs their control grant).
    Input(InputEvent),
    /// Share one of the primary customer's monitors, or all with `None`.
    SelectMonitor {
        /// Which customer.
        to: ParticipantId,
        /// The monitor's number in their list.
        index: Option<u32>,
    },
    /// Make this secondary customer the primary customer (the previous primary's sharing and
    /// control stop at once).
    Promote {
        /// Which customer.
        to: ParticipantId,
    },
    /// Hand control of the session to this CSR (they can request, promote and end; this console
    /// keeps watching).
    TransferControl {
        /// Which CSR.
        to: ParticipantId,
    },
    /// The organisation's policy from now on: the certificate shown to who joins, and the tools
    /// the session type allows (a fresh certificate replaces one about to expire).
    SetPolicy(Box<deskside_session::Policy>),
    /// End the session with notes.
    End {
        /// End-of-session notes.
        notes: String,
    },
    /// Offer these files to every customer (each is hashed first, with progress).
    ShareFiles(Vec<std::path::PathBuf>),
    /// Stop offering this file.
    WithdrawFile(deskside_proto::FileId),
    /// List a folder of a customer's machine (they allowed browsing and moving files).
    ListFolder {
        /// Whose.
        with: ParticipantId,
        /// Which folder.
        at: deskside_proto::FolderAt,
    },
    /// Put this file or folder of the CSR's into a customer's folder: it is hashed first, then
    /// the customer allows or refuses it.
    Push {
        /// Which customer.
        to: ParticipantId,
        /// The file or folder here.
        source: std::path::PathBuf,
        /// Their folder (from a listing).
        folder: String,
        /// What to do if the name is taken there.
        on_conflict: deskside_proto::OnConflict,
    },
    /// Copy a customer's file or folder into a folder here; the customer allows or refuses it.
    Pull {
        /// Which customer.
        from: ParticipantId,
        /// Their folder (a listing's path).
        folder: String,
        /// The file's or folder's name in it.
        name: String,
        /// The folder here.
        into: std::path::PathBuf,
        /// What to do if the name is taken here.
        on_conflict: deskside_proto::OnConflict,
    },
    /// Stop a move (push or pull).
    CancelMove(deskside_proto::MoveId),
    /// Hand the session to the CSR in control (another console) and leave: they host it from
    /// now on, with the participants, the chat, these notes and the grants; everyone else goes
    /// there without a new invite.
    HandOver {
        /// The notes taken so far.
        notes: String,
    },
}

/// Something the host's CSR should see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostEvent {
    /// The participant list changed.
    Participants(Vec<ParticipantInfo>),
    /// A chat line.
    Chat(ChatLine),
    /// A customer answered a request.
    ConsentAnswered {
        /// Who.
        participant: ParticipantId,
        /// What was asked.
        capability: Capability,
        /// The answer.
        allowed: bool,
    },
    /// The customer's agent refused input (control is not granted there).
    InputRefused,
    /// The primary customer's monitors.
    Monitors {
        /// Whose.
        participant: ParticipantId,
        /// The monitors.
        monitors: Vec<deskside_proto::MonitorInfo>,
    },
    /// An action of this console's CSR was refused: the rule it broke.
    Refused(deskside_proto::Rule),
    /// A customer sent the inventory (system information) they allowed and chose.
    SystemInfo {
        /// Whose machine.
        participant: ParticipantId,
        /// What they sent.
        inventory: deskside_proto::Inventory,
    },
    /// Someone joined with the invite that has this secret; it cannot be used again.
    InviteUsed([u8; 16]),
    /// Each connected participant's link, every [`QUALITY_INTERVAL`].
    Quality(Vec<LinkQuality>),
    /// The session ended.
    Ended {
        /// End-of-session notes.
        notes: String,
    },
    /// A file being shared is being read to compute its hash.
    FileHashing {
        /// Its name.
        name: String,
        /// Bytes read.
        done: u64,
        /// Its size.
        total: u64,
    },
    /// A file could not be shared (unreadable, not a file).
    FileShareFailed {
        /// Its name.
        name: String,
        /// Why.
        reason: deskside_proto::FileProblem,
    },
    /// The files on offer now.
    FilesOffered(Vec<deskside_proto::OfferedFile>),
    /// A file on its way to a customer.
    FileProgress(crate::files::Progress),
    /// A customer's transfer ended (as their agent reports it).
    FileDone {
        /// Who.
        participant: ParticipantId,
        /// Which file.
        file: deskside_proto::OfferedFile,
        /// How it ended.
        outcome: deskside_proto::FileOutcome,
    },
    /// A customer's folder, listed (or why it could not be).
    Folder {
        /// Whose.
        participant: ParticipantId,
        /// What it holds.
        listing: Result<deskside_proto::FolderListing, deskside_proto::FileProblem>,
    },
    /// To a colleague's console: the host made the invite this CSR asked for.
    InviteMade(Box<deskside_proto::Invite>),
    /// To a colleague's console: the session ended (`name` ended it).
    EndedBy {
        /// Who ended it.
        name: String,
    },
    /// To a colleague's console: the link to the host is over (the host's reason, when it gave
    /// one; `None`: the network lost it).
    LinkClosed(Option<Refusal>),
    /// The team's relay refused this console's relay token: customers reach it on direct paths
    /// only until the token in Settings is right.
    RelayRefused,
    /// The session went on at another CSR's console; this host's part is over.
    HandedOver {
        /// The CSR who hosts it now.
        to_name: String,
    },
    /// One file of a move ended (its name is its path inside the move, parts joined by `/`).
    MovedFileDone {
        /// The customer.
        participant: ParticipantId,
        /// Which way it went.
        direction: crate::moves::Direction,
        /// The file.
        file: deskside_proto::OfferedFile,
        /// How it ended.
        outcome: deskside_proto::FileOutcome,
    },
}

/// How well one participant's connection is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkQuality {
    /// Whose connection.
    pub participant: ParticipantId,
    /// QUIC's smoothed round-trip time, in milliseconds.
    pub rtt_ms: u32,
    /// Packets lost since the last report, in tenths of a percent of those sent.
    pub loss_permille: u32,
    /// Whether the path in use goes through a relay (else it is direct).
    pub relayed: bool,
}

/// Why the host could not start or act.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The UDP port could not be opened.
    #[error("cannot listen on {addr}: {why}")]
    Bind {
        /// Where.
        addr: SocketAddr,
        /// Why, in the system's words.
        why: String,
        /// Whether something else holds the port.
        taken: bool,
    },
    /// No secure random numbers.
    #[error("no secure random numbers: {0}")]
    Random(std::io::Error),
    /// The host has stopped.
    #[error("the session host has stopped")]
    Stopped,
    /// Too many actions at once; try again.
    #[error("busy, please try again")]
    Busy,
}

/// The UI's side of a running host.
pub struct HostHandle {
    board: Arc<Board>,
    commands: mpsc::Sender<HostCommand>,
    invites: mpsc::Sender<([u8; 16], InviteRole, u64)>,
    events: mpsc::Receiver<HostEvent>,
    screen: Arc<Mutex<SharedScreen>>,
    local_addr: SocketAddr,
    reach: deskside_proto::HostAddr,
    session: SessionId,
    endpoint: iroh::Endpoint,
    /// Every connection accepted, to close at once with the reason on shutdown.
    conns: Conns,
    rt: tokio::runtime::Handle,
}

/// The connections a host accepted (closed ones are let go as new ones come).
pub(crate) type Conns = Arc<Mutex<Vec<iroh::endpoint::Connection>>>;

impl HostHandle {
    /// Makes a new single-use invite for `role`, valid for `ttl_ms`.
    pub fn invite(&self, role: InviteRole, ttl_ms: u64) -> Result<Invite, HostError> {
        let secret = random_bytes::<16>().map_err(HostError::Random)?;
        self.invites.try_send((secret, role, ttl_ms)).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => HostError::Busy,
            mpsc::error::TrySendError::Closed(_) => HostError::Stopped,
        })?;
        Ok(Invite {
            host: self.reach(),
            session: self.session,
            role,
            secret,
            expires_unix_s: (now_ms() + ttl_ms) / 1000,
        })
    }

    /// Sends a command without waiting.
    pub fn send(&self, cmd: HostCommand) -> Result<(), HostError> {
        self.commands.try_send(cmd).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => HostError::Busy,
            mpsc::error::TrySendError::Closed(_) => HostError::Stopped,
        })
    }

    /// The next event, if one is waiting.
    pub fn try_event(&mut self) -> Option<HostEvent> {
        self.events.try_recv().ok()
    }

    /// Waits for the next event.
    pub async fn next_event(&mut self) -> Option<HostEvent> {
        self.events.recv().await
    }

    /// The moves of this session (advanced file transfer), oldest first.
    #[must_use]
    pub fn moves(&self) -> Vec<MoveInfo> {
        let board = self.board.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = now_ms();
        board
            .iter()
            .map(|m| {
                let mut m = m.clone();
                m.bytes_per_s = m.rate(now);
                m
            })
            .collect()
    }

    /// The shared screen.
    #[must_use]
    pub fn screen(&self) -> &Arc<Mutex<SharedScreen>> {
        &self.screen
    }

    /// Who this host is and where invites say it is reached: its relays and the addresses it
    /// knows now, including the public ones a relay observed.
    #[must_use]
    pub fn reach(&self) -> deskside_proto::HostAddr {
        reach_now(&self.reach, &self.endpoint)
    }

    /// The UDP address the host listens on.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The host's endpoint id.
    #[must_use]
    pub fn id(&self) -> [u8; 32] {
        self.reach.id
    }

    /// Closes every connection at once, saying the session ended, then the endpoint.
    pub fn shutdown(&self) {
        for conn in self.conns.lock().unwrap_or_else(std::sync::PoisonError::into_inner).drain(..) {
            close(&conn, Refusal::SessionEnded);
        }
        let endpoint = self.endpoint.clone();
        self.rt.spawn(async move { endpoint.close().await });
    }
}

impl Drop for HostHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts hosting a session on the current tokio runtime.
pub fn start_host(cfg: HostConfig, wake: Waker) -> Result<HostHandle, HostError> {
    let HostConfig { bind, identity, relays, session } = cfg;
    launch((bind, &relays), &identity, Session::new(now_ms(), session), wake)
}

/// Hosts, on the current tokio runtime, the session another console handed over (`state`): this
/// console's CSR in control, every other seat held for its participant to come back with the
/// ticket in `state`. `cfg.session` is ignored (the state carries it).
pub fn start_host_from(
    cfg: HostConfig,
    state: &deskside_proto::HandOverState,
    wake: Waker,
) -> Result<HostHandle, HostError> {
    let HostConfig { bind, identity, relays, .. } = cfg;
    launch((bind, &relays), &identity, Session::from_hand_over(now_ms(), state), wake)
}

/// Binds the host's endpoint on the current runtime, waiting for it here (the caller may be on a
/// worker thread of a multi-threaded runtime, or on a thread that entered one).
fn bind_endpoint(
    bind: SocketAddr,
    relays: &crate::transport::Relays,
    identity: &Identity,
) -> Result<iroh::Endpoint, HostError> {
    let handle = tokio::runtime::Handle::current();
    let secret = identity.secret.clone();
    let bound = tokio::task::block_in_place(|| {
        handle.block_on(async {
            let endpoint = crate::transport::host_endpoint(secret, bind, relays).await?;
            if !relays.urls.is_empty() {
                // Reachable through a relay before the first invite names it (bounded: a relay
                // that does not answer leaves direct paths only).
                let _ = tokio::time::timeout(RELAY_WAIT, endpoint.online()).await;
            }
            Ok(endpoint)
        })
    });
    bound.map_err(|e| match e {
        crate::transport::EndpointError::Bind { addr, why, taken } => HostError::Bind { addr, why, taken },
        other => HostError::Bind { addr: bind, why: other.to_string(), taken: false },
    })
}

fn launch(
    (bind, relays): (SocketAddr, &crate::transport::Relays),
    identity: &Identity,
    session: Session,
    wake: Waker,
) -> Result<HostHandle, HostError> {
    let endpoint = bind_endpoint(bind, relays, identity)?;
    let local_addr = endpoint
        .bound_sockets()
        .into_iter()
        .find(|a| a.is_ipv4() == bind.is_ipv4())
        .ok_or_else(|| HostError::Bind { addr: bind, why: "no socket was bound".into(), taken: false })?;
    let reach = deskside_proto::HostAddr {
        id: identity.id,
        relays: relays.urls.clone(),
        relay_token: relays.token.clone(),
        addrs: candidates(
            bind.ip(),
            local_addr.port(),
            endpoint.bound_sockets().into_iter().find(SocketAddr::is_ipv6).map(|a| a.port()),
        ),
    };
    let conns: Conns = Arc::default();
    let (cmd_tx, cmd_rx) = mpsc::channel(COMMAND_QUEUE);
    let (inv_tx, inv_rx) = mpsc::channel(COMMAND_QUEUE);
    let (ev_tx, ev_rx) = mpsc::channel(EVENT_QUEUE);
    if !relays.urls.is_empty() {
        tokio::spawn(watch_relays(endpoint.clone(), ev_tx.clone(), relays.urls.len() > 1));
    }
    let (conn_tx, conn_rx) = mpsc::channel(PEER_QUEUE);
    let screen = Arc::new(Mutex::new(SharedScreen::default()));
    let session_id = session.config().id;
    let board = Arc::new(Board::default());
    let hub = Hub {
        board: board.clone(),
        pulls: HashMap::new(),
        pull_into: HashMap::new(),
        session,
        peers: HashMap::new(),
        events: ev_tx,
        screen: screen.clone(),
        wake: wake.clone(),
        inbox: conn_tx.clone(),
        file_paths: HashMap::new(),
        sending: HashMap::new(),
        reach: reach.clone(),
        endpoint: endpoint.clone(),
        shared_dir: None,
    };
    tokio::spawn(hub.run(cmd_rx, inv_rx, conn_rx));
    tokio::spawn(accept_loop(endpoint.clone(), conn_tx, screen.clone(), wake, conns.clone()));
    Ok(HostHandle {
        board,
        commands: cmd_tx,
        invites: inv_tx,
        events: ev_rx,
        screen,
        local_addr,
        reach,
        session: session_id,
        endpoint,
        conns,
        rt: tokio::runtime::Handle::current(),
    })
}

/// Says once if the team's relay refuses this console's token (whenever the relay says so); with
/// several relays, moves this console off a relay that is gone (see [`RELAY_LOST_AFTER`]).
async fn watch_relays(endpoint: iroh::Endpoint, events: mpsc::Sender<HostEvent>, several: bool) {
    let mut status = endpoint.home_relay_status();
    let mut lost_since: Option<tokio::time::Instant> = None;
    // A relay set aside while it was gone, and when: put back once another carries this
    // console, or after a while in any case (they may all have been down).
    let mut set_aside: Option<(iroh::RelayUrl, Arc<iroh::RelayConfig>, tokio::time::Instant)> = None;
    loop {
        let now = iroh::Watcher::get(&mut status);
        if now.iter().any(|r| r.auth_denied_reason().is_some()) {
            tracing::warn!("the team's relay refused this console's token");
            let _ = events.send(HostEvent::RelayRefused).await;
            return;
        }
        let connected = now.iter().any(iroh::endpoint::RelayStatus::is_connected);
        if connected && let Some((url, config, _)) = set_aside.take() {
            endpoint.insert_relay(url, config).await;
        }
        let lost = several && !connected && set_aside.is_none();
        lost_since = if lost { lost_since.or_else(|| Some(tokio::time::Instant::now())) } else { None };
        let give_up = lost_since.map(|t| t + RELAY_LOST_AFTER);
        let put_back = set_aside.as_ref().map(|(_, _, at)| *at + RELAY_SET_ASIDE_FOR);
        let at = |t: Option<tokio::time::Instant>| async move {
            tokio::time::sleep_until(t.unwrap_or_else(tokio::time::Instant::now)).await;
        };
        tokio::select! {
            changed = iroh::Watcher::updated(&mut status) => {
                if changed.is_err() || endpoint.is_closed() {
                    return;
                }
            }
            // The relay this console was at is gone and another is configured: set it aside so
            // the endpoint moves to another now (left alone, it would keep trying the lost one
            // until its next full check, and meanwhile nobody could join through a relay).
            () = at(give_up), if give_up.is_some() => {
                lost_since = None;
                if let Some(url) = now.first().map(|r| r.url().clone())
                    && let Some(config) = endpoint.remove_relay(&url).await
                {
                    tracing::info!(relay = %url, "the relay this console was at is gone; moving to another");
                    set_aside = Some((url, config, tokio::time::Instant::now()));
                }
            }
            // None carried it meanwhile: every relay may be down. The one set aside comes back
            // into the running, so the console returns to it when it does.
            () = at(put_back), if put_back.is_some() => {
                if let Some((url, config, _)) = set_aside.take() {
                    endpoint.insert_relay(url, config).await;
                }
            }
        }
    }
}

/// How long the relay a console is at may be gone before the console looks for another.
const RELAY_LOST_AFTER: Duration = Duration::from_secs(2);
/// How long a lost relay stays set aside when no other carries the console either.
const RELAY_SET_ASIDE_FOR: Duration = Duration::from_secs(30);

/// The addresses to put in invites: this machine's interface addresses, then loopback.
fn candidates(bind: IpAddr, v4_port: u16, v6_port: Option<u16>) -> Vec<SocketAddr> {
    if !bind.is_unspecified() {
        return vec![SocketAddr::new(bind, v4_port)];
    }
    let mut out: Vec<SocketAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.ip())
        .filter_map(|ip| match ip {
            IpAddr::V4(v4) if !v4.is_loopback() => Some(SocketAddr::new(ip, v4_port)),
            // Link-local addresses need a zone and reach only the same link: never in an invite.
            IpAddr::V6(v6) if !v6.is_loopback() && !v6.is_unicast_link_local() => {
                v6_port.map(|p| SocketAddr::new(ip, p))
            }
            _ => None,
        })
        .collect();
    out.sort_by_key(|a| reach_rank(a.ip()));
    out.truncate(deskside_proto::invite::MAX_ADDRS - 1);
    out.push(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), v4_port));
    out
}

/// `base` (the relays and the interfaces' addresses) with the addresses `endpoint` knows now,
/// the relay it is at first, the public addresses a relay observed first: at most [`MAX_ADDRS`](deskside_proto::invite::MAX_ADDRS),
/// and a machine with many interfaces must not push out the one address that works from outside.
pub(crate) fn reach_now(base: &deskside_proto::HostAddr, endpoint: &iroh::Endpoint) -> deskside_proto::HostAddr {
    let mut all: Vec<SocketAddr> = endpoint
        .addr()
        .ip_addrs()
        .copied()
        // A link-local address needs a zone and reaches only the same link.
        .filter(|a| !a.ip().is_unspecified() && !matches!(a.ip(), IpAddr::V6(v6) if v6.is_unicast_link_local()))
        .collect();
    all.extend(base.addrs.iter().copied());
    // Stable: public first, then private, loopback last; each in the order found.
    all.sort_by_key(|a| reach_rank(a.ip()));
    let mut addrs: Vec<SocketAddr> = Vec::with_capacity(deskside_proto::invite::MAX_ADDRS);
    for a in all {
        if !addrs.contains(&a) && addrs.len() < deskside_proto::invite::MAX_ADDRS {
            addrs.push(a);
        }
    }
    // The relay this host is at now first: a joining side tries it first.
    let mut relays = base.relays.clone();
    let home: Vec<String> = endpoint.addr().relay_urls().map(ToString::to_string).collect();
    relays.sort_by_key(|r| !home.iter().any(|h| same_relay(h, r)));
    deskside_proto::HostAddr { addrs, relays, ..base.clone() }
}

/// Whether two relay URLs name the same relay (iroh writes them with a trailing slash).
fn same_relay(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// How likely `ip` is to be reached from elsewhere: 0 public, 1 private, 2 loopback.
fn reach_rank(ip: IpAddr) -> u8 {
    match ip {
        _ if ip.is_loopback() => 2,
        // Private, link-local, or a carrier's shared space (100.64.0.0/10).
        IpAddr::V4(v4)
            if v4.is_private() || v4.is_link_local() || (v4.octets()[0] == 100 && v4.octets()[1] & 0xc0 == 64) =>
        {
            1
        }
        IpAddr::V6(v6) if v6.is_unique_local() || v6.is_unicast_link_local() => 1,
        _ => 0,
    }
}

/// Closes `conn` with `refusal` as the code and its words as the reason.
pub fn close(conn: &iroh::endpoint::Connection, refusal: Refusal) {
    conn.close(iroh::endpoint::VarInt::from_u32(refusal.code()), refusal.to_string().as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_addresses_come_before_private_ones_and_loopback_last() {
        let mut addrs: Vec<SocketAddr> = [
            "127.0.0.1:5",
            "192.168.1.20:5",
            "[fd00::7]:6",
            "100.72.0.9:5",
            "203.0.113.10:40000",
            "[2001:db8::20]:6",
            "10.0.0.2:5",
        ]
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
        addrs.sort_by_key(|a| reach_rank(a.ip()));
        let order: Vec<String> = addrs.iter().map(ToString::to_string).collect();
        assert_eq!(
            order,
            [
                "203.0.113.10:40000",
                "[2001:db8::20]:6",
                "192.168.1.20:5",
                "[fd00::7]:6",
                "100.72.0.9:5",
                "10.0.0.2:5",
                "127.0.0.1:5"
            ]
        );
    }
}
