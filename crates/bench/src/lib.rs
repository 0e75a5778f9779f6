//! The screen benchmark's workloads and measurements (see `main.rs`).
//!
//! Figures per workload, over `secs` seconds after a settling period: kbit/s each way (every UDP
//! byte of the QUIC connection, as QUIC counts it), frames delivered to the console per second,
//! CPU seconds per minute of the agent process and of the console process, and for typing the
//! time from a key press (injected with `XTest`) to the first frame the console has decoded after
//! it.

use std::io::{BufRead, BufReader, Write};
use std::path::Path as Path2;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use deskside_agent::engine::Event;
use deskside_agent::engine::{AgentEvent, AgentOptions, start};
use deskside_net::host::{HostCommand, HostConfig, HostEvent, HostHandle, start_host};
use deskside_net::{Identity, random_bytes};
use deskside_platform::RecordingSink;
use deskside_platform::xvfb::Xvfb;
use deskside_proto::{Capability, Invite, InviteRole, ParticipantId, SessionId};
use deskside_session::SessionConfig;
use serde::Serialize;
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ConfigureWindowAux, ConnectionExt as _, CreateGCAux, CreateWindowAux, ImageFormat, WindowClass,
};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

const WIDTH: u32 = 1920;
const HEIGHT: u32 = 1080;
const SETTLE: Duration = Duration::from_secs(3);

/// One workload's figures; `None` where the workload does not measure it.
#[derive(Serialize, Clone, Debug, Default)]
pub struct Figures {
    /// Kilobits per second from the agent to the console.
    pub kbit_s_to_console: Option<f64>,
    /// Kilobits per second from the console to the agent.
    pub kbit_s_to_agent: Option<f64>,
    /// Frames the console decoded per second.
    pub fps: Option<f64>,
    /// The agent process's CPU seconds per minute.
    pub agent_cpu_s_per_min: Option<f64>,
    /// The console process's CPU seconds per minute.
    pub console_cpu_s_per_min: Option<f64>,
    /// Key press to first changed frame, median, milliseconds.
    pub latency_p50_ms: Option<f64>,
    /// Key press to first changed frame, 95th percentile, milliseconds.
    pub latency_p95_ms: Option<f64>,
    /// The relay process's CPU seconds per minute (relayed paths).
    pub relay_cpu_s_per_min: Option<f64>,
}

#[derive(Serialize)]
struct Report {
    /// Per path, per workload.
    paths: serde_json::Map<String, serde_json::Value>,
    secs_per_workload: u64,
}

/// The agent process, answering `report` on stdin with one JSON line.
struct AgentProc {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

#[derive(serde::Deserialize, Serialize, Clone, Copy, Default)]
struct Sample {
    tx_bytes: u64,
    rx_bytes: u64,
    cpu_ticks: u64,
}

impl AgentProc {
    fn sample(&mut self) -> Result<Sample> {
        writeln!(self.stdin, "report")?;
        let mut line = String::new();
        self.stdout.read_line(&mut line)?;
        serde_json::from_str(&line).with_context(|| format!("bad report from the agent: {line:?}"))
    }
}

impl Drop for AgentProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU time of a process (`self` or a pid) in clock ticks.
#[must_use]
pub fn cpu_ticks(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let get = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    get(11) + get(12) // utime, stime (fields 14 and 15 of the whole line)
}

/// Clock ticks per second (`getconf CLK_TCK`).
#[must_use]
pub fn ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// Kills a workload's processes when it ends.
struct Procs(Vec<Child>);

impl Drop for Procs {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Where the console and the agent meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// Loopback QUIC on this machine.
    Direct,
    /// Through the team's relay in a NAT lab: the console behind a cone NAT, the agent behind a
    /// symmetric one, so no punch gets through (needs root).
    Relay,
}

impl Path {
    /// Its name on the command line and in the report.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Path::Direct => "direct",
            Path::Relay => "relay",
        }
    }

    /// The path called `name`.
    ///
    /// # Errors
    /// No such path.
    pub fn parse(name: &str) -> Result<Path> {
        match name {
            "direct" => Ok(Path::Direct),
            "relay" => Ok(Path::Relay),
            other => bail!("unknown path {other}: direct or relay"),
        }
    }
}

