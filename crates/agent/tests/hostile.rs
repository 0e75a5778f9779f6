//! Hostile peers, over real loopback QUIC, against the real host and agent: a customer who lies
//! about what was allowed and sends what no screen can be, connections that never say hello, a
//! colleague who claims a hand-over that never began, and a host that pushes other files than the
//! customer allowed, names hidden folders and floods requests without reading the answers. Each
//! test attacks, checks the outcome, and then checks that an honest participant still gets in;
//! where memory is the target, the process's peak memory is measured around the attack.
//!
//! The tests of this file run one at a time (their memory is measured across the process).
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::*;
use deskside_agent::engine::Event;
use deskside_agent::engine::{AgentEvent, AgentHandle, CloseReason, serve};
use deskside_net::framed::{read_msg, write_msg};
use deskside_net::guest::refusal_of;
use deskside_net::host::{HostCommand, HostEvent, HostHandle};
use deskside_net::{Identity, now_ms};
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{
    ALPN, AppKind, Capability, ChatTarget, FileId, FolderAt, Grants, Hello, InputEvent, Invite, InviteRole,
    MAX_CONTROL_MSG_BYTES, MAX_INPUT_MSG_BYTES, MAX_SCREEN_MSG_BYTES, MAX_UNI_HEADER_BYTES, MoveId, MoveSummary,
    MovedFile, OnConflict, PROTOCOL_VERSION, ParticipantId, Refusal, Role, ScreenMsg, Tile, TileData, ToGuest, ToHost,
    UniHeader, Welcome,
};

/// One test at a time: memory is measured across the whole process.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn run<F: std::future::Future>(f: F) -> F::Output {
    let _one = serial();
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap().block_on(f)
}

/// Forgets the process's peak resident memory so far (Linux's `clear_refs`).
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}

/// The process's peak resident memory since [`reset_peak`], in MiB.
fn peak_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}

/// The process's resident memory now, in MiB.
fn rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}

fn opts(name: &str) -> deskside_agent::engine::AgentOptions {
    synthetic_options(name, &SyntheticSource::new(32, 32, pattern(0)), &RecordingSink::default())
}

/// An honest customer joins and hears the CSR: whatever came before broke nothing.
async fn an_honest_customer_still_joins(host: &mut HostHandle) {
    let mut agent = join(&invite(host), opts("Honest")).await.expect("an honest customer joins");
    let text = format!("still here {}", now_ms());
    host.send(HostCommand::Chat { to: ChatTarget::Everyone, text: text.clone() }).unwrap();
    agent_event(&mut agent, |e| matches!(e, AgentEvent::Session(Event::Chat(l)) if l.text == text).then_some(())).await;
    agent.leave();
}

/// A QUIC endpoint bound to `from` (any of 127.0.0.0/8).
async fn client(from: &str) -> iroh::Endpoint {
    deskside_net::transport::client_endpoint_on(format!("{from}:0").parse().unwrap(), &[]).await.unwrap()
}

/// The invite's host on loopback: its id there.
fn host_addr(inv: &Invite) -> iroh::EndpointAddr {
    iroh::EndpointAddr::new(iroh::EndpointId::from_bytes(&inv.host.id).unwrap()).with_ip_addr(host_socket(inv))
}

fn host_socket(inv: &Invite) -> SocketAddr {
    *inv.host.addrs.iter().find(|a| a.ip().is_loopback()).unwrap()
}

/// A raw participant admitted with a real hello: its connection, control stream and welcome.
struct Raw {
    _ep: iroh::Endpoint,
    conn: iroh::endpoint::Connection,
    send: iroh::endpoint::SendStream,
    recv: iroh::endpoint::RecvStream,
    welcome: Welcome,
}

async fn raw_join(inv: &Invite, name: &str, app: AppKind) -> Raw {
    let ep = client("127.0.0.1").await;
    let conn = ep.connect(host_addr(inv), ALPN).await.unwrap();
    let (mut send, mut recv) = conn.open_bi().await.unwrap();
    let hello = Hello {
        version: PROTOCOL_VERSION,
        session: inv.session,
        secret: inv.secret,
        name: name.into(),
        app,
        preview: false,
        resume: false,
    };
    write_msg(&mut send, &hello, MAX_CONTROL_MSG_BYTES).await.unwrap();
    let ToGuest::Welcome(welcome) = read_msg::<ToGuest>(&mut recv, MAX_CONTROL_MSG_BYTES).await.unwrap() else {
        panic!("not welcomed")
    };
    Raw { _ep: ep, conn, send, recv, welcome }
}

