//! One connection: admission (slots per source address, the hello deadline), its reader and
//! writer, and its unidirectional streams, each read only once the session allows it.

use super::{
    FromConn, GRANT_GRACE, HELLO_TIMEOUT, MAX_HANDSHAKES, MAX_HANDSHAKES_PER_SOURCE, Outgoing, SharedScreen, Waker,
    close, read_screen,
};
use crate::framed::{StreamError, read_body, read_msg, write_msg};
use crate::transfer::Transfers;
use deskside_proto::{
    Hello, InputEvent, MAX_CONTROL_MSG_BYTES, MAX_INPUT_MSG_BYTES, PROTOCOL_VERSION, ParticipantId, Refusal, ToGuest,
    ToHost, UniHeader, peek_hello_version,
};
use deskside_session::Session;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// What a peer's streams may carry now, as the session decides: the hub keeps it up to date, and
/// a stream that needs it is read (or even waited for) only while it holds.
#[derive(Clone, Default)]
pub(super) struct Allowed {
    /// Screen frames are shown (the primary customer, viewing granted).
    pub(super) screen: Arc<AtomicBool>,
    /// An inventory is taken (a customer, system information granted).
    pub(super) inventory: Arc<AtomicBool>,
}

impl Allowed {
    pub(super) fn of(session: &Session, id: ParticipantId) -> Allowed {
        let a = Allowed::default();
        a.update(session, id);
        a
    }

    pub(super) fn update(&self, session: &Session, id: ParticipantId) {
        self.screen.store(session.may_share_screen(id), Ordering::SeqCst);
        self.inventory.store(session.may_send_inventory(id), Ordering::SeqCst);
    }
}

