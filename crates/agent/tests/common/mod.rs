//! Shared helpers for the agent's integration tests: a host on loopback and an agent with
//! synthetic or real platform pieces.
#![allow(dead_code, clippy::unwrap_used, missing_docs)] // Each test binary uses a subset.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use deskside_agent::engine::{AgentEvent, AgentHandle, AgentOptions, start};
use deskside_net::host::{HostConfig, HostEvent, HostHandle, start_host};
use deskside_net::{Identity, JoinError};
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{Invite, InviteRole, ParticipantInfo, SessionId};
use deskside_session::SessionConfig;

pub const WAIT: Duration = Duration::from_secs(20);

/// One application window, "Editor" (number 5), in front, focused, covered by nothing.
pub fn one_window() -> deskside_platform::FixedWindows {
    let windows = deskside_platform::FixedWindows::default();
    windows.set(
        vec![(
            deskside_platform::WindowInfo { id: 5, title: "Editor".into() },
            deskside_platform::WindowView {
                rect: deskside_codec::Rect { x: 0, y: 0, w: 32, h: 32 },
                covered: vec![],
                focused: true,
            },
        )],
        (0, 0),
    );
    windows
}
pub const HALF_HOUR_MS: u64 = 30 * 60 * 1000;

/// A temporary folder whose path has no hidden part (tempfile's own names start with a dot, and
/// the agent never lists, takes from or writes into anything hidden a CSR names).
pub fn visible_tempdir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("deskside-test-").tempdir().unwrap()
}

pub fn host() -> HostHandle {
    let cfg = HostConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        identity: Identity::generate().unwrap(),
        relays: deskside_net::transport::Relays::default(),
        session: SessionConfig {
            id: SessionId(deskside_net::random_bytes().unwrap()),
            csr_name: "Sam Rivera".into(),
            organisation: "Acme Support".into(),
            session_type: "General support".into(),
            tracking_code: "T-42".into(),
        },
    };
    start_host(cfg, Arc::new(|| {})).unwrap()
}

pub fn pattern(seed: u32) -> impl Fn(u32, u32) -> [u8; 4] {
    move |x, y| [(x * 3 + seed) as u8, (y * 5) as u8, ((x ^ y) + seed * 7) as u8, 0]
}

pub fn synthetic_options(name: &str, screen: &SyntheticSource, sink: &RecordingSink) -> AgentOptions {
    let (screen, sink) = (screen.clone(), sink.clone());
    AgentOptions {
        name: name.into(),
        screen: Arc::new(move || Ok(Box::new(screen.clone()))),
        input: Arc::new(move || Ok(Box::new(sink.clone()))),
        windows: Arc::new(deskside_platform::desktop_windows),
        disk: Arc::new(deskside_agent::transfer::RealDisk),
        max_fps: 30,
        trust: None,
    }
}

pub async fn join(invite: &Invite, opts: AgentOptions) -> Result<AgentHandle, JoinError> {
    start(invite.clone(), opts, Arc::new(|| {})).await
}

pub fn invite(host: &HostHandle) -> Invite {
    host.invite(InviteRole::Customer, HALF_HOUR_MS).unwrap()
}

/// Waits for a host event matching `f`, skipping others.
pub async fn host_event<T>(host: &mut HostHandle, mut f: impl FnMut(&HostEvent) -> Option<T>) -> T {
    tokio::time::timeout(WAIT, async {
        loop {
            let ev = host.next_event().await.expect("host stopped");
            if let Some(t) = f(&ev) {
                return t;
            }
        }
    })
    .await
    .expect("timed out waiting for a host event")
}

/// Waits until the participant list satisfies `f`.
pub async fn participants(host: &mut HostHandle, f: impl Fn(&[ParticipantInfo]) -> bool) -> Vec<ParticipantInfo> {
    host_event(host, |e| match e {
        HostEvent::Participants(p) if f(p) => Some(p.clone()),
        _ => None,
    })
    .await
}