impl Raw {
    async fn say(&mut self, msg: &ToHost) {
        write_msg(&mut self.send, msg, MAX_CONTROL_MSG_BYTES).await.unwrap();
    }

    /// The next message matching `f`, skipping others.
    async fn heard<T>(&mut self, mut f: impl FnMut(&ToGuest) -> Option<T>) -> T {
        tokio::time::timeout(WAIT, async {
            loop {
                let m = read_msg::<ToGuest>(&mut self.recv, MAX_CONTROL_MSG_BYTES).await.unwrap();
                if let Some(t) = f(&m) {
                    return t;
                }
            }
        })
        .await
        .expect("timed out waiting for the host")
    }

    /// Opens a screen stream and writes `msgs` on it (as far as the host lets them through).
    async fn share(&self, msgs: &[ScreenMsg]) -> iroh::endpoint::SendStream {
        let mut s = self.conn.open_uni().await.unwrap();
        write_msg(&mut s, &UniHeader::Screen, MAX_UNI_HEADER_BYTES).await.unwrap();
        for m in msgs {
            if write_msg(&mut s, m, MAX_SCREEN_MSG_BYTES).await.is_err() {
                break;
            }
        }
        s
    }
}

/// A whole key frame of `width` x `height`, one solid tile (or none when it is too large to
/// describe honestly: the decoder must refuse the size before looking at tiles).
fn key_frame(width: u32, height: u32) -> ScreenMsg {
    let tiles = if width <= 64 && height <= 64 {
        vec![Tile { col: 0, row: 0, area: None, data: TileData::Solid([9, 9, 9, 255]) }]
    } else {
        vec![]
    };
    ScreenMsg::Batch {
        frame: 1,
        base: None,
        width,
        height,
        tile_size: 64,
        copies: vec![],
        video: None,
        tiles,
        last: true,
    }
}

// ─── A hostile customer ────────────────────────────────────────────────────────────────────────

#[test]
fn a_customer_cannot_show_a_screen_nobody_asked_for_nor_one_no_renderer_can_show() {
    run(async {
        let mut host = host();
        let mut eve = raw_join(&invite(&host), "Eve", AppKind::Agent).await;
        let me = eve.welcome.you;
        // "Viewing allowed", though nobody asked, and a picture straight away.
        eve.say(&ToHost::Grants(Grants { view: true, control: true, ..Grants::default() })).await;
        let _share = eve.share(&[key_frame(64, 64)]).await;
        tokio::time::sleep(Duration::from_secs(3)).await;
        {
            let s = host.screen().lock().unwrap();
            assert!(!s.active && s.width == 0, "an unasked picture is never shown");
        }
        let listed = participants(&mut host, |p| p.iter().any(|p| p.id == me)).await;
        assert_eq!(listed.iter().find(|p| p.id == me).unwrap().grants, Grants::default(), "not believed");

        // Asked and allowed for real, then a key frame 65536 pixels wide: refused where it is
        // decoded, the connection closed, the console alive.
        host.send(HostCommand::Request { to: me, capability: Capability::View }).unwrap();
        let request = eve
            .heard(|m| match m {
                ToGuest::ConsentRequest { request, .. } => Some(*request),
                _ => None,
            })
            .await;
        eve.say(&ToHost::ConsentAnswer { request, allowed: true }).await;
        eve.say(&ToHost::Grants(Grants { view: true, ..Grants::default() })).await;
        participants(&mut host, |p| p.iter().any(|p| p.id == me && p.grants.view)).await;
        let _share = eve.share(&[key_frame(65_536, 2)]).await;
        let closed = tokio::time::timeout(WAIT, eve.conn.closed()).await.unwrap();
        assert_eq!(refusal_of(&closed), Some(Refusal::Malformed));
        assert!(host.screen().lock().unwrap().width <= deskside_proto::MAX_SCREEN_SIDE);
        an_honest_customer_still_joins(&mut host).await;
    });
}