/// Waits (unread) up to [`GRANT_GRACE`] for `flag`: a stream may arrive just before the grant it
/// needs. Whether it holds.
pub(super) async fn granted(flag: &AtomicBool) -> bool {
    let deadline = tokio::time::Instant::now() + GRANT_GRACE;
    while !flag.load(Ordering::SeqCst) {
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

/// The connections being admitted, oldest first, each with its source address and the task to
/// stop when it loses its place.
#[derive(Default)]
pub(super) struct Admitting {
    pub(super) next: u64,
    pub(super) slots: std::collections::BTreeMap<u64, (Source, tokio::task::AbortHandle)>,
}

/// Where a newcomer comes from: an address, or an endpoint through a relay (whose key it chose,
/// so the global bound still holds what one relayed sender can take).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Source {
    /// A direct connection from this address.
    Ip(IpAddr),
    /// Through a relay, from this endpoint.
    Relayed([u8; 32]),
}

impl Source {
    fn of(addr: &iroh::endpoint::IncomingAddr) -> Source {
        match addr {
            iroh::endpoint::IncomingAddr::Ip(a) => Source::Ip(a.ip()),
            iroh::endpoint::IncomingAddr::Relay { endpoint_id, .. } => Source::Relayed(*endpoint_id.as_bytes()),
            _ => Source::Relayed([0; 32]),
        }
    }
}

impl Admitting {
    /// Whether a newcomer from `ip` may start: not when its address has its share already. When
    /// every slot is taken the oldest newcomer makes room.
    pub(super) fn make_room(&mut self, ip: &Source) -> bool {
        if self.slots.values().filter(|(from, _)| from == ip).count() >= MAX_HANDSHAKES_PER_SOURCE {
            return false;
        }
        if self.slots.len() >= MAX_HANDSHAKES
            && let Some((_, (_, oldest))) = self.slots.pop_first()
        {
            oldest.abort();
        }
        true
    }
}

pub(super) async fn accept_loop(
    endpoint: iroh::Endpoint,
    hub: mpsc::Sender<FromConn>,
    screen: Arc<Mutex<SharedScreen>>,
    wake: Waker,
    conns: super::Conns,
) {
    let admitting = Arc::new(Mutex::new(Admitting::default()));
    while let Some(incoming) = endpoint.accept().await {
        let ip = Source::of(&incoming.remote_addr());
        let mut table = admitting.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !table.make_room(&ip) {
            drop(table);
            incoming.refuse();
            continue;
        }
        let slot = table.next;
        table.next += 1;
        let (hub, screen, wake, admitting2) = (hub.clone(), screen.clone(), wake.clone(), admitting.clone());
        let conns = conns.clone();
        // Registered before it can end (the table stays locked until then).
        let task = tokio::spawn(async move {
            let hello = tokio::time::timeout(HELLO_TIMEOUT, read_hello(incoming)).await;
            admitting2.lock().unwrap_or_else(std::sync::PoisonError::into_inner).slots.remove(&slot);
            let Ok(Some((conn, send, recv, body))) = hello else { return };
            {
                let mut all = conns.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                all.retain(|c| c.close_reason().is_none());
                all.push(conn.clone());
            }
            if let Some((conn, id, send, recv, out, allowed, pulls, csr)) = admit(conn, send, recv, &body, &hub).await {
                serve(conn, id, send, recv, out, (allowed, pulls, csr), hub, screen, wake).await;
            }
        });
        table.slots.insert(slot, (ip, task.abort_handle()));
    }
}

/// The handshake and the hello's bytes (undecoded); a connection that opens no control stream or
/// sends no whole hello is closed.
pub(super) async fn read_hello(
    incoming: iroh::endpoint::Incoming,
) -> Option<(iroh::endpoint::Connection, iroh::endpoint::SendStream, iroh::endpoint::RecvStream, Vec<u8>)> {
    let conn = incoming.accept().ok()?.await.ok()?;
    let Ok((send, mut recv)) = conn.accept_bi().await else {
        close(&conn, Refusal::Malformed);
        return None;
    };
    if let Ok(body) = read_body(&mut recv, MAX_CONTROL_MSG_BYTES).await {
        Some((conn, send, recv, body))
    } else {
        close(&conn, Refusal::Malformed);
        None
    }
}

pub(super) type Admitted = (
    iroh::endpoint::Connection,
    ParticipantId,
    iroh::endpoint::SendStream,
    iroh::endpoint::RecvStream,
    mpsc::Receiver<Outgoing>,
    Allowed,
    Arc<Transfers>,
    bool,
);

/// The hello and the hub's verdict. Refusals close the connection with their reason; once
/// admitted, the connection may open the streams an admitted peer uses.
pub(super) async fn admit(
    conn: iroh::endpoint::Connection,
    send: iroh::endpoint::SendStream,
    recv: iroh::endpoint::RecvStream,
    body: &[u8],
    hub: &mpsc::Sender<FromConn>,
) -> Option<Admitted> {
    let hello = match deskside_proto::decode::<Hello>(body) {
        Ok(h) if h.version == PROTOCOL_VERSION => h,
        Ok(_) => {
            close(&conn, Refusal::UnsupportedVersion);
            return None;
        }
        Err(_) if peek_hello_version(body).is_some_and(|v| v != PROTOCOL_VERSION) => {
            close(&conn, Refusal::UnsupportedVersion);
            return None;
        }
        Err(_) => {
            close(&conn, Refusal::Malformed);
            return None;
        }
    };
    if hello.preview {
        let (reply, verdict) = oneshot::channel();
        hub.send(FromConn::Preview { hello, reply }).await.ok()?;
        match verdict.await.ok()? {
            Ok(preview) => {
                let mut send = send;
                if write_msg(&mut send, &ToGuest::Preview(preview), MAX_CONTROL_MSG_BYTES).await.is_ok() {
                    let _ = send.finish();
                    let _ = tokio::time::timeout(Duration::from_secs(2), send.stopped()).await;
                }
                conn.close(iroh::endpoint::VarInt::from_u32(0), b"preview");
            }
            Err(refusal) => close(&conn, refusal),
        }
        return None;
    }
    let (reply, verdict) = oneshot::channel();
    hub.send(FromConn::Hello { hello, conn: conn.clone(), reply }).await.ok()?;
    match verdict.await.ok()? {
        Ok((id, out, allowed, pulls, csr)) => {
            crate::transport::admitted(&conn);
            Some((conn, id, send, recv, out, allowed, pulls, csr))
        }
        Err(refusal) => {
            close(&conn, refusal);
            None
        }
    }
}

#[allow(clippy::too_many_arguments)] // The pieces of one admitted connection, moved in once.
pub(super) async fn serve(
    conn: iroh::endpoint::Connection,
    id: ParticipantId,
    send: iroh::endpoint::SendStream,
    mut recv: iroh::endpoint::RecvStream,
    out: mpsc::Receiver<Outgoing>,
    streams: (Allowed, Arc<Transfers>, bool),
    hub: mpsc::Sender<FromConn>,
    screen: Arc<Mutex<SharedScreen>>,
    wake: Waker,
) {
    tokio::spawn(write_peer(conn.clone(), send, out));
    tokio::spawn(accept_streams(conn.clone(), id, streams, screen, wake, hub.clone()));
    loop {
        match read_msg::<ToHost>(&mut recv, MAX_CONTROL_MSG_BYTES).await {
            Ok(msg) => {
                if hub.send(FromConn::Msg { id, msg }).await.is_err() {
                    break;
                }
            }
            Err(StreamError::Frame(_)) => {
                close(&conn, Refusal::Malformed);
                break;
            }
            Err(_) => break,
        }
    }
    // Only the network losing the connection holds the seat; a close (a refusal, the peer
    // quitting) is a leave.
    let dropped = matches!(
        conn.close_reason(),
        Some(
            iroh::endpoint::ConnectionError::TimedOut
                | iroh::endpoint::ConnectionError::Reset
                | iroh::endpoint::ConnectionError::TransportError(_)
        )
    );
    let _ = hub.send(FromConn::Gone { id, conn: conn.stable_id(), dropped }).await;
}

pub(super) async fn write_peer(
    conn: iroh::endpoint::Connection,
    mut send: iroh::endpoint::SendStream,
    mut out: mpsc::Receiver<Outgoing>,
) {
    let mut input: Option<iroh::endpoint::SendStream> = None;
    while let Some(o) = out.recv().await {
        let ok = match o {
            Outgoing::Msg(msg) => write_msg(&mut send, &msg, MAX_CONTROL_MSG_BYTES).await.is_ok(),
            Outgoing::Input(ev) => write_input(&conn, &mut input, &ev).await.is_ok(),
            Outgoing::Close(refusal) => {
                // Let the last messages (such as "session ended") arrive before closing.
                let _ = send.finish();
                let _ = tokio::time::timeout(Duration::from_secs(1), send.stopped()).await;
                close(&conn, refusal);
                return;
            }
        };
        if !ok {
            break;
        }
    }
    conn.close(iroh::endpoint::VarInt::from_u32(0), b"");
}

pub(super) async fn write_input(
    conn: &iroh::endpoint::Connection,
    stream: &mut Option<iroh::endpoint::SendStream>,
    ev: &InputEvent,
) -> Result<(), StreamError> {
    if stream.is_none() {
        let mut s =
            conn.open_uni().await.map_err(|e| StreamError::Write(iroh::endpoint::WriteError::ConnectionLost(e)))?;
        write_msg(&mut s, &UniHeader::Input, MAX_INPUT_MSG_BYTES).await?;
        *stream = Some(s);
    }
    match stream {
        Some(s) => write_msg(s, ev, MAX_INPUT_MSG_BYTES).await.map(|_| ()),
        None => Ok(()),
    }
}

/// Accepts the participant's unidirectional streams: screen shares, inventories, files the CSR
/// pulls (each written only if it was asked for) and, from a CSR's own console, input (passed on
/// only while they are in control). Anything else is refused.
pub(super) async fn accept_streams(
    conn: iroh::endpoint::Connection,
    id: ParticipantId,
    (allowed, pulls, csr): (Allowed, Arc<Transfers>, bool),
    screen: Arc<Mutex<SharedScreen>>,
    wake: Waker,
    hub: mpsc::Sender<FromConn>,
) {
    // One screen share and one inventory read at a time: a newer share replaces the older (the
    // agent starts a new stream for each), and a second inventory waits for nobody.
    let mut sharing: Option<tokio::task::AbortHandle> = None;
    let reading_inventory = Arc::new(AtomicBool::new(false));
    while let Ok(mut recv) = conn.accept_uni().await {
        match read_msg::<UniHeader>(&mut recv, deskside_proto::MAX_UNI_HEADER_BYTES).await {
            Ok(UniHeader::Screen) => {
                if let Some(old) = sharing.take() {
                    old.abort();
                }
                let (conn, ok, screen, wake) = (conn.clone(), allowed.screen.clone(), screen.clone(), wake.clone());
                let task = tokio::spawn(async move {
                    // Nothing of a share is read before viewing is granted.
                    if granted(&ok).await {
                        read_screen(conn, id, recv, ok, screen, wake).await;
                    } else {
                        let _ = recv.stop(iroh::endpoint::VarInt::from_u32(0));
                        // The share this one replaced (its reader stopped above) is over too.
                        if let Ok(mut s) = screen.lock()
                            && s.owner == Some(id)
                        {
                            s.active = false;
                        }
                        wake();
                    }
                });
                sharing = Some(task.abort_handle());
            }
            Ok(UniHeader::Inventory) => {
                if reading_inventory.swap(true, Ordering::SeqCst) {
                    close(&conn, Refusal::NotAllowed);
                    return;
                }
                let (conn, hub, ok, busy) =
                    (conn.clone(), hub.clone(), allowed.inventory.clone(), reading_inventory.clone());
                tokio::spawn(async move {
                    // Nothing of an inventory is read before it is granted.
                    if granted(&ok).await {
                        read_inventory(conn, id, recv, hub).await;
                    } else {
                        close(&conn, Refusal::NotAllowed);
                    }
                    busy.store(false, Ordering::SeqCst);
                });
            }
            Ok(UniHeader::File { file, offset }) => {
                let (pulls, hub) = (pulls.clone(), hub.clone());
                tokio::spawn(async move {
                    let progress = || {
                        let _ = hub.try_send(FromConn::Pulling { id });
                    };
                    pulls.receive(file, offset, recv, || false, progress).await;
                    let _ = hub.send(FromConn::Pulling { id }).await;
                });
            }
            Ok(UniHeader::Input) if csr => {
                let (conn, hub) = (conn.clone(), hub.clone());
                tokio::spawn(async move { read_csr_input(conn, id, recv, hub).await });
            }
            Ok(UniHeader::Input | UniHeader::HandOver | UniHeader::InventoryOf { .. }) => {
                close(&conn, Refusal::NotAllowed);
                return;
            }
            Err(StreamError::Frame(_) | StreamError::Finished) => {
                close(&conn, Refusal::Malformed);
                return;
            }
            // Reset before its header arrived (a share stopped at once): only that stream goes.
            Err(_) => {}
        }
    }
}

/// Reads a CSR's input stream and hands each event to the hub, which decides.
pub(super) async fn read_csr_input(
    conn: iroh::endpoint::Connection,
    id: ParticipantId,
    mut recv: iroh::endpoint::RecvStream,
    hub: mpsc::Sender<FromConn>,
) {
    loop {
        match read_msg::<InputEvent>(&mut recv, MAX_INPUT_MSG_BYTES).await {
            Ok(ev) if ev.is_valid() => {
                if hub.send(FromConn::Input { id, ev }).await.is_err() {
                    return;
                }
            }
            Ok(_) | Err(StreamError::Frame(_)) => {
                close(&conn, Refusal::Malformed);
                return;
            }
            Err(_) => return,
        }
    }
}

/// Reads the one inventory on `recv` and hands it to the hub, which decides whether it was
/// allowed (and tells the agent it arrived).
pub(super) async fn read_inventory(
    conn: iroh::endpoint::Connection,
    id: ParticipantId,
    mut recv: iroh::endpoint::RecvStream,
    hub: mpsc::Sender<FromConn>,
) {
    // Read with every bound checked as it is decoded: nothing is allocated for rows or cells
    // past them.
    match read_body(&mut recv, deskside_proto::MAX_INVENTORY_BYTES).await {
        Ok(body) => match deskside_proto::decode_inventory(&body) {
            Ok(inventory) => {
                let _ = hub.send(FromConn::Inventory { id, inventory }).await;
            }
            Err(_) => close(&conn, Refusal::Malformed),
        },
        Err(StreamError::Frame(_) | StreamError::Finished) => close(&conn, Refusal::Malformed),
        Err(_) => {}
    }
}
