//! The screen benchmark's workloads and measurements (see `main.rs`).
//!
//! Figures per workload, network and path, over `secs` seconds after a settling period: kbit/s
//! each way (every UDP byte of the QUIC connection, as QUIC counts it), frames delivered to the
//! console per second, CPU seconds per minute of the agent process and of the console (this
//! process, less the lab's line and the probing thread), the time from a key press or a click
//! (injected with `XTest` on the customer's display) to the console's decoded picture showing
//! what it changed (see [`target`]), and on the video workload how old the console's picture is.

use std::io::{BufRead, BufReader, Write};
use std::path::Path as Path2;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use deskside_net::host::{HostCommand, HostConfig, HostEvent, HostHandle, start_host};
use deskside_net::{Identity, random_bytes};
use deskside_platform::xvfb::Xvfb;
use deskside_proto::{Capability, InviteRole, ParticipantId, SessionId};
use deskside_session::SessionConfig;
use serde::Serialize;
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConfigureWindowAux, ConnectionExt as _};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

mod place;
mod roles;
mod target;
pub use place::{Network, Path};
pub use roles::{agent, paint};

pub(crate) const WIDTH: u32 = 1920;
pub(crate) const HEIGHT: u32 = 1080;
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
    /// The console's CPU seconds per minute.
    pub console_cpu_s_per_min: Option<f64>,
    /// Key press to the console showing what it changed: p50, p95 and p99, milliseconds.
    pub key_ms: Option<[f64; 3]>,
    /// Click to the console showing what it changed: p50, p95 and p99, milliseconds.
    pub click_ms: Option<[f64; 3]>,
    /// Key presses and clicks the console never showed (within 3 s).
    pub missed: Option<usize>,
    /// How old the console's picture was (video): median, 95th percentile and oldest,
    /// milliseconds. The 95th percentile is what a stall costs beyond the start.
    pub age_ms: Option<[f64; 3]>,
    /// The relay process's CPU seconds per minute (relayed paths).
    pub relay_cpu_s_per_min: Option<f64>,
    /// Share of the workload's time the console said "Slow connection: the picture is
    /// reduced", percent.
    pub slow_said_percent: Option<f64>,
}

/// Samples, every 50 ms on its own thread, whether the console says the customer's line
/// reduces the picture.
struct SlowSaid {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<(u32, u32)>,
}

impl SlowSaid {
    fn start(screen: Arc<Mutex<deskside_net::host::SharedScreen>>) -> Result<SlowSaid> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new().name("bench-slow-said".into()).spawn(move || {
            let (mut said, mut samples) = (0, 0);
            while !flag.load(Ordering::Relaxed) {
                said += u32::from(screen.lock().is_ok_and(|s| s.reduced));
                samples += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            (said, samples)
        })?;
        Ok(SlowSaid { stop, thread })
    }