/// What a path needs while it is used: the lab and its relay, and the runtime the console's side
/// runs on.
struct Place {
    rt: Option<tokio::runtime::Runtime>,
    /// The agent process is started in this namespace (none: here).
    agent_ns: Option<String>,
    /// The lab relay's certificate, for the agent process to trust.
    relay_ca: Option<std::path::PathBuf>,
    relays: deskside_net::transport::Relays,
    bind: std::net::SocketAddr,
    lab: Option<(deskside_lab::Lab, deskside_lab::LabRelay, tempfile::TempDir)>,
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

fn place(path: Path) -> Result<Place> {
    let rt = || {
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_name("deskside-net").enable_all().build()
    };
    match path {
        Path::Direct => Ok(Place {
            rt: Some(rt()?),
            agent_ns: None,
            relay_ca: None,
            relays: deskside_net::transport::Relays::default(),
            bind: "127.0.0.1:0".parse()?,
            lab: None,
        }),
        Path::Relay => {
            let lab = lab_trusted()?;
            let mut lab = lab;
            // The shipped relay binary, a process of its own so its CPU is measured apart.
            let program = std::env::current_exe()?.with_file_name("deskside-relay");
            anyhow::ensure!(
                program.exists(),
                "{} is missing: cargo build --release -p deskside-relay (cargo xtask bench does)",
                program.display()
            );
            let relay = rt()?.block_on(deskside_lab::LabRelay::start_process(&lab, &program))?;
            let sam = lab.site("sam", deskside_lab::Nat::Cone)?;
            let ana = lab.site("ana", deskside_lab::Nat::Symmetric)?;
            let dir = tempfile::tempdir()?;
            let ca = dir.path().join("lab-relay.pem");
            std::fs::write(&ca, deskside_lab::relay_certificate_pem())?;
            Ok(Place {
                rt: Some(sam.machine.runtime()?),
                agent_ns: Some(ana.machine.name.clone()),
                relay_ca: Some(ca),
                relays: deskside_net::transport::Relays {
                    urls: vec![relay.url()],
                    token: deskside_lab::TOKEN.into(),
                    roots: Vec::new(),
                },
                bind: "0.0.0.0:0".parse()?,
                lab: Some((lab, relay, dir)),
            })
        }
    }
}

/// A new NAT lab, every endpoint of this process trusting its relays' certificate.
///
/// # Errors
/// Not root, or no `ip`/`nft`.
pub fn lab_trusted() -> Result<deskside_lab::Lab> {
    static TRUST: std::sync::Once = std::sync::Once::new();
    TRUST.call_once(|| {
        let _ = deskside_net::transport::trust_relay_certificates(deskside_lab::relay_certificate_pem().as_bytes());
    });
    deskside_lab::Lab::new().context("the relay path runs in a NAT lab of network namespaces: run as root, with iproute2 and nftables (cargo xtask deps)")
}

/// Runs every workload on every path of `paths` and writes the report.
/// With a non-empty `only`, runs just those workloads.
pub fn coordinate(secs: u64, out: &Path2, only: &[String], paths: &[Path]) -> Result<()> {
    let xvfb = Xvfb::start(WIDTH, HEIGHT).context("cannot start Xvfb (cargo xtask deps installs it)")?;
    let display = xvfb.display().to_owned();
    let mut report = serde_json::Map::new();
    let mut rows = Vec::new();
    for &path in paths {
        let mut workloads = serde_json::Map::new();
        for (name, figures) in run_path(path, secs, &display, only)? {
            workloads.insert(name.to_owned(), serde_json::to_value(&figures)?);
            rows.push((name, path, figures));
        }
        report.insert(path.name().to_owned(), serde_json::Value::Object(workloads));
    }
    print_table(&rows, secs);
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let report = Report { paths: report, secs_per_workload: secs };
    std::fs::write(out, serde_json::to_string_pretty(&report)?)?;
    println!("\nWritten to {}", out.display());
    drop(xvfb);
    Ok(())
}

/// The benchmark console's session, listening on `bind`, through `relays`.
///
/// # Errors
/// No secure random numbers.
pub fn host_config(bind: std::net::SocketAddr, relays: deskside_net::transport::Relays) -> Result<HostConfig> {
    Ok(HostConfig {
        bind,
        identity: Identity::generate()?,
        relays,
        session: SessionConfig {
            id: SessionId(random_bytes()?),
            csr_name: "Bench".into(),
            organisation: String::new(),
            session_type: "Benchmark".into(),
            tracking_code: String::new(),
        },
    })
}

/// One path's workloads.
fn run_path(path: Path, secs: u64, display: &str, only: &[String]) -> Result<Vec<(&'static str, Figures)>> {
    let place = place(path)?;
    let rt = place.rt.as_ref().context("no runtime")?;
    let cfg = host_config(place.bind, place.relays.clone())?;
    // Spawned, not run here: the console's sockets are made on the place's runtime.
    let mut host =
        rt.block_on(rt.spawn(async move { start_host(cfg, Arc::new(|| {})) }))?.map_err(|e| anyhow!("{e}"))?;
    let invite = host.invite(InviteRole::Customer, 3_600_000).map_err(|e| anyhow!("{e}"))?;
    let exe = std::env::current_exe()?;
    let mut cmd = match &place.agent_ns {
        Some(ns) => {
            let mut c = Command::new("ip");
            c.args(["netns", "exec", ns]).arg(&exe);
            c
        }
        None => Command::new(&exe),
    };
    cmd.arg("agent").arg(invite.to_link()).env("DISPLAY", display);
    if let Some(ca) = &place.relay_ca {
        cmd.env("DESKSIDE_BENCH_RELAY_CA", ca);
    }
    let mut child =
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().context("cannot start the agent process")?;
    let stdin = child.stdin.take().context("no stdin")?;
    let stdout = BufReader::new(child.stdout.take().context("no stdout")?);
    let mut agent = AgentProc { child, stdin, stdout };
    let customer =
        rt.block_on(wait_participants(&mut host, |p| p.iter().find(|p| p.id != ParticipantId(0)).map(|p| p.id)))?;
    host.send(HostCommand::Request { to: customer, capability: Capability::View }).map_err(|e| anyhow!("{e}"))?;
    rt.block_on(wait_participants(&mut host, |p| p.iter().any(|p| p.id == customer && p.grants.view).then_some(())))?;

    // The path must be the one named, or the figures would say something false.
    let relayed = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                match host.next_event().await {
                    Some(HostEvent::Quality(q)) if !q.is_empty() => return Ok(q[0].relayed),
                    Some(_) => {}
                    None => bail!("the host stopped"),
                }
            }
        })
        .await
        .context("no link report")?
    })?;
    anyhow::ensure!(relayed == (path == Path::Relay), "the {} path's link is relayed: {relayed}", path.name());
    let relay_pid = place.lab.as_ref().and_then(|(_, relay, _)| relay.pid());
    let (x, screen_num) = x11rb::connect(Some(display))?;
    let root = x.setup().roots[screen_num].root;
    let tps = ticks_per_second();
    let mut rows = Vec::new();
    for name in ["idle", "typing", "scroll", "window_drag", "video"] {
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        eprintln!("{} workload {name}: {secs} s", path.name());
        let figures = run_workload(name, secs, display, &x, root, &host, &mut agent, (tps, relay_pid))?;
        rows.push((name, figures));
    }
    drop(agent);
    drop(host);
    Ok(rows)
}

