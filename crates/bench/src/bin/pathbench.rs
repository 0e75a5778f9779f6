//! The ways a session takes, measured: direct on loopback, through the team's relay in a NAT
//! lab (the console behind a cone NAT, the customer behind a symmetric one, so no punch gets
//! through), and through the relay on an impaired line (the customer's: 10 Mbit/s each way, 1 %
//! loss each way, 40 ms added round trip, for every packet: `deskside_lab::Profile`). The relay is the shipped
//! `deskside-relay` binary, a process of its own in the lab, so its CPU is measured apart.
//!
//! 1. time from the customer's Join to the first picture on the console (a 1920x1080 synthetic
//!    screen; the console asks to view as soon as the customer is in, the customer allows at
//!    once), several runs per path;
//! 2. one file of `--mib` MiB (1024 by default) direct and through the relay, with the relay's
//!    CPU per relayed Mbit/s;
//! 3. how many relayed sessions of the video workload one relay process carries: N streams at
//!    the video workload's bit rate (`--video-kbit`, 2300 by default, as `cargo xtask bench`
//!    measures it), 30 chunks a second each, N doubled until chunks arrive late (more than
//!    100 ms behind their schedule) or the relay cannot carry what is offered.
//!
//! Needs root (network namespaces). `cargo run --release -p deskside-bench --bin
//! deskside-pathbench [-- --mib N --runs N --video-kbit N]` after `cargo build --release -p
//! deskside-relay`; `cargo xtask bench` does both.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use deskside_agent::engine::{AgentEvent, AgentOptions, Event, start};
use deskside_lab::{LabRelay, Link, Nat, Netns, Profile, TOKEN};
use deskside_net::Identity;
use deskside_net::host::{HostCommand, HostEvent, HostHandle, start_host};
use deskside_net::transport::Relays;
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{Capability, FileOutcome, InviteRole, ParticipantId};

const MIB: u64 = 1 << 20;
/// The most relayed sessions tried at once (each is two endpoints in this process).
const MAX_SESSIONS: usize = 256;

struct Args {
    mib: u64,
    runs: usize,
    video_kbit: u64,
}

fn args() -> Result<Args> {
    let mut a = Args { mib: 1024, runs: 5, video_kbit: 2300 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().and_then(|v| v.parse().ok()).with_context(|| format!("{flag} needs a number"));
        match flag.as_str() {
            "--mib" => a.mib = value()?,
            "--runs" => a.runs = usize::try_from(value()?)?,
            "--video-kbit" => a.video_kbit = value()?,
            other => bail!("unknown argument {other}; usage: deskside-pathbench [--mib N] [--runs N] [--video-kbit N]"),
        }
    }
    Ok(a)
}

/// A runtime in a namespace (or here), shut down without waiting when dropped.
struct Rt(Option<tokio::runtime::Runtime>);

impl Rt {
    fn here() -> Result<Rt> {
        Ok(Rt(Some(tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?)))
    }
    fn r#in(ns: &Netns) -> Result<Rt> {
        Ok(Rt(Some(ns.runtime()?)))
    }
    fn get(&self) -> &tokio::runtime::Runtime {
        self.0.as_ref().expect("running")
    }
    /// Runs `f` on this runtime (its sockets are made here) and waits for it.
    async fn run<T: Send + 'static>(&self, f: impl std::future::Future<Output = T> + Send + 'static) -> Result<T> {
        Ok(self.get().spawn(f).await?)
    }
}