#[test]
fn streams_without_a_grant_are_neither_decoded_nor_buffered_past_a_bound() {
    run(async {
        let mut host = host();
        let eve = raw_join(&invite(&host), "Eve", AppKind::Agent).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        reset_peak();
        let before = rss_mib();
        // Sixteen shares, each a whole 8K picture's worth of tiles, none of them allowed: they
        // used to be decoded, picture by picture, up to 2.2 GB.
        let big: Vec<Tile> = (0..64u16)
            .map(|i| Tile { col: i, row: 0, area: None, data: TileData::Lz4(vec![7; 64 * 64 * 4]) })
            .collect();
        let frame = ScreenMsg::Batch {
            frame: 1,
            base: None,
            width: 7680,
            height: 4320,
            tile_size: 64,
            copies: vec![],
            video: None,
            tiles: big,
            last: false,
        };
        let mut shares = Vec::new();
        for _ in 0..16 {
            let c = eve.conn.clone();
            let f = frame.clone();
            shares.push(tokio::spawn(async move {
                let Ok(mut s) = c.open_uni().await else { return };
                if write_msg(&mut s, &UniHeader::Screen, MAX_UNI_HEADER_BYTES).await.is_err() {
                    return;
                }
                for _ in 0..8 {
                    if write_msg(&mut s, &f, MAX_SCREEN_MSG_BYTES).await.is_err() {
                        return;
                    }
                }
            }));
        }
        // And an inventory the customer was never asked for, as large as one may be.
        let row = vec!["x".repeat(1000), "y".repeat(1000)];
        let inventory = deskside_proto::Inventory {
            collected_unix_ms: 0,
            sections: vec![deskside_proto::Section {
                kind: deskside_proto::SectionKind::Software,
                rows: vec![row; 1900],
            }],
        };
        let mut inv = eve.conn.open_uni().await.unwrap();
        write_msg(&mut inv, &UniHeader::Inventory, MAX_UNI_HEADER_BYTES).await.unwrap();
        let _ = write_msg(&mut inv, &inventory, deskside_proto::MAX_INVENTORY_BYTES).await;
        let closed = tokio::time::timeout(WAIT, eve.conn.closed()).await.unwrap();
        assert_eq!(refusal_of(&closed), Some(Refusal::NotAllowed), "an unasked inventory closes the connection");
        for s in shares {
            let _ = s.await;
        }
        let grew = peak_mib().saturating_sub(before);
        println!("peak memory grew {grew} MiB during the attack");
        assert!(grew < 150, "the console grew {grew} MiB for streams it never allowed");
        assert!(!host.screen().lock().unwrap().active);
        assert!(!matches!(host.try_event(), Some(HostEvent::SystemInfo { .. })));
        an_honest_customer_still_joins(&mut host).await;
    });
}

/// Keeps `count` connections from `from` that never say hello (or say half of one, or garbage),
/// each replaced as soon as the host drops it, until `stop`.
async fn pester(inv: Invite, from: &'static str, count: usize, stop: Arc<AtomicBool>) -> usize {
    let ep = client(from).await;
    let addr = host_addr(&inv);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..count {
        let (ep, stop, addr) = (ep.clone(), stop.clone(), addr.clone());
        tasks.spawn(async move {
            let mut made = 0;
            while !stop.load(Ordering::SeqCst) {
                made += 1;
                let connecting = ep.connect(addr.clone(), ALPN);
                let Ok(Ok(conn)) = tokio::time::timeout(Duration::from_secs(3), connecting).await else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                match i % 3 {
                    // Silent.
                    0 => {}
                    // Half a hello: a length, then nothing.
                    1 => {
                        if let Ok((mut s, _r)) = conn.open_bi().await {
                            let _ = s.write_all(&1000u32.to_le_bytes()).await;
                            let _ = tokio::time::timeout(Duration::from_secs(10), conn.closed()).await;
                        }
                    }
                    // Garbage.
                    _ => {
                        if let Ok((mut s, _r)) = conn.open_bi().await {
                            let _ = s.write_all(&[3, 0, 0, 0, 0xff, 0xff, 0xff]).await;
                        }
                    }
                }
                let _ = tokio::time::timeout(Duration::from_secs(10), conn.closed()).await;
            }
            made
        });
    }
    let mut made = 0;
    while let Some(n) = tasks.join_next().await {
        made += n.unwrap_or(0);
    }
    made
}