async fn wait_participants<T>(
    host: &mut HostHandle,
    f: impl Fn(&[deskside_proto::ParticipantInfo]) -> Option<T>,
) -> Result<T> {
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match host.next_event().await {
                Some(HostEvent::Participants(p)) => {
                    if let Some(t) = f(&p) {
                        return Ok(t);
                    }
                }
                Some(_) => {}
                None => bail!("the host stopped"),
            }
        }
    })
    .await
    .context("timed out waiting for the agent")?
}

fn generation(host: &HostHandle) -> u64 {
    host.screen().lock().map_or(0, |s| s.generation)
}

fn xterm(display: &str, geometry: &str, title: &str, command: &str) -> Result<Child> {
    Command::new("xterm")
        .args([
            "-geometry",
            geometry,
            "-T",
            title,
            "-fn",
            "fixed",
            "-bg",
            "white",
            "-fg",
            "black",
            "+cm",
            "-e",
            "bash",
            "-c",
            command,
        ])
        .env("DISPLAY", display)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start xterm (cargo xtask deps installs it)")
}

/// The top-level window whose name is `title`.
fn find_window(x: &RustConnection, root: u32, title: &str) -> Result<u32> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        for w in x.query_tree(root)?.reply()?.children {
            let name = x
                .get_property(
                    false,
                    w,
                    x11rb::protocol::xproto::AtomEnum::WM_NAME,
                    x11rb::protocol::xproto::AtomEnum::STRING,
                    0,
                    256,
                )?
                .reply()?;
            if name.value == title.as_bytes() {
                return Ok(w);
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("window {title} did not appear")
}

#[allow(clippy::too_many_arguments)] // The benchmark's shared pieces, passed once per workload.
fn run_workload(
    name: &str,
    secs: u64,
    display: &str,
    x: &RustConnection,
    root: u32,
    host: &HostHandle,
    agent: &mut AgentProc,
    (tps, relay_pid): (f64, Option<u32>),
) -> Result<Figures> {
    let mut procs = Procs(Vec::new());
    let run = Duration::from_secs(secs);
    match name {
        "idle" | "typing" => procs.0.push(xterm(display, "100x30+200+150", "bench", "stty -icanon; cat > /dev/null & cat")?),
        "scroll" => procs.0.push(xterm(
            display,
            "320x83+0+0",
            "bench",
            "i=0; while :; do echo \"$i  The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs.\"; i=$((i+1)); sleep 0.05; done",
        )?),
        "window_drag" => procs.0.push(xterm(display, "132x45+100+100", "bench", "ls -la /usr/bin | head -60; sleep 100000")?),
        "video" => procs.0.push(
            Command::new(std::env::current_exe()?).arg("paint").env("DISPLAY", display).stdin(Stdio::null()).spawn()?,
        ),
        _ => bail!("unknown workload {name}"),
    }
    let window = if name == "video" { None } else { Some(find_window(x, root, "bench")?) };
    if let Some(w) = window {
        // Keyboard focus follows the pointer without a window manager: put the pointer inside.
        x.xtest_fake_input(6, 0, 0, root, 400, 300, 0)?; // MotionNotify
        x.set_input_focus(x11rb::protocol::xproto::InputFocus::POINTER_ROOT, w, 0u32)?;
        x.sync()?;
    }
    std::thread::sleep(SETTLE);

    let me = std::process::id().to_string();
    let a0 = agent.sample()?;
    let c0 = cpu_ticks(&me);
    let relay_pid = relay_pid.map(|p| p.to_string());
    let r0 = relay_pid.as_deref().map(cpu_ticks);
    let g0 = generation(host);
    let start = Instant::now();
    let mut latencies = Vec::new();
    match name {
        "typing" => {
            let keycodes = letter_keycodes(x)?;
            let mut i = 0usize;
            while start.elapsed() < run {
                let tick = Instant::now();
                let code = keycodes[i % keycodes.len()];
                i += 1;
                let before = generation(host);
                x.xtest_fake_input(2, code, 0, root, 0, 0, 0)?; // KeyPress
                x.xtest_fake_input(3, code, 0, root, 0, 0, 0)?; // KeyRelease
                x.flush()?;
                let sent = Instant::now();
                while generation(host) == before && sent.elapsed() < Duration::from_millis(500) {
                    std::thread::sleep(Duration::from_micros(200));
                }
                if generation(host) != before {
                    latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                }
                std::thread::sleep(Duration::from_millis(200).saturating_sub(tick.elapsed())); // 5 chars/s
            }
        }
        "window_drag" => {
            let w = window.context("no window")?;
            let mut step = 0i32;
            while start.elapsed() < run {
                let tick = Instant::now();
                let pos = (step % 60 - 30).abs(); // back and forth
                step += 1;
                x.configure_window(w, &ConfigureWindowAux::new().x(100 + pos * 30).y(100 + pos * 8))?;
                x.flush()?;
                std::thread::sleep(Duration::from_secs_f64(1.0 / 30.0).saturating_sub(tick.elapsed()));
            }
        }
        _ => std::thread::sleep(run),
    }
    let elapsed = start.elapsed().as_secs_f64();
    let a1 = agent.sample()?;
    let c1 = cpu_ticks(&me);
    let r1 = relay_pid.as_deref().map(cpu_ticks);
    let g1 = generation(host);
    drop(procs);
    std::thread::sleep(Duration::from_millis(500));

    let kbit = |bytes: u64| bytes as f64 * 8.0 / 1000.0 / elapsed;
    let per_min = |ticks: u64| ticks as f64 / tps / elapsed * 60.0;
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| (!latencies.is_empty()).then(|| latencies[((latencies.len() - 1) as f64 * p).round() as usize]);
    Ok(Figures {
        kbit_s_to_console: Some(kbit(a1.tx_bytes - a0.tx_bytes)),
        kbit_s_to_agent: Some(kbit(a1.rx_bytes - a0.rx_bytes)),
        fps: Some((g1 - g0) as f64 / elapsed),
        agent_cpu_s_per_min: Some(per_min(a1.cpu_ticks - a0.cpu_ticks)),
        console_cpu_s_per_min: Some(per_min(c1 - c0)),
        latency_p50_ms: pct(0.5),
        latency_p95_ms: pct(0.95),
        relay_cpu_s_per_min: r0.zip(r1).map(|(a, b)| per_min(b - a)),
    })
}

/// Keycodes of the letters a..z in the current keyboard map.
fn letter_keycodes(x: &RustConnection) -> Result<Vec<u8>> {
    let setup = x.setup();
    let (min, max) = (setup.min_keycode, setup.max_keycode);
    let map = x.get_keyboard_mapping(min, max - min + 1)?.reply()?;
    let per = usize::from(map.keysyms_per_keycode);
    let mut out = Vec::new();
    for c in 'a'..='z' {
        if let Some(i) = map.keysyms.chunks(per).position(|syms| syms.first() == Some(&u32::from(c))) {
            out.push(min + i as u8);
        }
    }
    if out.is_empty() {
        bail!("no letter keys in the keyboard map");
    }
    Ok(out)
}

fn print_table(rows: &[(&str, Path, Figures)], secs: u64) {
    let f = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"));
    println!("\nScreen sharing, 1920x1080, {secs} s per workload (cargo xtask bench)\n");
    println!(
        "{:<12} {:<7} {:>12} {:>12} {:>8} {:>12} {:>12} {:>10} {:>9} {:>9}",
        "workload",
        "path",
        "kbit/s ->c",
        "kbit/s ->a",
        "fps",
        "agent cpu",
        "console cpu",
        "relay cpu",
        "p50 ms",
        "p95 ms"
    );
    let mut sorted: Vec<&(&str, Path, Figures)> = rows.iter().collect();
    // Side by side: each workload's paths together.
    let order = |n: &str| ["idle", "typing", "scroll", "window_drag", "video"].iter().position(|w| *w == n);
    sorted.sort_by_key(|(n, p, _)| (order(n), p.name()));
    for (name, path, r) in sorted {
        println!(
            "{:<12} {:<7} {:>12} {:>12} {:>8} {:>12} {:>12} {:>10} {:>9} {:>9}",
            name,
            path.name(),
            f(r.kbit_s_to_console),
            f(r.kbit_s_to_agent),
            f(r.fps),
            f(r.agent_cpu_s_per_min),
            f(r.console_cpu_s_per_min),
            f(r.relay_cpu_s_per_min),
            f(r.latency_p50_ms),
            f(r.latency_p95_ms)
        );
    }
    println!("\n(kbit/s counts every byte of the QUIC connection, relayed or not; cpu is CPU-seconds per minute;");
    println!(" relay: console behind a cone NAT, agent behind a symmetric NAT, the team's relay between them)");
}

/// The agent role: joins with `link`, allows whatever is asked, and answers `report` on stdin
/// with its connection's byte counts and its CPU time.
pub fn agent(link: &str) -> Result<()> {
    let invite = Invite::parse(link).map_err(|e| anyhow!("{e}"))?;
    // Through the lab's relay: trust its certificate, as a team's own CA is trusted.
    if let Some(ca) = std::env::var_os("DESKSIDE_BENCH_RELAY_CA") {
        let pem = std::fs::read(&ca)?;
        deskside_net::transport::trust_relay_certificates(&pem).map_err(|e| anyhow!("{e}"))?;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("deskside-net")
        .enable_all()
        .build()?;
    let (stdin_tx, mut stdin_lines) = tokio::sync::mpsc::channel::<String>(4);
    std::thread::Builder::new().name("bench-stdin".into()).spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(text) = line else { break };
            if stdin_tx.blocking_send(text).is_err() {
                break;
            }
        }
    })?;
    rt.block_on(async move {
        let opts = AgentOptions {
            input: Arc::new(|| Ok(Box::new(RecordingSink::default()))),
            max_fps: 60,
            ..AgentOptions::this_machine("Bench customer")
        };
        let mut handle = start(invite, opts, Arc::new(|| {})).await.map_err(|e| anyhow!("{e}"))?;
        let me = std::process::id().to_string();
        loop {
            tokio::select! {
                ev = handle.next_event() => match ev {
                    Some(AgentEvent::Session(Event::ConsentChanged)) => {
                        let pending = handle.gate().consent().pending().map(|p| p.request);
                        if let Some(request) = pending {
                            handle.answer(request, true);
                        }
                    }
                    Some(AgentEvent::Session(Event::Closed(_))) | None => return Ok(()),
                    Some(_) => {}
                },
                input = stdin_lines.recv() => match input.as_deref() {
                    Some("report") => {
                        let s = handle.connection_stats();
                        let sample = Sample { tx_bytes: s.udp_tx.bytes, rx_bytes: s.udp_rx.bytes, cpu_ticks: cpu_ticks(&me) };
                        println!("{}", serde_json::to_string(&sample)?);
                    }
                    Some(_) => {}
                    None => return Ok(()),
                },
            }
        }
    })
}

