//! A real session (join, view, control, a 50 MiB file, chat both ways) between a console and a
//! customer's agent on different networks of the lab, behind nftables routers, with the team's
//! relay (HTTPS and QUIC address discovery) on the lab's public network:
//!
//! 1. both behind port-restricted cone NATs: it starts relayed and turns direct within 15 s;
//! 2. the customer behind a symmetric NAT: it stays relayed, and everything works;
//! 3. UDP blocked for the customer: through the relay over TCP (HTTPS), everything works;
//! 4. the relay down, the console on a public address: direct, everything works (and a
//!    customer with IPv6 only reaches a console on its IPv6 address);
//! 5. the relay killed mid-session once the path is direct: the session goes on;
//! 6. the customer's address changes mid-session: the session goes on; a session handed to a
//!    colleague's console on another network follows through the relay;
//! 7. a wrong endpoint id in the invite, and a relay that does not know the team's token:
//!    refused, in the right words;
//!
//! and a customer's network that lets nothing out is told what its firewall must allow.
//!
//! Needs root, iproute2 and nftables (`cargo xtask ci` installs them).
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use deskside_agent::engine::{AgentEvent, AgentHandle, AgentOptions, Event};
use deskside_lab::{Block, Lab, LabRelay, Nat, Netns, TOKEN};
use deskside_net::host::{HostCommand, HostConfig, HostEvent, HostHandle, start_host};
use deskside_net::transport::Relays;
use deskside_net::{Identity, JoinError};
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{Capability, ChatTarget, FileOutcome, InputEvent, Invite, InviteRole, MouseButton, SessionId};

const WAIT: Duration = Duration::from_secs(30);
const FILE_BYTES: usize = 50 << 20;

/// Every endpoint of this process trusts the lab relay's certificate.
fn trust_lab_relay() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        deskside_net::transport::trust_relay_certificates(deskside_lab::relay_certificate_pem().as_bytes()).unwrap();
    });
}

/// A runtime in a lab namespace; shut down without waiting when dropped.
struct InNs(Option<tokio::runtime::Runtime>);

impl InNs {
    fn new(ns: &Netns) -> InNs {
        InNs(Some(ns.runtime().unwrap()))
    }
    fn rt(&self) -> &tokio::runtime::Runtime {
        self.0.as_ref().unwrap()
    }
}

impl Drop for InNs {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// Sam's console, in `ns`, hosting through `relay_url` with `token` (no relay if empty).
async fn console(ns: &InNs, relay_url: &str, token: &str) -> HostHandle {
    let urls = if relay_url.is_empty() { Vec::new() } else { vec![relay_url.to_owned()] };
    console_with(ns, Relays { urls, token: token.to_owned(), roots: Vec::new() }).await
}

/// Sam's console, in `ns`, hosting through `relays`.
async fn console_with(ns: &InNs, relays: Relays) -> HostHandle {
    let cfg = HostConfig {
        bind: "0.0.0.0:0".parse().unwrap(),
        identity: Identity::generate().unwrap(),
        relays,
        session: deskside_session::SessionConfig {
            id: SessionId(deskside_net::random_bytes().unwrap()),
            csr_name: "Sam Rivera".into(),
            organisation: "Acme Support".into(),
            session_type: "General support".into(),
            tracking_code: String::new(),
        },
    };
    ns.rt().spawn(async move { start_host(cfg, Arc::new(|| {})) }).await.unwrap().unwrap()
}

/// The customer's screen and input.
struct Customer {
    screen: SyntheticSource,
    sink: RecordingSink,
    downloads: tempfile::TempDir,
}

impl Customer {
    fn new() -> Customer {
        Customer {
            screen: SyntheticSource::new(320, 200, pattern(1)),
            sink: RecordingSink::default(),
            downloads: tempfile::tempdir().unwrap(),
        }
    }