#[test]
fn connections_that_never_say_hello_cannot_keep_anyone_out() {
    run(async {
        let mut host = host();
        let stop = Arc::new(AtomicBool::new(false));
        // 200 at once, from eight addresses, coming and going.
        let from =
            ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8", "127.0.0.9"];
        let attackers: Vec<_> =
            from.iter().map(|ip| tokio::spawn(pester(invite(&host), ip, 25, stop.clone()))).collect();
        tokio::time::sleep(Duration::from_secs(2)).await;
        // Honest customers keep getting in meanwhile, quickly, over and over.
        for _ in 0..4 {
            let t = Instant::now();
            an_honest_customer_still_joins(&mut host).await;
            println!("an honest customer got in within {:?} under attack", t.elapsed());
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        stop.store(true, Ordering::SeqCst);
        let mut made = 0;
        for a in attackers {
            made += a.await.unwrap();
        }
        println!("{made} hostile connections were made");
        assert!(made >= 200, "the attack ran: {made} connections");
    });
}

#[test]
fn before_its_hello_a_connection_can_open_nothing_and_one_address_takes_four_slots() {
    run(async {
        let mut host = host();
        let inv = invite(&host);
        let ep = client("127.0.0.2").await;
        let conn = ep.connect(host_addr(&inv), ALPN).await.unwrap();
        // Its control stream, and nothing else: no other stream may be opened before the hello.
        let (_send, _recv) = conn.open_bi().await.unwrap();
        let wait = Duration::from_millis(800);
        assert!(tokio::time::timeout(wait, conn.open_uni()).await.is_err(), "a stream before the hello");
        assert!(tokio::time::timeout(wait, conn.open_bi()).await.is_err(), "a second control stream");
        // The same address holds at most four slots: more of its newcomers are refused at once.
        let mut held = vec![conn];
        let mut refused = 0;
        for _ in 0..8 {
            match tokio::time::timeout(Duration::from_secs(3), ep.connect(host_addr(&inv), ALPN)).await {
                Ok(Ok(c)) => held.push(c),
                _ => refused += 1,
            }
        }
        assert_eq!(held.len(), 4, "four slots for one address");
        assert_eq!(refused, 5);
        // Another address still gets in meanwhile.
        an_honest_customer_still_joins(&mut host).await;
        // And the silent ones are closed after their five seconds.
        let closed = tokio::time::timeout(Duration::from_secs(8), held[0].closed()).await;
        assert!(closed.is_ok(), "a connection that never says hello is closed");
    });
}

#[test]
fn a_long_session_still_admits_and_resumes_people() {
    run(async {
        let mut host = host();
        for i in 0..10_000 {
            let text = format!("line {i:05} {}", "x".repeat(i % 200));
            loop {
                match host.send(HostCommand::Chat { to: ChatTarget::Everyone, text: text.clone() }) {
                    Ok(()) => break,
                    Err(_) => tokio::time::sleep(Duration::from_millis(1)).await,
                }
            }
        }
        let dir = visible_tempdir();
        let paths: Vec<_> = (0..5_000)
            .map(|i| {
                let p = dir
                    .path()
                    .join(format!("{i:04} a file whose name is long enough to matter {}.txt", "n".repeat(150)));
                std::fs::write(&p, [i as u8]).unwrap();
                p
            })
            .collect();
        host.send(HostCommand::ShareFiles(paths)).unwrap();
        host_event(&mut host, |e| matches!(e, HostEvent::FilesOffered(f) if f.len() == 5_000).then_some(())).await;

        // A customer joins through a relay the test can cut.
        let inv = invite(&host);
        let relay = relay(host_socket(&inv)).await;
        let mut through = inv.clone();
        through.host.addrs = vec![relay.addr];
        let mut agent = join(&through, opts("Ana")).await.unwrap();
        assert_eq!(backlog_lines(&mut agent).await, 10_000);
        until("every offered file is listed", || agent.transfers().offered().len() == 5_000).await;
        // The network goes away long enough for the connection to drop, then comes back.
        relay.cut(true);
        agent_event(&mut agent, |e| matches!(e, AgentEvent::Session(Event::Reconnecting)).then_some(())).await;
        relay.cut(false);
        agent_event(&mut agent, |e| matches!(e, AgentEvent::Session(Event::Reconnected(_))).then_some(())).await;
        assert_eq!(backlog_lines(&mut agent).await, 10_000, "all the chat again after coming back");
        assert_eq!(agent.transfers().offered().len(), 5_000);
        an_honest_customer_still_joins(&mut host).await;
    });
}

/// Counts the chat lines that arrive in the backlog until there are 10,000.
async fn backlog_lines(agent: &mut AgentHandle) -> usize {
    let mut lines = 0;
    tokio::time::timeout(WAIT, async {
        while lines < 10_000 {
            match agent.next_event().await.unwrap() {
                AgentEvent::Session(Event::ChatBacklog(l)) => lines += l.len(),
                AgentEvent::Session(Event::Closed(why)) => panic!("closed: {why}"),
                _ => {}
            }
        }
    })
    .await
    .expect("all the chat arrives");
    lines
}

// ─── A hostile colleague ───────────────────────────────────────────────────────────────────────

#[test]
fn a_colleague_in_control_cannot_send_everyone_away_without_a_hand_over() {
    run(async {
        let mut host = host();
        let mut ana = join(&invite(&host), opts("Ana")).await.unwrap();
        let csr_invite = host.invite(InviteRole::Csr, HALF_HOUR_MS).unwrap();
        let mut kim = raw_join(&csr_invite, "Kim", AppKind::Console).await;
        let kim_id = kim.welcome.you;
        host.send(HostCommand::TransferControl { to: kim_id }).unwrap();
        participants(&mut host, |p| p.iter().any(|p| p.id == kim_id && p.role == Role::CsrInControl)).await;
        // "I listen over there now": nobody asked.
        let attacker: SocketAddr = "127.0.0.1:9".parse().unwrap();
        kim.say(&ToHost::HostReady {
            host: deskside_proto::HostAddr { id: [6; 32], relays: vec![], addrs: vec![attacker] },
        })
        .await;
        let refused = kim
            .heard(|m| match m {
                ToGuest::Refused { rule } => Some(*rule),
                _ => None,
            })
            .await;
        assert_eq!(refused, deskside_proto::Rule::NotInControl);
        // Ana was not sent anywhere: she still hears the session.
        kim.say(&ToHost::Chat { to: ChatTarget::Everyone, text: "still one session".into() }).await;
        agent_event(&mut ana, |e| match e {
            AgentEvent::Session(Event::Chat(l)) if l.text == "still one session" => Some(()),
            AgentEvent::Session(Event::Moved) => panic!("the agent was moved"),
            _ => None,
        })
        .await;
        assert_eq!(ana.invite().host, invite(&host).host, "still pinned to this host");
        while let Some(e) = host.try_event() {
            assert!(!matches!(e, HostEvent::HandedOver { .. } | HostEvent::Ended { .. }), "{e:?}");
        }
        an_honest_customer_still_joins(&mut host).await;
    });
}

// ─── A hostile host ────────────────────────────────────────────────────────────────────────────

/// A rogue "host": a real TLS endpoint that welcomes the agent and then does as the test says.
struct Rogue {
    _ep: iroh::Endpoint,
    conn: iroh::endpoint::Connection,
    send: iroh::endpoint::SendStream,
    recv: iroh::endpoint::RecvStream,
}

impl Rogue {
    async fn say(&mut self, msg: &ToGuest) -> bool {
        write_msg(&mut self.send, msg, MAX_CONTROL_MSG_BYTES).await.is_ok()
    }

    /// The next message from the agent matching `f`, skipping others; `None` if none comes
    /// within `wait`.
    async fn heard_within<T>(&mut self, wait: Duration, mut f: impl FnMut(&ToHost) -> Option<T>) -> Option<T> {
        tokio::time::timeout(wait, async {
            loop {
                let m = read_msg::<ToHost>(&mut self.recv, MAX_CONTROL_MSG_BYTES).await.ok()?;
                if let Some(t) = f(&m) {
                    return Some(t);
                }
            }
        })
        .await
        .ok()
        .flatten()
    }

    async fn heard<T>(&mut self, f: impl FnMut(&ToHost) -> Option<T>) -> T {
        self.heard_within(WAIT, f).await.expect("the agent did not say it")
    }
}

/// Starts a rogue host, joins the real agent to it and returns both.
async fn rogue_with_agent(sink: &RecordingSink) -> (Rogue, AgentHandle) {
    let id = Identity::generate().unwrap();
    let ep =
        deskside_net::transport::host_endpoint(id.secret.clone(), "127.0.0.1:0".parse().unwrap(), &[]).await.unwrap();
    let inv = Invite {
        host: deskside_proto::HostAddr { id: id.id, relays: vec![], addrs: ep.bound_sockets() },
        session: deskside_proto::SessionId([1; 16]),
        role: InviteRole::Customer,
        secret: [2; 16],
        expires_unix_s: now_ms() / 1000 + 600,
    };
    let server = ep.clone();
    let accept = tokio::spawn(async move {
        let conn = server.accept().await.unwrap().accept().unwrap().await.unwrap();
        deskside_net::transport::admitted(&conn);
        let (mut send, mut recv) = conn.accept_bi().await.unwrap();
        let _hello: Hello = read_msg(&mut recv, MAX_CONTROL_MSG_BYTES).await.unwrap();
        let welcome = Welcome {
            you: ParticipantId(1),
            role: Role::PrimaryCustomer,
            csr_name: "Rogue".into(),
            organisation: String::new(),
            session_type: String::new(),
            tracking_code: String::new(),
            started_unix_ms: 0,
            participants: vec![],
        };
        write_msg(&mut send, &ToGuest::Welcome(welcome), MAX_CONTROL_MSG_BYTES).await.unwrap();
        (conn, send, recv)
    });
    let link = deskside_net::guest::join(&inv, "Ana", AppKind::Agent, now_ms() / 1000).await.unwrap();
    let agent =
        serve(link, inv, &synthetic_options("Ana", &SyntheticSource::new(8, 8, pattern(0)), sink), Arc::new(|| {}));
    let (conn, send, recv) = accept.await.unwrap();
    (Rogue { _ep: ep, conn, send, recv }, agent)
}

/// The rogue asks for `capability` and the customer allows it in their window.
async fn customer_allows(rogue: &mut Rogue, agent: &AgentHandle, capability: Capability, request: u32) {
    assert!(rogue.say(&ToGuest::ConsentRequest { request, capability, from_name: "Rogue".into() }).await);
    until("the request is shown", || agent.gate().consent().pending().is_some_and(|p| p.request == request)).await;
    agent.answer(request, true);
    rogue.heard(|m| matches!(m, ToHost::ConsentAnswer { allowed: true, .. }).then_some(())).await;
}

fn moved(file: u32, path: &[&str], size: u64) -> MovedFile {
    MovedFile { file: FileId(file), path: path.iter().map(|p| (*p).to_owned()).collect(), size, sha256: [0; 32] }
}

#[test]
fn a_host_can_write_only_the_names_count_size_and_folder_the_customer_allowed() {
    run(async {
        // Not under a hidden folder (tempfile's own names start with a dot).
        let dir = visible_tempdir();
        let folder = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::write(folder.join(".bashrc"), b"the customer's own").unwrap();
        let sink = RecordingSink::default();
        let (mut rogue, agent) = rogue_with_agent(&sink).await;
        customer_allows(&mut rogue, &agent, Capability::Files, 1).await;
        let report = MoveSummary { name: "report.pdf".into(), dir: false, files: 1, bytes: 4 };
        // Allowed: "report.pdf into this folder". Sent instead: .bashrc; two files; more bytes.
        let lies = [
            vec![moved(10, &[".bashrc"], 4)],
            vec![moved(20, &["report.pdf"], 4), moved(21, &["report.pdf", "x"], 4)],
            vec![moved(30, &["report.pdf"], 4_000_000)],
        ];
        for (i, files) in lies.into_iter().enumerate() {
            let push = 100 + i as u32;
            let ask = ToGuest::PushAsk {
                push: MoveId(push),
                from_name: "Rogue".into(),
                summary: report.clone(),
                folder: folder.to_string_lossy().into_owned(),
                on_conflict: OnConflict::Replace,
            };
            assert!(rogue.say(&ask).await);
            until("the push is put to the customer", || agent.move_asks().iter().any(|a| a.id == MoveId(push))).await;
            agent.answer_move(MoveId(push), true);
            rogue
                .heard(|m| {
                    matches!(m, ToHost::PushAnswer { push: p, allowed: true, .. } if *p == MoveId(push)).then_some(())
                })
                .await;
            assert!(rogue.say(&ToGuest::PushFiles { push: MoveId(push), files, last: true }).await);
            until("the move failed", || {
                agent
                    .moves()
                    .entries()
                    .iter()
                    .any(|e| e.id == MoveId(push) && matches!(e.status, deskside_agent::moves::MoveStatus::Failed(_)))
            })
            .await;
        }
        let fetched =
            rogue.heard_within(Duration::from_secs(1), |m| matches!(m, ToHost::FetchFile { .. }).then_some(())).await;
        assert!(fetched.is_none(), "nothing of what was not allowed is asked for");
        assert_eq!(std::fs::read(folder.join(".bashrc")).unwrap(), b"the customer's own");
        assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1, "nothing was written");

        // A relative folder is refused without even asking the customer.
        let ask = ToGuest::PushAsk {
            push: MoveId(200),
            from_name: "Rogue".into(),
            summary: report.clone(),
            folder: "Documents".into(),
            on_conflict: OnConflict::KeepBoth,
        };
        assert!(rogue.say(&ask).await);
        rogue.heard(|m| matches!(m, ToHost::PushAnswer { push: MoveId(200), allowed: false, .. }).then_some(())).await;
        assert!(agent.move_asks().iter().all(|a| a.id != MoveId(200)));

        // The honest push still works: exactly what was allowed is asked for.
        let ask = ToGuest::PushAsk {
            push: MoveId(300),
            from_name: "Rogue".into(),
            summary: report.clone(),
            folder: folder.to_string_lossy().into_owned(),
            on_conflict: OnConflict::KeepBoth,
        };
        assert!(rogue.say(&ask).await);
        until("the push is put to the customer", || agent.move_asks().iter().any(|a| a.id == MoveId(300))).await;
        agent.answer_move(MoveId(300), true);
        assert!(
            rogue
                .say(&ToGuest::PushFiles { push: MoveId(300), files: vec![moved(40, &["report.pdf"], 4)], last: true })
                .await
        );
        rogue.heard(|m| matches!(m, ToHost::FetchFile { file: FileId(40), .. }).then_some(())).await;
    });
}