/// The video workload's painter: a full-screen window repainted 30 times a second with moving,
/// textured content, the way a playing video changes every pixel.
#[allow(clippy::many_single_char_names)] // x, y, w, t: the usual names in pixel code.
pub fn paint() -> Result<()> {
    let (x, screen_num) = x11rb::connect(None)?;
    let screen = &x.setup().roots[screen_num];
    let (root, visual, depth) = (screen.root, screen.root_visual, screen.root_depth);
    let w = x.generate_id()?;
    x.create_window(
        depth,
        w,
        root,
        0,
        0,
        WIDTH as u16,
        HEIGHT as u16,
        0,
        WindowClass::INPUT_OUTPUT,
        visual,
        &CreateWindowAux::new().override_redirect(1),
    )?;
    x.map_window(w)?;
    let gc = x.generate_id()?;
    x.create_gc(gc, w, &CreateGCAux::new())?;
    x.flush()?;
    let rows = 32u32;
    let mut strip = vec![0u8; (WIDTH * rows * 4) as usize];
    let start = Instant::now();
    // The picture is a sum of three waves, one along x, one along y and one along the diagonal:
    // each is tabulated once a frame, so the painter costs little of the machine it measures.
    let mut along_x = vec![0f32; WIDTH as usize];
    // The last strip of `rows` runs past the bottom edge (X clips it).
    let mut along_y = vec![0f32; (HEIGHT + rows) as usize];
    let mut diagonal = vec![0f32; (WIDTH + HEIGHT + rows) as usize];
    for frame in 0u32.. {
        let tick = Instant::now();
        let t = frame as f32 * 0.08;
        for (i, v) in along_x.iter_mut().enumerate() {
            *v = (i as f32 * 0.01 + t).sin();
        }
        for (i, v) in along_y.iter_mut().enumerate() {
            *v = (i as f32 * 0.013 - t * 1.3).cos();
        }
        for (i, v) in diagonal.iter_mut().enumerate() {
            *v = (i as f32 * 0.005 + t * 0.7).sin();
        }
        for y0 in (0..HEIGHT).step_by(rows as usize) {
            for dy in 0..rows {
                let y = (y0 + dy) as f32;
                for xx in 0..WIDTH {
                    let v = (along_x[xx as usize] + along_y[(y0 + dy) as usize] + diagonal[(xx + y0 + dy) as usize])
                        * 42.0
                        + 128.0;
                    let i = ((dy * WIDTH + xx) * 4) as usize;
                    let n = ((xx ^ (y as u32)).wrapping_mul(2_654_435_761) >> 28) as u8; // grain
                    strip[i] = (v as u8).wrapping_add(n);
                    strip[i + 1] = (255.0 - v) as u8;
                    strip[i + 2] = ((v * 0.5 + 60.0) as u8).wrapping_add(n);
                }
            }
            x.put_image(ImageFormat::Z_PIXMAP, w, gc, WIDTH as u16, rows as u16, 0, y0 as i16, 0, 24, &strip)?;
        }
        x.sync()?;
        if start.elapsed() > Duration::from_hours(1) {
            break;
        }
        std::thread::sleep(Duration::from_secs_f64(1.0 / 30.0).saturating_sub(tick.elapsed()));
    }
    Ok(())
}