impl Drop for Rt {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// Where the console and the customer are for one path.
struct Way {
    name: &'static str,
    console: Rt,
    customer: Rt,
    relays: Relays,
    bind: std::net::SocketAddr,
}

fn main() -> Result<()> {
    let a = args()?;
    let here = Rt::here()?;
    here.get().block_on(run(&a))
}

async fn run(a: &Args) -> Result<()> {
    let mut lab = deskside_bench::lab_trusted()?;
    let program = std::env::current_exe()?.with_file_name("deskside-relay");
    if !program.exists() {
        bail!("{} is missing: cargo build --release -p deskside-relay (cargo xtask bench does)", program.display());
    }
    let relay = LabRelay::start_process(&lab, &program).await?;
    let relay_pid = relay.pid().context("the relay runs as a process")?.to_string();
    let sam = lab.site("sam", Nat::Cone)?;
    let ana = lab.site("ana", Nat::Symmetric)?;
    let line =
        Link { rate_kbit: 10_000, one_way: Duration::from_millis(20), jitter: Duration::ZERO, loss_percent: 1.0 };
    let ben = lab.site_on("ben", Nat::Symmetric, Some(Profile { name: "impaired", down: line, up: line }))?;
    let relays = Relays { urls: vec![relay.url()], token: TOKEN.into(), roots: Vec::new() };
    let any: std::net::SocketAddr = "0.0.0.0:0".parse()?;
    let ways = [
        Way {
            name: "direct",
            console: Rt::here()?,
            customer: Rt::here()?,
            relays: Relays::default(),
            bind: "127.0.0.1:0".parse()?,
        },
        Way {
            name: "relay",
            console: Rt::r#in(&sam.machine)?,
            customer: Rt::r#in(&ana.machine)?,
            relays: relays.clone(),
            bind: any,
        },
        Way {
            name: "impaired",
            console: Rt::r#in(&sam.machine)?,
            customer: Rt::r#in(&ben.machine)?,
            relays,
            bind: any,
        },
    ];
    let probe = lab.probe(&ben.machine, 200)?;
    let probe_sam = lab.probe(&sam.machine, 200)?;
    println!(
        "\nThe lab's probe (UDP to the public network and back): from the console's site {probe_sam};\n\
         from the impaired site {probe} (40 ms added, 1 % lost each way)\n"
    );

    println!(
        "Join to first picture, 1920x1080 synthetic desktop (the agent's --synthetic-screen), {} runs per path",
        a.runs
    );
    println!("{:<10} {:>9} {:>9} {:>9} {:>14}", "path", "median", "min", "max", "bytes to then");
    for way in &ways {
        let mut times = Vec::new();
        let mut bytes = 0;
        for _ in 0..a.runs {
            let (ms, b) = join_to_picture(way).await?;
            times.push(ms);
            bytes = b;
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{:<10} {:>7.0}ms {:>7.0}ms {:>7.0}ms {:>14}",
            way.name,
            times[times.len() / 2],
            times[0],
            times[times.len() - 1],
            bytes
        );
    }

    println!("\nOne file of {} MiB, shared by the console and downloaded by the customer, hash checked", a.mib);
    println!("{:<10} {:>9} {:>10} {:>22}", "path", "seconds", "MiB/s", "relay CPU s per Mbit/s");
    let dir = tempfile::tempdir()?;
    let file = make_file(dir.path(), "big.bin", a.mib * MIB)?;
    for way in &ways[..2] {
        let cpu0 = deskside_bench::cpu_ticks(&relay_pid);
        let secs = one_file(way, &file).await?;
        let cpu = (deskside_bench::cpu_ticks(&relay_pid) - cpu0) as f64 / deskside_bench::ticks_per_second();
        let mbit_s = (a.mib * MIB) as f64 * 8.0 / 1e6 / secs;
        let per_mbit = if way.name == "direct" { "-".to_owned() } else { format!("{:.4}", cpu / secs / mbit_s) };
        println!("{:<10} {:>9.1} {:>10.1} {:>22}", way.name, secs, (a.mib * MIB) as f64 / MIB as f64 / secs, per_mbit);
    }
    println!("  (relay CPU s per Mbit/s: CPU-seconds per second of the relay process for each relayed Mbit/s)");

    println!(
        "\nRelayed sessions of the video workload ({} kbit/s each, 30 chunks/s) through one relay process",
        a.video_kbit
    );
    println!(
        "{:<9} {:>14} {:>14} {:>12} {:>12}",
        "sessions", "offered Mbit/s", "carried Mbit/s", "late chunks", "relay CPU %"
    );
    let mut n = 1;
    loop {
        let cpu0 = deskside_bench::cpu_ticks(&relay_pid);
        let t = Instant::now();
        let r = streams(&ways[1], n, a.video_kbit, Duration::from_secs(10)).await?;
        let cpu = (deskside_bench::cpu_ticks(&relay_pid) - cpu0) as f64
            / deskside_bench::ticks_per_second()
            / t.elapsed().as_secs_f64()
            * 100.0;
        let offered = n as f64 * a.video_kbit as f64 / 1000.0;
        println!("{n:<9} {offered:>14.1} {:>14.1} {:>11.2}% {cpu:>11.0}%", r.carried_mbit_s, r.late_share * 100.0);
        if r.late_share > 0.01 || r.carried_mbit_s < offered * 0.97 || n >= MAX_SESSIONS {
            println!(
                "  (late: more than 100 ms behind schedule; stops at the first count with more than 1 % late, \
                 carried under 97 %, or {MAX_SESSIONS}; both ends of every session run on this machine too)"
            );
            break;
        }
        n *= 2;
    }
    drop(relay);
    Ok(())
}

/// Milliseconds of one round trip to the relay at `ip`: a request to its HTTPS port and the
/// first byte (or the close) that answers it, best of five.
async fn host(way: &Way) -> Result<HostHandle> {
    let cfg = deskside_bench::host_config(way.bind, way.relays.clone())?;
    way.console.run(async move { start_host(cfg, Arc::new(|| {})) }).await?.map_err(|e| anyhow!("{e}"))
}

fn options(screen: &SyntheticSource) -> AgentOptions {
    let screen = screen.clone();
    AgentOptions {
        name: "Bench customer".into(),
        screen: Arc::new(move || Ok(Box::new(screen.clone()))),
        input: Arc::new(|| Ok(Box::new(RecordingSink::default()))),
        windows: Arc::new(deskside_platform::desktop_windows),
        disk: Arc::new(deskside_agent::transfer::RealDisk),
        max_fps: 30,
        trust: None,
    }
}

/// Milliseconds from Join to the first picture, and the bytes the customer had sent by then.
async fn join_to_picture(way: &Way) -> Result<(f64, u64)> {
    let mut host = host(way).await?;
    let invite = host.invite(InviteRole::Customer, 600_000).map_err(|e| anyhow!("{e}"))?;
    // The picture `deskside-agent --synthetic-screen` shows: gradients and a checkerboard.
    let screen = SyntheticSource::new(1920, 1080, |x, y| {
        let band = ((x / 64 + y / 64) % 2) as u8;
        [(x / 4) as u8, (y / 3) as u8, 120 + band * 60, 0]
    });
    let opts = options(&screen);
    let t0 = Instant::now();
    let mut agent = way.customer.run(async move { start(invite, opts, Arc::new(|| {})).await }).await??;
    let who = participant(&mut host).await?;
    host.send(HostCommand::Request { to: who, capability: Capability::View })?;
    tokio::time::timeout(Duration::from_secs(20), async {
        while agent.next_event().await != Some(AgentEvent::Session(Event::ConsentChanged)) {}
    })
    .await
    .context("the request did not arrive")?;
    let request = agent.gate().consent().pending().map(|p| p.request).context("no request")?;
    agent.answer(request, true);
    let deadline = Instant::now() + Duration::from_mins(1);
    while !host.screen().lock().is_ok_and(|s| s.active && s.generation > 0) {
        if Instant::now() > deadline {
            bail!("no picture on {}", way.name);
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let ms = t0.elapsed().as_secs_f64() * 1000.0;
    let bytes = agent.connection_stats().udp_tx.bytes;
    agent.leave();
    drop(agent);
    drop(host);
    Ok((ms, bytes))
}

async fn participant(host: &mut HostHandle) -> Result<ParticipantId> {
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match host.next_event().await {
                Some(HostEvent::Participants(p)) => {
                    if let Some(c) = p.iter().find(|p| p.id != ParticipantId(0)) {
                        return Ok(c.id);
                    }
                }
                Some(_) => {}
                None => bail!("the host stopped"),
            }
        }
    })
    .await
    .context("the customer did not arrive")?
}