#[test]
fn a_host_cannot_list_or_take_hidden_files_by_naming_them() {
    run(async {
        // Not under a hidden folder (tempfile's own names start with a dot).
        let dir = visible_tempdir();
        let folder = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir(folder.join(".ssh")).unwrap();
        std::fs::write(folder.join(".ssh/id_ed25519"), b"secret").unwrap();
        std::fs::write(folder.join(".bashrc"), b"x").unwrap();
        std::fs::create_dir(folder.join("Photos")).unwrap();
        std::fs::write(folder.join("Photos/.hidden"), b"x").unwrap();
        std::fs::write(folder.join("Photos/a.jpg"), b"x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(folder.join(".ssh"), folder.join("keys")).unwrap();
        let sink = RecordingSink::default();
        let (mut rogue, agent) = rogue_with_agent(&sink).await;
        customer_allows(&mut rogue, &agent, Capability::Files, 1).await;
        let f = folder.to_string_lossy().into_owned();
        let asks = [
            FolderAt::Path(format!("{f}/.ssh")),
            FolderAt::Child { folder: f.clone(), name: ".ssh".into() },
            FolderAt::Path(format!("{f}/keys")),
            FolderAt::Path("relative/path".into()),
        ];
        for (req, at) in asks.into_iter().enumerate() {
            let req = req as u32 + 1;
            assert!(rogue.say(&ToGuest::ListFolder { req, at: at.clone() }).await);
            let listing = rogue
                .heard(|m| match m {
                    ToHost::Folder { req: r, listing } if *r == req => Some(listing.clone()),
                    _ => None,
                })
                .await;
            assert!(listing.is_err(), "{at:?} was listed: {listing:?}");
        }
        // The folder itself: listed, hidden entries left out.
        assert!(rogue.say(&ToGuest::ListFolder { req: 9, at: FolderAt::Path(f.clone()) }).await);
        let listing = rogue
            .heard(|m| match m {
                ToHost::Folder { req: 9, listing } => Some(listing.clone()),
                _ => None,
            })
            .await
            .unwrap();
        assert!(listing.entries.iter().all(|e| !e.name.starts_with('.')), "{listing:?}");
        // Taking a hidden file, or a folder with hidden files, never sends them.
        assert!(
            rogue
                .say(&ToGuest::PullAsk {
                    pull: MoveId(50),
                    from_name: "Rogue".into(),
                    folder: f.clone(),
                    name: ".bashrc".into()
                })
                .await
        );
        rogue.heard(|m| matches!(m, ToHost::PullRefused { pull: MoveId(50), .. }).then_some(())).await;
        assert!(
            rogue
                .say(&ToGuest::PullAsk {
                    pull: MoveId(51),
                    from_name: "Rogue".into(),
                    folder: f.clone(),
                    name: "Photos".into()
                })
                .await
        );
        until("the pull is put to the customer", || agent.move_asks().iter().any(|a| a.id == MoveId(51))).await;
        agent.answer_move(MoveId(51), true);
        let files = rogue
            .heard(|m| match m {
                ToHost::PullFiles { pull: MoveId(51), files, .. } => Some(files.clone()),
                _ => None,
            })
            .await;
        let names: Vec<String> = files.iter().map(|f| f.path.join("/")).collect();
        assert_eq!(names, vec!["Photos/a.jpg"], "the hidden file stays home");
    });
}

#[test]
fn a_host_that_floods_without_reading_is_cut_off_with_bounded_memory() {
    run(async {
        let sink = RecordingSink::default();
        let (mut rogue, mut agent) = rogue_with_agent(&sink).await;
        reset_peak();
        let before = rss_mib();
        // Requests as fast as the agent reads them, answers never read: the rogue's own
        // connection window (this code's unadmitted one, 128 KiB) fills at once.
        let mut sent = 0u32;
        for request in 0..60_000u32 {
            let msg =
                ToGuest::ConsentRequest { request, capability: Capability::SystemInfo, from_name: "Rogue".into() };
            if !rogue.say(&msg).await {
                break;
            }
            sent += 1;
        }
        let why = agent_event(&mut agent, |e| match e {
            AgentEvent::Session(Event::Closed(why)) => Some(why.clone()),
            _ => None,
        })
        .await;
        assert_eq!(why, CloseReason::Refused(Refusal::NotAllowed), "after {sent} requests");
        let closed = tokio::time::timeout(WAIT, rogue.conn.closed()).await.unwrap();
        assert_eq!(refusal_of(&closed), Some(Refusal::NotAllowed));
        let grew = peak_mib().saturating_sub(before);
        println!("the agent grew {grew} MiB under {sent} requests never read");
        assert!(grew < 64, "the agent grew {grew} MiB");
        assert!(agent.gate().consent().pending().is_none_or(|_| true));
    });
}

#[test]
fn a_host_sending_what_no_person_should_see_is_refused() {
    run(async {
        // A name in a consent dialog longer than any name.
        let sink = RecordingSink::default();
        let (mut rogue, mut agent) = rogue_with_agent(&sink).await;
        let huge = ToGuest::ConsentRequest { request: 1, capability: Capability::View, from_name: "M".repeat(10_000) };
        assert!(rogue.say(&huge).await);
        let why = agent_event(&mut agent, |e| match e {
            AgentEvent::Session(Event::Closed(why)) => Some(why.clone()),
            _ => None,
        })
        .await;
        assert_eq!(why, CloseReason::Refused(Refusal::Malformed));
        assert!(agent.gate().consent().pending().is_none(), "never shown");

        // A wheel step no wheel makes (i32::MIN overflowed `abs()` in the input task), with
        // control allowed.
        let (mut rogue, mut agent) = rogue_with_agent(&sink).await;
        customer_allows(&mut rogue, &agent, Capability::Control, 1).await;
        let mut input = rogue.conn.open_uni().await.unwrap();
        write_msg(&mut input, &UniHeader::Input, MAX_UNI_HEADER_BYTES).await.unwrap();
        write_msg(&mut input, &InputEvent::Wheel { dx: 0, dy: i32::MIN }, MAX_INPUT_MSG_BYTES).await.unwrap();
        let why = agent_event(&mut agent, |e| match e {
            AgentEvent::Session(Event::Closed(why)) => Some(why.clone()),
            _ => None,
        })
        .await;
        assert_eq!(why, CloseReason::Refused(Refusal::Malformed));
        assert!(sink.events().is_empty(), "nothing was injected");
    });
}
