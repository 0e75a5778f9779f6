//! Hostile peers, over real loopback QUIC, against the real host and agent: a customer who lies
//! about what was allowed and sends what no screen can be, connections that never say hello, and
//! a colleague who claims a hand-over that never began (a hostile host: `hostile_host.rs`). Each
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
use deskside_agent::engine::{AgentEvent, AgentHandle};
use deskside_net::framed::{read_msg, write_msg};
use deskside_net::guest::refusal_of;
use deskside_net::host::{HostCommand, HostEvent, HostHandle};
use deskside_net::now_ms;
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{
    ALPN, AppKind, Capability, ChatTarget, Grants, Hello, Invite, InviteRole, MAX_CONTROL_MSG_BYTES,
    MAX_SCREEN_MSG_BYTES, MAX_UNI_HEADER_BYTES, PROTOCOL_VERSION, Refusal, Role, ScreenMsg, Tile, TileData, ToGuest,
    ToHost, UniHeader, Welcome,
};

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
    deskside_net::transport::client_endpoint_on(
        format!("{from}:0").parse().unwrap(),
        &deskside_net::transport::Relays::default(),
    )
    .await
    .unwrap()
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

    /// The host asks this customer to show their screen, and they allow it, honestly: the
    /// answer to the request, then the grant; returns once the host lists it.
    async fn allow_view_asked_by(&mut self, host: &mut HostHandle) {
        let me = self.welcome.you;
        host.send(HostCommand::Request { to: me, capability: Capability::View }).unwrap();
        let request = self
            .heard(|m| match m {
                ToGuest::ConsentRequest { request, .. } => Some(*request),
                _ => None,
            })
            .await;
        self.say(&ToHost::ConsentAnswer { request, allowed: true }).await;
        self.say(&ToHost::Grants(Grants { view: true, ..Grants::default() })).await;
        participants(host, |p| p.iter().any(|p| p.id == me && p.grants.view)).await;
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
        eve.allow_view_asked_by(&mut host).await;
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
            host: deskside_proto::HostAddr {
                id: [6; 32],
                relays: vec![],
                relay_token: String::new(),
                addrs: vec![attacker],
            },
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

/// What a customer's agent says of their line ([`ScreenMsg::Line`]) is shown to the CSR only
/// while their share is viewed, and goes with the share: an unviewed stream's word is not heard.
#[test]
fn the_line_a_customer_reports_is_shown_only_with_their_share() {
    run(async {
        let mut host = host();
        let mut ana = raw_join(&invite(&host), "Ana", AppKind::Agent).await;
        // Not asked to show anything: a "slow line" is not shown.
        let unasked = ana.share(&[ScreenMsg::Line { reduced: true }, key_frame(64, 64)]).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(!host.screen().lock().unwrap().reduced, "an unviewed stream says nothing");
        drop(unasked);
        ana.allow_view_asked_by(&mut host).await;
        let mut share = ana.share(&[key_frame(64, 64), ScreenMsg::Line { reduced: true }]).await;
        let said = |host: &HostHandle, want: bool| {
            let s = host.screen().lock().unwrap();
            s.active && s.reduced == want
        };
        wait_until(|| said(&host, true)).await;
        write_msg(&mut share, &ScreenMsg::Line { reduced: false }, MAX_SCREEN_MSG_BYTES).await.unwrap();
        wait_until(|| said(&host, false)).await;
        write_msg(&mut share, &ScreenMsg::Line { reduced: true }, MAX_SCREEN_MSG_BYTES).await.unwrap();
        wait_until(|| said(&host, true)).await;
        // The share ends: so does what it said.
        share.finish().unwrap();
        wait_until(|| {
            let s = host.screen().lock().unwrap();
            !s.active && !s.reduced
        })
        .await;
    });
}

/// Waits until `f` holds (at most [`WAIT`]).
async fn wait_until(mut f: impl FnMut() -> bool) {
    tokio::time::timeout(WAIT, async {
        while !f() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("timed out");
}