async fn one_file(way: &Way, file: &Path) -> Result<f64> {
    let mut host = host(way).await?;
    let invite = host.invite(InviteRole::Customer, 600_000).map_err(|e| anyhow!("{e}"))?;
    let screen = SyntheticSource::new(64, 48, |x, y| [x as u8, y as u8, 0, 0]);
    let opts = options(&screen);
    let agent = way.customer.run(async move { start(invite, opts, Arc::new(|| {})).await }).await??;
    participant(&mut host).await?;
    let got = tempfile::tempdir()?;
    host.send(HostCommand::ShareFiles(vec![file.to_path_buf()]))?;
    let name = file.file_name().and_then(|n| n.to_str()).context("a name")?.to_owned();
    let deadline = Instant::now() + Duration::from_mins(2);
    let offered = loop {
        if let Some(f) = agent.transfers().offered().into_iter().find(|f| f.name == name) {
            break f;
        }
        if Instant::now() > deadline {
            bail!("the file was never offered");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let t = Instant::now();
    agent.download(offered.id, got.path()).map_err(|e| anyhow!("{e:?}"))?;
    let outcome = tokio::time::timeout(Duration::from_mins(30), async {
        loop {
            if let Some(HostEvent::FileDone { file, outcome, .. }) = host.next_event().await
                && file.id == offered.id
            {
                return outcome;
            }
        }
    })
    .await
    .context("the file did not arrive in 30 minutes")?;
    let secs = t.elapsed().as_secs_f64();
    if outcome != FileOutcome::Done {
        bail!("the file did not arrive whole: {outcome:?}");
    }
    agent.leave();
    Ok(secs)
}

struct Carried {
    carried_mbit_s: f64,
    late_share: f64,
}

/// `n` connections through the relay, each carrying `kbit` kbit/s in 30 timed chunks a second
/// for `secs`, from the console's site to the customer's.
async fn streams(way: &Way, n: usize, kbit: u64, secs: Duration) -> Result<Carried> {
    let chunk = usize::try_from(kbit * 1000 / 8 / 30)?;
    let mut tasks = Vec::new();
    for _ in 0..n {
        let identity = Identity::generate()?;
        let relays = way.relays.clone();
        let secret = identity.secret.clone();
        let server = way
            .console
            .run(async move {
                let any = std::net::SocketAddr::from(([0, 0, 0, 0], 0));
                deskside_net::transport::host_endpoint(secret, any, &relays).await
            })
            .await?
            .map_err(|e| anyhow!("{e}"))?;
        let relays = way.relays.clone();
        let client = way
            .customer
            .run(async move { deskside_net::transport::client_endpoint(&relays).await })
            .await?
            .map_err(|e| anyhow!("{e}"))?;
        let relay_url: iroh::RelayUrl = way.relays.urls[0].parse()?;
        let to = iroh::EndpointAddr::new(server.id()).with_relay_url(relay_url);
        // The sender: 30 chunks a second, each stamped with when it was due.
        let sender = way.console.get().spawn(async move {
            let conn = server.accept().await.context("no connection")?.await?;
            deskside_net::transport::admitted(&conn);
            let mut s = conn.open_uni().await?;
            let start = tokio::time::Instant::now();
            let mut i = 0u32;
            let mut buf = vec![0u8; chunk.max(16)];
            while start.elapsed() < secs {
                let due = start + Duration::from_secs_f64(f64::from(i) / 30.0);
                tokio::time::sleep_until(due).await;
                let stamp = u64::try_from(due.duration_since(start).as_micros())?;
                buf[..8].copy_from_slice(&stamp.to_le_bytes());
                s.write_all(&buf).await?;
                i += 1;
            }
            s.finish()?;
            let _ = conn.closed().await;
            server.close().await;
            anyhow::Ok(())
        });
        let receiver = way.customer.get().spawn(async move {
            let conn = client.connect(to, deskside_proto::ALPN).await?;
            let mut r = conn.accept_uni().await?;
            let mut buf = vec![0u8; chunk.max(16)];
            let (mut bytes, mut chunks, mut late) = (0u64, 0u64, 0u64);
            let mut first: Option<tokio::time::Instant> = None;
            while r.read_exact(&mut buf).await.is_ok() {
                let now = tokio::time::Instant::now();
                let stamp = Duration::from_micros(u64::from_le_bytes(buf[..8].try_into()?));
                // Lateness against the first chunk's arrival (the clocks are one).
                let base = *first.get_or_insert(now);
                if now.duration_since(base) > stamp + Duration::from_millis(100) {
                    late += 1;
                }
                bytes += buf.len() as u64;
                chunks += 1;
            }
            conn.close(0u32.into(), b"");
            client.close().await;
            anyhow::Ok((bytes, chunks, late))
        });
        tasks.push((sender, receiver));
    }
    let (mut bytes, mut chunks, mut late) = (0u64, 0u64, 0u64);
    for (s, r) in tasks {
        let (b, c, l) =
            tokio::time::timeout(secs + Duration::from_mins(1), r).await.context("a stream never ended")???;
        bytes += b;
        chunks += c;
        late += l;
        let _ = s.await;
    }
    Ok(Carried {
        carried_mbit_s: bytes as f64 * 8.0 / 1e6 / secs.as_secs_f64(),
        late_share: if chunks == 0 { 1.0 } else { late as f64 / chunks as f64 },
    })
}

fn make_file(dir: &Path, name: &str, len: u64) -> Result<PathBuf> {
    use std::io::Write as _;
    let path = dir.join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut left = len;
    let mut buf = vec![0u8; 1 << 20];
    while left > 0 {
        for b in buf.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b.copy_from_slice(&x.to_le_bytes());
        }
        let n = usize::try_from(left.min(buf.len() as u64))?;
        f.write_all(&buf[..n])?;
        left -= n as u64;
    }
    f.flush()?;
    Ok(path)
}