    fn options(&self) -> AgentOptions {
        let (screen, sink) = (self.screen.clone(), self.sink.clone());
        AgentOptions {
            name: "Ana".into(),
            screen: Arc::new(move || Ok(Box::new(screen.clone()))),
            input: Arc::new(move || Ok(Box::new(sink.clone()))),
            windows: Arc::new(deskside_platform::desktop_windows),
            disk: Arc::new(deskside_agent::transfer::RealDisk),
            max_fps: 30,
            trust: None,
        }
    }
}

/// The customer's agent, in `ns`, joining with `invite`.
async fn agent(ns: &InNs, invite: &Invite, customer: &Customer) -> Result<AgentHandle, JoinError> {
    let (invite, options) = (invite.clone(), customer.options());
    ns.rt().spawn(async move { deskside_agent::engine::start(invite, options, Arc::new(|| {})).await }).await.unwrap()
}

fn pattern(seed: u32) -> impl Fn(u32, u32) -> [u8; 4] {
    move |x, y| [(x * 3 + seed) as u8, (y * 5) as u8, ((x ^ y) + seed * 7) as u8, 0]
}

async fn host_event<T>(host: &mut HostHandle, what: &str, mut f: impl FnMut(&HostEvent) -> Option<T>) -> T {
    tokio::time::timeout(WAIT, async {
        loop {
            let ev = host.next_event().await.expect("host stopped");
            if let Some(t) = f(&ev) {
                return t;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

async fn agent_event<T>(agent: &mut AgentHandle, what: &str, mut f: impl FnMut(&AgentEvent) -> Option<T>) -> T {
    tokio::time::timeout(WAIT, async {
        loop {
            let ev = agent.next_event().await.expect("agent stopped");
            if let Some(t) = f(&ev) {
                return t;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

async fn until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !f() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn screen_matches(host: &HostHandle, screen: &SyntheticSource) -> bool {
    let (w, h, bgrx) = screen.pixels();
    let s = host.screen().lock().unwrap();
    s.active
        && (s.width, s.height) == (w, h)
        && s.rgba.chunks_exact(4).zip(bgrx.chunks_exact(4)).all(|(d, p)| d == [p[2], p[1], p[0], 255])
}

/// A file of `len` bytes that are not all alike.
fn make_file(dir: &Path, name: &str, len: usize, seed: u32) -> PathBuf {
    let mut x: u32 = 0x1234_5678 ^ seed;
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The whole session, once joined: viewing and control allowed by the customer (asked for in
/// round 1), the screen arriving pixel-exact, a click and a key arriving in order, chat
/// both ways, and a 50 MiB file downloaded whole. `round` tells the rounds of one test apart.
async fn everything(host: &mut HostHandle, agent: &mut AgentHandle, customer: &Customer, round: u32) {
    everything_with(host, agent, customer, round, "Sam Rivera").await;
}

/// [`everything`] with the console of the CSR called `csr`.
async fn everything_with(host: &mut HostHandle, agent: &mut AgentHandle, customer: &Customer, round: u32, csr: &str) {
    let ana = agent.welcome().you;
    if round == 1 {
        for cap in [Capability::View, Capability::Control] {
            host.send(HostCommand::Request { to: ana, capability: cap }).unwrap();
            agent_event(agent, "the consent request", |e| {
                (*e == AgentEvent::Session(Event::ConsentChanged)).then_some(())
            })
            .await;
            let request = agent.gate().consent().pending().unwrap().request;
            agent.answer(request, true);
            host_event(host, "the answer", |e| {
                matches!(e, HostEvent::ConsentAnswered { allowed: true, capability, .. } if *capability == cap)
                    .then_some(())
            })
            .await;
        }
    }
    // View: the screen as it is now, pixel-exact.
    customer.screen.paint(320, 200, pattern(10 + round));
    until("the screen arrives pixel-exact", || screen_matches(host, &customer.screen)).await;

    // Control: a click and a key, in order.
    let before = customer.sink.events().len();
    let sent = [
        InputEvent::MouseMove { x: 40 + round, y: 30 },
        InputEvent::MouseButton { button: MouseButton::Left, down: true },
        InputEvent::MouseButton { button: MouseButton::Left, down: false },
        InputEvent::Text(format!("round {round}")),
    ];
    for ev in &sent {
        host.send(HostCommand::Input(ev.clone())).unwrap();
    }
    until("the input is injected", || customer.sink.events().len() == before + sent.len()).await;
    assert_eq!(customer.sink.events()[before..], sent);

    // Chat both ways.
    let text = format!("Hello Ana ({round})");
    host.send(HostCommand::Chat { to: ChatTarget::Everyone, text: text.clone() }).unwrap();
    let line = agent_event(agent, "the CSR's chat line", |e| match e {
        AgentEvent::Session(Event::Chat(l)) if l.text == text => Some(l.clone()),
        _ => None,
    })
    .await;
    assert_eq!(line.from_name, csr);
    assert!(agent.chat(ChatTarget::Everyone, format!("Thanks ({round})")));
    host_event(host, "the customer's chat line", |e| match e {
        HostEvent::Chat(l) if l.from == ana && l.text == format!("Thanks ({round})") => Some(()),
        _ => None,
    })
    .await;

    // A 50 MiB file, whole and checked.
    let csr = tempfile::tempdir().unwrap();
    let name = format!("setup-{round}.bin");
    let path = make_file(csr.path(), &name, FILE_BYTES, round);
    host.send(HostCommand::ShareFiles(vec![path.clone()])).unwrap();
    let mut offered = None;
    until("the file is offered to the customer", || {
        offered = agent.transfers().offered().into_iter().find(|f| f.name == name);
        offered.is_some()
    })
    .await;
    let offered = offered.unwrap();
    agent.download(offered.id, customer.downloads.path()).unwrap();
    let outcome = tokio::time::timeout(Duration::from_mins(2), async {
        loop {
            if let Some(HostEvent::FileDone { file, outcome, .. }) = host.next_event().await
                && file.id == offered.id
            {
                return outcome;
            }
        }
    })
    .await
    .expect("the 50 MiB file arrives");
    assert_eq!(outcome, FileOutcome::Done);
    assert!(
        std::fs::read(customer.downloads.path().join(&name)).unwrap() == std::fs::read(&path).unwrap(),
        "the file arrived byte for byte"
    );
}

/// Whether the host's latest link report says the customer's link is relayed, waiting for one.
async fn relayed(host: &mut HostHandle) -> bool {
    host_event(host, "a link report", |e| match e {
        HostEvent::Quality(list) => list.first().map(|q| q.relayed),
        _ => None,
    })
    .await
}

/// Waits until the customer's link is direct (within `within`).
async fn turns_direct(host: &mut HostHandle, within: Duration) {
    tokio::time::timeout(within, async {
        loop {
            if let Some(HostEvent::Quality(list)) = host.next_event().await
                && list.iter().any(|q| !q.relayed)
            {
                return;
            }
        }
    })
    .await
    .expect("the link turns direct in time");
}

fn invite(host: &HostHandle) -> Invite {
    host.invite(InviteRole::Customer, 30 * 60 * 1000).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_two_cone_nats_a_session_starts_relayed_and_turns_direct() {
    trust_lab_relay();
    let mut lab = Lab::new().unwrap();
    let relay = LabRelay::start(&lab).await.unwrap();
    let (sam, ana) = (lab.site("sam", Nat::Cone).unwrap(), lab.site("ana", Nat::Cone).unwrap());
    let (sam_rt, ana_rt) = (InNs::new(&sam.machine), InNs::new(&ana.machine));
    let mut host = console(&sam_rt, &relay.url(), TOKEN).await;
    let invite = invite(&host);
    // The invite names the relay and the console's public address, which the relay observed.
    assert_eq!(invite.host.relays, vec![relay.url()]);
    assert!(invite.host.addrs.iter().any(|a| a.ip() == sam.public_ip), "{:?}", invite.host.addrs);
    let customer = Customer::new();
    let mut agent = agent(&ana_rt, &invite, &customer).await.unwrap();
    // Sam's router drops what it did not ask for, so the first way in is the relay; the
    // endpoints then punch through both routers.
    turns_direct(&mut host, Duration::from_secs(15)).await;
    everything(&mut host, &mut agent, &customer, 1).await;
    assert!(!relayed(&mut host).await, "still direct");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_symmetric_nat_a_session_stays_relayed_and_everything_works() {
    trust_lab_relay();
    let mut lab = Lab::new().unwrap();
    let relay = LabRelay::start(&lab).await.unwrap();
    let (sam, ana) = (lab.site("sam", Nat::Cone).unwrap(), lab.site("ana", Nat::Symmetric).unwrap());
    let (sam_rt, ana_rt) = (InNs::new(&sam.machine), InNs::new(&ana.machine));
    let mut host = console(&sam_rt, &relay.url(), TOKEN).await;
    let customer = Customer::new();
    let mut agent = agent(&ana_rt, &invite(&host), &customer).await.unwrap();
    everything(&mut host, &mut agent, &customer, 1).await;
    assert!(relayed(&mut host).await, "no punch gets through a symmetric NAT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_udp_blocked_for_the_customer_the_session_goes_through_the_relay_over_https() {
    trust_lab_relay();
    let mut lab = Lab::new().unwrap();
    let relay = LabRelay::start(&lab).await.unwrap();
    let (sam, ana) = (lab.site("sam", Nat::Cone).unwrap(), lab.site("ana", Nat::Cone).unwrap());
    ana.block(Block::Udp).unwrap();
    let (sam_rt, ana_rt) = (InNs::new(&sam.machine), InNs::new(&ana.machine));
    let mut host = console(&sam_rt, &relay.url(), TOKEN).await;
    let customer = Customer::new();
    let mut agent = agent(&ana_rt, &invite(&host), &customer).await.unwrap();
    everything(&mut host, &mut agent, &customer, 1).await;
    assert!(relayed(&mut host).await, "no UDP leaves the customer's network");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_that_lets_nothing_out_is_said_with_what_to_open() {
    trust_lab_relay();
    let mut lab = Lab::new().unwrap();
    let relay = LabRelay::start(&lab).await.unwrap();
    let (sam, ana) = (lab.site("sam", Nat::Cone).unwrap(), lab.site("ana", Nat::Cone).unwrap());
    ana.block(Block::Everything).unwrap();
    let (sam_rt, ana_rt) = (InNs::new(&sam.machine), InNs::new(&ana.machine));
    let host = console(&sam_rt, &relay.url(), TOKEN).await;
    let err = agent(&ana_rt, &invite(&host), &Customer::new()).await.err().unwrap();
    let ip = deskside_lab::RELAY_IP.to_string();
    assert_eq!(err, JoinError::Blocked { host: ip.clone(), tcp_port: 443, udp_port: 7842 });
    let words = err.to_string();
    assert!(words.contains("TCP port 443") && words.contains("UDP port 7842") && words.contains(&ip), "{words}");
    // The same network with the firewall opened: the customer gets in.
    ana.block(Block::Nothing).unwrap();
    assert!(agent(&ana_rt, &invite(&host), &Customer::new()).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_relay_down_a_customer_reaches_a_console_on_a_public_address_directly() {
    trust_lab_relay();
    let mut lab = Lab::new().unwrap();
    let sam = lab.public_machine("sam").unwrap();
    let ana = lab.site("ana", Nat::Cone).unwrap();
    let (sam_rt, ana_rt) = (InNs::new(&sam.ns), InNs::new(&ana.machine));
    // The relay is configured but nothing answers there.
    let mut host = console(&sam_rt, &format!("https://{}", deskside_lab::RELAY_IP), TOKEN).await;
    let invite = invite(&host);
    assert!(invite.host.addrs.iter().any(|a| a.ip() == sam.ip), "{:?}", invite.host.addrs);
    let customer = Customer::new();
    let mut agent = agent(&ana_rt, &invite, &customer).await.unwrap();
    everything(&mut host, &mut agent, &customer, 1).await;
    assert!(!relayed(&mut host).await, "direct");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_with_only_ipv6_reaches_a_console_on_its_ipv6_address() {
    let mut lab = Lab::new().unwrap();
    let (sam, ana) = (lab.public_machine("sam").unwrap(), lab.public_machine("ana").unwrap());
    ana.drop_ipv4().unwrap();
    let (sam_rt, ana_rt) = (InNs::new(&sam.ns), InNs::new(&ana.ns));
    let mut host = console(&sam_rt, "", "").await;
    let invite = invite(&host);
    assert!(invite.host.addrs.iter().any(|a| a.ip() == sam.ip6), "the invite names IPv6: {:?}", invite.host.addrs);
    let customer = Customer::new();
    let mut agent = agent(&ana_rt, &invite, &customer).await.unwrap();
    everything(&mut host, &mut agent, &customer, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_goes_on_when_the_relay_is_killed_once_the_path_is_direct() {
    trust_lab_relay();
    let mut lab = Lab::new().unwrap();
    let mut relay = LabRelay::start(&lab).await.unwrap();
    let (sam, ana) = (lab.site("sam", Nat::Cone).unwrap(), lab.site("ana", Nat::Cone).unwrap());
    let (sam_rt, ana_rt) = (InNs::new(&sam.machine), InNs::new(&ana.machine));
    let mut host = console(&sam_rt, &relay.url(), TOKEN).await;
    let customer = Customer::new();
    let mut agent = agent(&ana_rt, &invite(&host), &customer).await.unwrap();
    turns_direct(&mut host, Duration::from_secs(15)).await;
    relay.kill().await;
    everything(&mut host, &mut agent, &customer, 1).await;
    assert!(!relayed(&mut host).await, "direct");
    // Still the same session, after the connection's idle timeout too.
    tokio::time::sleep(Duration::from_secs(12)).await;
    everything(&mut host, &mut agent, &customer, 2).await;
}

/// Sam's console, in `ns`, hosting through every relay of `urls` with the team's token.
async fn console_via(ns: &InNs, urls: Vec<String>) -> HostHandle {
    console_with(ns, Relays { urls, token: TOKEN.into(), roots: Vec::new() }).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_two_relays_both_sides_take_the_near_one_and_losing_it_loses_nothing() {
    trust_lab_relay();
    let mut lab = Lab::new().unwrap();
    // Relay 2 is an ocean away (150 ms each way); relay 1 is near. The far one is listed first.
    let far = LabRelay::start_at(&lab, 2, Some(Duration::from_millis(150))).await.unwrap();
    let mut near = LabRelay::start_at(&lab, 1, None).await.unwrap();
    let (sam, ana) = (lab.site("sam", Nat::Cone).unwrap(), lab.site("ana", Nat::Cone).unwrap());
    let (sam_rt, ana_rt) = (InNs::new(&sam.machine), InNs::new(&ana.machine));
    let mut host = console_via(&sam_rt, vec![far.url(), near.url()]).await;
    let first = invite(&host);
    assert_eq!(first.host.relays, vec![near.url(), far.url()], "both, the console's own relay first");
    let customer = Customer::new();
    let mut ana_agent = agent(&ana_rt, &first, &customer).await.unwrap();
    // Both endpoints chose the near relay by its latency. (The customer's agent may also hold a
    // connection to the far one: it tries the console through every relay its invite names.)
    assert_eq!(near.connected(), 2, "both on the near relay");
    turns_direct(&mut host, Duration::from_secs(15)).await;

    // The near relay goes down: the session goes on, directly, and the console moves to the far
    // relay, through which a customer who has no direct path still joins.
    near.kill().await;
    everything(&mut host, &mut ana_agent, &customer, 1).await;
    assert!(!relayed(&mut host).await, "still direct");
    let ben_site = lab.site("ben", Nat::Symmetric).unwrap();
    let ben_rt = InNs::new(&ben_site.machine);
    let ben = Customer::new();
    until("the console is at the far relay", || invite(&host).host.relays[0] == far.url()).await;
    let mut ben_agent = agent(&ben_rt, &invite(&host), &ben).await.unwrap();
    host.send(HostCommand::Chat { to: ChatTarget::Everyone, text: "Welcome Ben".into() }).unwrap();
    agent_event(&mut ben_agent, "the chat through the far relay", |e| {
        matches!(e, AgentEvent::Session(Event::Chat(l)) if l.text == "Welcome Ben").then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_whose_relays_all_went_down_returns_to_the_first_that_comes_back() {
    trust_lab_relay();
    let mut lab = Lab::new().unwrap();
    let mut far = LabRelay::start_at(&lab, 2, Some(Duration::from_millis(150))).await.unwrap();
    let mut near = LabRelay::start_at(&lab, 1, None).await.unwrap();
    let sam = lab.site("sam", Nat::Cone).unwrap();
    let ana = lab.site("ana", Nat::Symmetric).unwrap();
    let (sam_rt, ana_rt) = (InNs::new(&sam.machine), InNs::new(&ana.machine));
    let host = console_via(&sam_rt, vec![far.url(), near.url()]).await;
    // Both go at once: the console sets the near one aside and finds the far one down too.
    near.kill().await;
    far.kill().await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    // The near one comes back: the console returns to it, and a customer who has no direct path
    // gets in through it.
    let near = LabRelay::start_at(&lab, 1, None).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        let customer = Customer::new();
        let mut only_relay = invite(&host);
        only_relay.host.addrs.clear();
        if agent(&ana_rt, &only_relay, &customer).await.is_ok() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the console never came back to the near relay");
    }
    assert_eq!(invite(&host).host.relays[0], near.url(), "the console is at the near relay again");
    drop(near);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_handed_to_a_colleague_on_another_network_follows_through_the_relay() {
    use deskside_net::CsrLink;
    use deskside_proto::{AppKind, Role, ToHost};
    trust_lab_relay();
    let mut lab = Lab::new().unwrap();
    let relay = LabRelay::start(&lab).await.unwrap();
    // Sam and Kim in two offices, Ana at home behind a symmetric NAT: all of it relayed for her.
    let sam = lab.site("sam", Nat::Cone).unwrap();
    let kim = lab.site("kim", Nat::Cone).unwrap();
    let ana = lab.site("ana", Nat::Symmetric).unwrap();
    let (sam_rt, kim_rt, ana_rt) = (InNs::new(&sam.machine), InNs::new(&kim.machine), InNs::new(&ana.machine));
    let mut sam_host = console(&sam_rt, &relay.url(), TOKEN).await;
    let customer = Customer::new();
    let mut agent = agent(&ana_rt, &invite(&sam_host), &customer).await.unwrap();
    everything(&mut sam_host, &mut agent, &customer, 1).await;

    // Kim joins from her console, gets control, and Sam hands her the session.
    let csr_invite = sam_host.invite(InviteRole::Csr, 30 * 60 * 1000).unwrap();
    let kim_link = kim_rt
        .rt()
        .spawn(async move {
            let link = deskside_net::guest::join(&csr_invite, "Kim", AppKind::Console, deskside_net::now_ms() / 1000)
                .await
                .unwrap();
            CsrLink::serve(link, Arc::new(|| {}))
        })
        .await
        .unwrap();
    let kim_id = kim_link.welcome.you;
    sam_host.send(HostCommand::TransferControl { to: kim_id }).unwrap();
    host_event(&mut sam_host, "Kim in control", |e| match e {
        HostEvent::Participants(p) if p.iter().any(|p| p.id == kim_id && p.role == Role::CsrInControl) => Some(()),
        _ => None,
    })
    .await;
    sam_host.send(HostCommand::HandOver { notes: "Printer offline.".into() }).unwrap();
    let mut state = None;
    until("the state reaches Kim", || {
        state = kim_link.take_hand_over();
        state.is_some()
    })
    .await;
    let state = state.unwrap();
    let relays = Relays { urls: vec![relay.url()], token: TOKEN.into(), roots: Vec::new() };
    let cfg = HostConfig {
        bind: "0.0.0.0:0".parse().unwrap(),
        identity: Identity::generate().unwrap(),
        relays,
        session: deskside_session::SessionConfig {
            id: SessionId([0; 16]),
            csr_name: String::new(),
            organisation: String::new(),
            session_type: String::new(),
            tracking_code: String::new(),
        },
    };
    let mut kim_host = kim_rt
        .rt()
        .spawn(async move { deskside_net::host::start_host_from(cfg, &state, Arc::new(|| {})) })
        .await
        .unwrap()
        .unwrap();
    let reach = kim_host.reach();
    assert_eq!(reach.relays, vec![relay.url()], "the new host names the relay");
    assert!(kim_link.send(ToHost::HostReady { host: reach }));
    // Ana's agent goes to Kim's console by itself, through the relay, with the grants she made.
    agent_event(&mut agent, "the move", |e| (*e == AgentEvent::Session(Event::Moved)).then_some(())).await;
    agent_event(&mut agent, "the welcome at Kim's", |e| match e {
        AgentEvent::Session(Event::Reconnected(w)) if w.csr_name == "Kim" => Some(()),
        _ => None,
    })
    .await;
    assert_eq!(agent.invite().host.id, kim_host.id(), "the identity she checks is Kim's console's");
    assert!(agent.gate().consent().pending().is_none(), "nothing was asked again");
    // Round 2 asks nothing: the grants came along.
    everything_with(&mut kim_host, &mut agent, &customer, 2, "Kim").await;
    assert!(relayed(&mut kim_host).await, "through the relay");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_goes_on_when_the_customers_address_changes() {
    trust_lab_relay();
    let mut lab = Lab::new().unwrap();
    let relay = LabRelay::start(&lab).await.unwrap();
    let (sam, mut ana) = (lab.site("sam", Nat::Cone).unwrap(), lab.site("ana", Nat::Cone).unwrap());
    let (sam_rt, ana_rt) = (InNs::new(&sam.machine), InNs::new(&ana.machine));
    let mut host = console(&sam_rt, &relay.url(), TOKEN).await;
    let customer = Customer::new();
    let mut agent = agent(&ana_rt, &invite(&host), &customer).await.unwrap();
    everything(&mut host, &mut agent, &customer, 1).await;
    // The customer's laptop gets a new address: what it sends leaves from a new public port,
    // which Sam's router has never seen.
    turns_direct(&mut host, Duration::from_secs(15)).await;
    ana.move_machine().unwrap();
    everything(&mut host, &mut agent, &customer, 2).await;
    // And the endpoints punch through again, from the new address.
    turns_direct(&mut host, Duration::from_secs(15)).await;
    everything(&mut host, &mut agent, &customer, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_endpoint_id_and_a_relay_that_does_not_know_the_token_are_refused_in_words() {
    trust_lab_relay();
    let mut lab = Lab::new().unwrap();
    let relay = LabRelay::start(&lab).await.unwrap();
    let sam = lab.public_machine("sam").unwrap();
    let ana = lab.site("ana", Nat::Cone).unwrap();
    let (sam_rt, ana_rt) = (InNs::new(&sam.ns), InNs::new(&ana.machine));
    let customer = Customer::new();

    // Another machine answers at the console's address: its key is not the invite's.
    let host = console(&sam_rt, &relay.url(), TOKEN).await;
    let mut wrong = invite(&host);
    wrong.host.id = Identity::generate().unwrap().id;
    let err = agent(&ana_rt, &wrong, &customer).await.err().unwrap();
    assert_eq!(err, JoinError::IdentityMismatch);
    assert!(err.to_string().contains("not the one in the invite"), "{err}");

    // A console whose token the relay does not admit hears it, and so does its customer.
    let mut other = console(&sam_rt, &relay.url(), "some-other-teams-token-1234").await;
    host_event(&mut other, "the relay's refusal", |e| (*e == HostEvent::RelayRefused).then_some(())).await;
    let mut only_relay = invite(&other);
    only_relay.host.addrs.clear();
    let err = agent(&ana_rt, &only_relay, &customer).await.err().unwrap();
    assert_eq!(err, JoinError::RelayRefused);
    assert!(err.to_string().contains("relay refused"), "{err}");
}