/// Waits for an agent event matching `f`, skipping others.
pub async fn agent_event<T>(agent: &mut AgentHandle, mut f: impl FnMut(&AgentEvent) -> Option<T>) -> T {
    tokio::time::timeout(WAIT, async {
        loop {
            let ev = agent.next_event().await.expect("agent stopped");
            if let Some(t) = f(&ev) {
                return t;
            }
        }
    })
    .await
    .expect("timed out waiting for an agent event")
}

/// Waits until `f` holds, polling.
pub async fn until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !f() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Whether the host's shared screen shows exactly `bgrx` at `width` x `height`.
pub fn screen_matches(host: &HostHandle, width: u32, height: u32, bgrx: &[u8]) -> bool {
    let s = host.screen().lock().unwrap();
    s.active
        && (s.width, s.height) == (width, height)
        && s.rgba.chunks_exact(4).zip(bgrx.chunks_exact(4)).all(|(d, p)| d == [p[2], p[1], p[0], 255])
}

/// A UDP forwarder in front of `upstream`, and a way to cut the host off the network: while cut,
/// nftables drops every UDP packet to and from the host's port on loopback, whatever path the
/// connection takes (iroh's multipath finds the host's own address around the forwarder, so
/// dropping at the forwarder alone would not cut anything). Restored when dropped.
pub struct Relay {
    pub addr: std::net::SocketAddr,
    port: u16,
}

impl Relay {
    /// Cuts (`true`) or restores (`false`) the host's network.
    pub fn cut(&self, on: bool) {
        let table = format!("deskside_test_{}", self.port);
        if on {
            let rules = format!(
                "table inet {table} {{\n chain out {{\n  type filter hook output priority 0; policy accept;\n  \
                 udp dport {p} drop\n  udp sport {p} drop\n }}\n}}\n",
                p = self.port
            );
            let ok = std::process::Command::new("nft")
                .args(["-f", "-"])
                .stdin(std::process::Stdio::piped())
                .spawn()
                .and_then(|mut c| {
                    use std::io::Write as _;
                    c.stdin.take().unwrap().write_all(rules.as_bytes())?;
                    c.wait()
                });
            assert!(ok.is_ok_and(|s| s.success()), "nft could not cut the host off (run as root, with nftables)");
        } else {
            let _ = std::process::Command::new("nft").args(["delete", "table", "inet", &table]).status();
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.cut(false);
    }
}

pub async fn relay(upstream: std::net::SocketAddr) -> Relay {
    use std::collections::HashMap;
    use std::net::SocketAddr;
    use tokio::net::UdpSocket;
    let front = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
    let addr = front.local_addr().unwrap();
    let front2 = front.clone();
    tokio::spawn(async move {
        let mut clients: HashMap<SocketAddr, Arc<UdpSocket>> = HashMap::new();
        let mut buf = vec![0u8; 65_536];
        loop {
            let Ok((n, from)) = front2.recv_from(&mut buf).await else { return };
            if let std::collections::hash_map::Entry::Vacant(slot) = clients.entry(from) {
                let s = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
                s.connect(upstream).await.unwrap();
                let (s2, front3) = (s.clone(), front2.clone());
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 65_536];
                    while let Ok(n) = s2.recv(&mut buf).await {
                        let _ = front3.send_to(&buf[..n], from).await;
                    }
                });
                slot.insert(s);
            }
            let back = clients[&from].clone();
            let _ = back.send(&buf[..n]).await;
        }
    });
    Relay { addr, port: upstream.port() }
}

/// Writes `len` bytes of a pseudo-random pattern (from `seed`) to `path`.
pub fn make_file(path: &Path, len: usize, seed: u32) {
    let mut f = std::fs::File::create(path).unwrap();
    let mut x = seed | 1;
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    f.write_all(&bytes).unwrap();
}

/// Every file under `root`, by its path inside it, with its bytes.
pub fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.strip_prefix(root).unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// One test at a time: memory is measured across the whole process.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub fn run<F: std::future::Future>(f: F) -> F::Output {
    let _one = serial();
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap().block_on(f)
}

/// Forgets the process's peak resident memory so far (Linux's `clear_refs`).
pub fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}

/// The process's peak resident memory since [`reset_peak`], in MiB.
pub fn peak_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}

/// The process's resident memory now, in MiB.
pub fn rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}