    /// Percent of the samples that said so.
    fn finish(self) -> Option<f64> {
        self.stop.store(true, Ordering::Relaxed);
        let (said, samples) = self.thread.join().ok()?;
        (samples > 0).then(|| f64::from(said) * 100.0 / f64::from(samples))
    }
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
pub(crate) struct Sample {
    pub(crate) tx_bytes: u64,
    pub(crate) rx_bytes: u64,
    pub(crate) cpu_ticks: u64,
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

pub use deskside_lab::cpu_ticks;

/// CPU time of one thread of this process in clock ticks.
pub(crate) fn thread_ticks(tid: i32) -> u64 {
    cpu_ticks(&format!("self/task/{tid}"))
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

/// A network's probe and its rows, for the printed tables.
type Rows = Vec<(&'static str, Path, Figures)>;

/// Runs every workload on every path of `paths` on every network of `networks`, prints them side
/// by side and writes the report. With a non-empty `only`, runs just those workloads.
///
/// # Errors
/// Xvfb, the lab, the console or the agent failed.
pub fn coordinate(secs: u64, out: &Path2, only: &[String], paths: &[Path], networks: &[Network]) -> Result<()> {
    let xvfb = Xvfb::start(WIDTH, HEIGHT).context("cannot start Xvfb (cargo xtask deps installs it)")?;
    let display = xvfb.display().to_owned();
    let mut report = serde_json::Map::new();
    let mut tables: Vec<(Network, Vec<String>, Rows)> = Vec::new();
    for &network in networks {
        let mut rows = Vec::new();
        let mut checks = Vec::new();
        for &path in paths {
            let mut workloads = serde_json::Map::new();
            let (probe, figures) = run_path(path, network, secs, &display, only)?;
            if let Some(p) = probe {
                checks.push(format!("{}: {p}", path.name()));
            }
            for (name, f) in figures {
                workloads.insert(name.to_owned(), serde_json::to_value(&f)?);
                rows.push((name, path, f));
            }
            report.insert(format!("{}/{}", network.name(), path.name()), serde_json::Value::Object(workloads));
        }
        tables.push((network, checks, rows));
    }
    for (network, checks, rows) in &tables {
        print_table(*network, checks, rows, secs);
    }
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

/// Each workload's figures, by name.
type Workloads = Vec<(&'static str, Figures)>;

/// What every workload of one path needs.
struct Run<'a> {
    secs: u64,
    display: &'a str,
    x: RustConnection,
    root: u32,
    host: &'a HostHandle,
    tps: f64,
    place: &'a place::Place,
    keycodes: Vec<u8>,
}

/// One path's workloads on one network, and what the lab's probe found on its line.
fn run_path(
    path: Path,
    network: Network,
    secs: u64,
    display: &str,
    only: &[String],
) -> Result<(Option<deskside_lab::Probe>, Workloads)> {
    eprintln!("{} {}: starting", network.name(), path.name());
    let place = place::place(path, network)?;
    if let Some(p) = &place.probe {
        eprintln!("the lab's probe through the {} line: {p}", network.name());
    }
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
    cmd.arg("agent").arg(invite.to_link()).arg(deskside_net::transport::congestion().name()).env("DISPLAY", display);
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

    // The path must be the one named, or the figures would say something false: a direct one
    // may start relayed until the punch gets through (within 20 s), a relayed one stays so.
    let want_relayed = path == Path::Relay;
    let relayed = rt.block_on(async {
        let mut last = None;
        let _ = tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                match host.next_event().await {
                    Some(HostEvent::Quality(q)) if !q.is_empty() => {
                        last = Some(q[0].relayed);
                        if q[0].relayed == want_relayed {
                            return;
                        }
                    }
                    Some(_) => {}
                    None => return,
                }
            }
        })
        .await;
        last
    });
    anyhow::ensure!(
        relayed == Some(want_relayed),
        "the {} path's link is not {}: its last report said relayed = {relayed:?}",
        path.name(),
        if want_relayed { "relayed" } else { "direct" }
    );
    let (x, screen_num) = x11rb::connect(Some(display))?;
    let root = x.setup().roots[screen_num].root;
    let keycodes = letter_keycodes(&x)?;
    let run = Run { secs, display, x, root, host: &host, tps: ticks_per_second(), place: &place, keycodes };
    let mut rows = Vec::new();
    for name in ["idle", "typing", "scroll", "window_drag", "video"] {
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        eprintln!("{} {} workload {name}: {secs} s", network.name(), path.name());
        rows.push((name, run_workload(name, &run, &mut agent)?));
    }
    drop(run);
    drop(agent);
    drop(host);
    Ok((place.probe.clone(), rows))
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

/// The `p` quantile of sorted `v`.
fn quantile(v: &[f64], p: f64) -> f64 {
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn three(mut v: Vec<f64>) -> Option<[f64; 3]> {
    v.sort_by(f64::total_cmp);
    (!v.is_empty()).then(|| [quantile(&v, 0.5), quantile(&v, 0.95), quantile(&v, 0.99)])
}

fn run_workload(name: &str, run: &Run<'_>, agent: &mut AgentProc) -> Result<Figures> {
    let (x, root, display, host) = (&run.x, run.root, run.display, run.host);
    let mut procs = Procs(Vec::new());
    let length = Duration::from_secs(run.secs);
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
    // Idle stays idle, and typing is timed in its terminal; the busy screens are probed.
    let prober = match name {
        "scroll" | "window_drag" | "video" => {
            Some(target::Prober::start(display, host.screen().clone(), run.keycodes[0])?)
        }
        _ => None,
    };

    let me = std::process::id().to_string();
    // The console's CPU: this process, less the lab's line and the prober.
    let console =
        || cpu_ticks(&me).saturating_sub(run.place.line_ticks() + prober.as_ref().map_or(0, target::Prober::ticks));
    let a0 = agent.sample()?;
    let c0 = console();
    let relay_pid = run.place.relay.as_ref().and_then(deskside_lab::LabRelay::pid).map(|p| p.to_string());
    let r0 = relay_pid.as_deref().map(cpu_ticks);
    let g0 = generation(host);
    let slow = SlowSaid::start(host.screen().clone())?;
    let start = Instant::now();
    let mut typed = Vec::new();
    let mut ages = Vec::new();
    match name {
        "typing" => {
            let mut i = 0usize;
            while start.elapsed() < length {
                let tick = Instant::now();
                let code = run.keycodes[i % run.keycodes.len()];
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
                    typed.push(sent.elapsed().as_secs_f64() * 1000.0);
                }
                std::thread::sleep(Duration::from_millis(200).saturating_sub(tick.elapsed())); // 5 chars/s
            }
        }
        "window_drag" => {
            let w = window.context("no window")?;
            let mut step = 0i32;
            while start.elapsed() < length {
                let tick = Instant::now();
                let pos = (step % 60 - 30).abs(); // back and forth
                step += 1;
                x.configure_window(w, &ConfigureWindowAux::new().x(100 + pos * 30).y(100 + pos * 8))?;
                x.flush()?;
                std::thread::sleep(Duration::from_secs_f64(1.0 / 30.0).saturating_sub(tick.elapsed()));
            }
        }
        "video" => {
            while start.elapsed() < length {
                ages.extend(target::picture_age_ms(host.screen()).map(f64::from));
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        _ => std::thread::sleep(length),
    }
    let elapsed = start.elapsed().as_secs_f64();
    let a1 = agent.sample()?;
    let c1 = console();
    let r1 = relay_pid.as_deref().map(cpu_ticks);
    let g1 = generation(host);
    let reactions = prober.map(target::Prober::finish).transpose()?;
    let slow_said_percent = slow.finish();
    drop(procs);
    std::thread::sleep(Duration::from_millis(500));

    let kbit = |bytes: u64| bytes as f64 * 8.0 / 1000.0 / elapsed;
    let per_min = |ticks: u64| ticks as f64 / run.tps / elapsed * 60.0;
    ages.sort_by(f64::total_cmp);
    let (key_ms, click_ms, missed) = match reactions {
        Some(r) => (three(r.key_ms), three(r.click_ms), Some(r.missed)),
        None => (three(typed), None, None),
    };
    Ok(Figures {
        kbit_s_to_console: Some(kbit(a1.tx_bytes - a0.tx_bytes)),
        kbit_s_to_agent: Some(kbit(a1.rx_bytes - a0.rx_bytes)),
        fps: Some((g1 - g0) as f64 / elapsed),
        agent_cpu_s_per_min: Some(per_min(a1.cpu_ticks - a0.cpu_ticks)),
        console_cpu_s_per_min: Some(per_min(c1.saturating_sub(c0))),
        key_ms,
        click_ms,
        missed,
        age_ms: (!ages.is_empty()).then(|| [quantile(&ages, 0.5), quantile(&ages, 0.95), ages[ages.len() - 1]]),
        relay_cpu_s_per_min: r0.zip(r1).map(|(a, b)| per_min(b - a)),
        slow_said_percent,
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

fn print_table(network: Network, checks: &[String], rows: &[(&str, Path, Figures)], secs: u64) {
    let f = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"));
    let q = |v: Option<[f64; 3]>| v.map_or_else(|| "-".to_owned(), |[a, b, c]| format!("{a:.0}/{b:.0}/{c:.0}"));
    let line = network.0.map_or_else(
        || "nothing added".to_owned(),
        |p| {
            format!(
                "{}/{} kbit/s down/up, {} ms one way, ±{} ms jitter, {}/{} % loss",
                p.down.rate_kbit,
                p.up.rate_kbit,
                p.down.one_way.as_millis(),
                p.down.jitter.as_millis(),
                p.down.loss_percent,
                p.up.loss_percent
            )
        },
    );
    println!("\nScreen sharing, 1920x1080, {secs} s per workload, network {} ({line})", network.name());
    for c in checks {
        println!("  lab check, {c}");
    }
    println!(
        "{:<12} {:<7} {:>10} {:>9} {:>6} {:>14} {:>14} {:>5} {:>15} {:>7} {:>8} {:>7} {:>5}",
        "workload",
        "path",
        "kbit/s ->c",
        "->a",
        "fps",
        "key p50/95/99",
        "click p50/95/99",
        "miss",
        "age p50/95/max",
        "agent",
        "console",
        "relay",
        "slow"
    );
    let mut sorted: Vec<&(&str, Path, Figures)> = rows.iter().collect();
    // Side by side: each workload's paths together.
    let order = |n: &str| ["idle", "typing", "scroll", "window_drag", "video"].iter().position(|w| *w == n);
    sorted.sort_by_key(|(n, p, _)| (order(n), p.name()));
    for (name, path, r) in sorted {
        println!(
            "{:<12} {:<7} {:>10} {:>9} {:>6} {:>14} {:>14} {:>5} {:>15} {:>7} {:>8} {:>7} {:>5}",
            name,
            path.name(),
            f(r.kbit_s_to_console),
            f(r.kbit_s_to_agent),
            f(r.fps),
            q(r.key_ms),
            q(r.click_ms),
            r.missed.map_or_else(|| "-".to_owned(), |m| m.to_string()),
            q(r.age_ms),
            f(r.agent_cpu_s_per_min),
            f(r.console_cpu_s_per_min),
            f(r.relay_cpu_s_per_min),
            r.slow_said_percent.map_or_else(|| "-".to_owned(), |v| format!("{v:.0}%")),
        );
    }
    println!(
        "(kbit/s: every byte of the QUIC connection, relayed or not; key and click: ms from the injected event to"
    );
    println!(
        " the console's picture showing it (typing: its terminal's echo); age: how old the console's picture is, ms;"
    );
    println!(
        " agent, console, relay: CPU-seconds per minute; relay: the console behind a cone NAT, the agent behind a"
    );
    println!(" symmetric one; direct on a line: both behind cone NATs, punched through; slow: share of the time the");
    println!(" console said \"Slow connection: the picture is reduced\")");
}
