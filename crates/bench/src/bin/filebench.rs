//! File transfer, measured over loopback QUIC in one process (a host and an agent):
//!
//! 1. what one QUIC stream carries on this machine (the same TLS and transport settings), as the
//!    yardstick;
//! 2. one file of `--mib` MiB (1024 by default) shared and downloaded whole, hash checked;
//! 3. 10,000 small files (4 KiB), in batches of 250 (the most offered at once);
//! 4. browse and move files: the same 10,000 files as one folder pushed to the customer, and the
//!    large file pulled back (each move hashed, asked, allowed, moved);
//! 5. the screen's frame rate and input latency while a large file travels, against the same
//!    with nothing travelling (a synthetic screen repainted 60 times a second).
//!
//! `cargo run --release -p deskside-bench --bin deskside-filebench [-- --mib N]`

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use deskside_agent::engine::{AgentHandle, AgentOptions, start};
use deskside_agent::transfer::{RealDisk, Status};
use deskside_net::host::{HostCommand, HostConfig, HostEvent, HostHandle, start_host};
use deskside_net::{Identity, random_bytes};
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{Capability, FileOutcome, InputEvent, InviteRole, OnConflict, ParticipantId, SessionId};
use deskside_session::SessionConfig;

const MIB: u64 = 1 << 20;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let mib: u64 = args
        .iter()
        .position(|a| a == "--mib")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(run(mib))
}

/// 10,000 small files shared and downloaded, 250 at a time; their paths.
async fn small_files(host: &mut HostHandle, agent: &AgentHandle, csr: &Path, got: &Path) -> Result<Vec<PathBuf>> {
    // 10,000 small files.
    let small: Vec<PathBuf> =
        (0..10_000).map(|i| make_file(csr, &format!("small-{i:05}.txt"), 4096)).collect::<Result<_>>()?;
    let t = Instant::now();
    for batch in small.chunks(250) {
        let offered = tokio::time::timeout(Duration::from_mins(1), share(host, batch))
            .await
            .map_err(|_| anyhow!("sharing a batch of small files did not finish"))??;
        let ids: Vec<deskside_proto::FileId> =
            offered.iter().filter(|f| f.name.starts_with("small-")).map(|f| f.id).collect();
        for id in &ids {
            at_agent(agent, *id).await?;

            agent.download(*id, got).map_err(|e| anyhow!("{e:?}"))?;
        }
        if tokio::time::timeout(Duration::from_mins(1), wait_done(host, &ids)).await.is_err() {
            let stuck: Vec<_> = agent
                .transfers()
                .downloads()
                .into_values()
                .filter(|d| !matches!(d.status, Status::Done(_)))
                .map(|d| (d.file.name, d.status))
                .take(5)
                .collect();
            return Err(anyhow!("small files stuck: {stuck:?}"));
        }
        for id in ids {
            host.send(HostCommand::WithdrawFile(id))?;
        }
    }
    let small_s = t.elapsed().as_secs_f64();
    println!(
        "10,000 files of 4 KiB (share + download): {small_s:6.1} s, {:.0} files/s, {:.1} MiB/s",
        10_000.0 / small_s,
        10_000.0 * 4096.0 / MIB as f64 / small_s
    );

    Ok(small)
}

async fn run(mib: u64) -> Result<()> {
    let work = tempfile::tempdir()?;
    let (csr, got) = (work.path().join("csr"), work.path().join("customer"));
    std::fs::create_dir_all(&csr)?;
    std::fs::create_dir_all(&got)?;

    let stream = quic_stream_mib_s(mib).await?;
    println!("one QUIC stream, {mib} MiB:            {stream:8.1} MiB/s");

    let mut host = host()?;
    let screen = SyntheticSource::new(1280, 720, |x, y| [x as u8, y as u8, 0, 0]);
    let sink = RecordingSink::default();
    let agent = join(&host, &screen, &sink).await?;

    // One large file.
    let big = make_file(&csr, "big.bin", mib * MIB)?;
    let t = Instant::now();
    let offered = share(&mut host, std::slice::from_ref(&big)).await?;
    let hash_s = t.elapsed().as_secs_f64();
    let f = offered.iter().find(|f| f.name == "big.bin").ok_or_else(|| anyhow!("not offered"))?.clone();
    at_agent(&agent, f.id).await?;
    let t = Instant::now();
    agent.download(f.id, &got).map_err(|e| anyhow!("{e:?}"))?;
    wait_done(&mut host, &[f.id]).await?;
    let file_s = t.elapsed().as_secs_f64();
    let file = mib as f64 / file_s;
    println!("preparing (SHA-256) {mib} MiB:         {:8.1} MiB/s", mib as f64 / hash_s);
    println!("one file, {mib} MiB, downloaded:      {file:8.1} MiB/s  ({:.0} % of one stream)", file / stream * 100.0);
    std::fs::remove_file(got.join("big.bin"))?;

    let small = small_files(&mut host, &agent, &csr, &got).await?;

    // Browse and move files: the same 10,000 small files as one folder pushed, and the large
    // file pulled back (each move allowed once; four files of a move travel at a time).
    host.send(HostCommand::Request { to: ParticipantId(1), capability: Capability::Files })?;
    allow(&agent).await;
    let folder = csr.join("folder");
    std::fs::create_dir_all(&folder)?;
    for p in &small {
        std::fs::rename(p, folder.join(p.file_name().unwrap_or_default()))?;
    }
    let into = got.join("pushed");
    std::fs::create_dir_all(&into)?;
    let t = Instant::now();
    let push = HostCommand::Push {
        to: ParticipantId(1),
        source: folder.clone(),
        folder: into.to_string_lossy().into_owned(),
        on_conflict: OnConflict::KeepBoth,
    };
    let push_s = moved(&mut host, &agent, push, "folder", t).await?;
    println!(
        "a folder of 10,000 files of 4 KiB pushed (hash, ask, move): {push_s:6.1} s, {:.0} files/s",
        10_000.0 / push_s
    );
    let t = Instant::now();
    let pull = HostCommand::Pull {
        from: ParticipantId(1),
        folder: got.to_string_lossy().into_owned(),
        name: "pushed".into(),
        into: csr.join("back"),
        on_conflict: OnConflict::KeepBoth,
    };
    std::fs::create_dir_all(csr.join("back"))?;
    std::fs::rename(&big, got.join("pushed").join("big.bin"))?;
    std::fs::remove_dir_all(got.join("pushed").join("folder"))?;
    let pull_s = moved(&mut host, &agent, pull, "pushed", t).await?;
    std::fs::rename(got.join("pushed").join("big.bin"), &big)?;
    let pulled = mib as f64 / pull_s;
    println!(
        "one file, {mib} MiB, pulled (hash, ask, move): {pulled:8.1} MiB/s  ({:.0} % of one stream)",
        pulled / stream * 100.0
    );

    // The screen and input while nothing travels, then while the large file does.
    host.send(HostCommand::Request { to: ParticipantId(1), capability: Capability::View })?;
    allow(&agent).await;
    host.send(HostCommand::Request { to: ParticipantId(1), capability: Capability::Control })?;
    allow(&agent).await;
    let painting = Arc::new(AtomicBool::new(true));
    let (p2, s2) = (painting.clone(), screen.clone());
    std::thread::Builder::new().name("bench-painter".into()).spawn(move || {
        let mut t = 0u32;
        while p2.load(Ordering::SeqCst) {
            t = t.wrapping_add(1);
            s2.paint(1280, 720, move |x, y| [(x + t) as u8, (y ^ t) as u8, t as u8, 0]);
            std::thread::sleep(Duration::from_millis(16));
        }
    })?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = screen_and_input(&host, &sink, Duration::from_secs(5), None).await?;
    let offered = share(&mut host, std::slice::from_ref(&big)).await?;
    let f = offered.iter().find(|f| f.name == "big.bin").ok_or_else(|| anyhow!("not offered"))?.clone();
    at_agent(&agent, f.id).await?;
    agent.download(f.id, &got).map_err(|e| anyhow!("{e:?}"))?;
    let busy = screen_and_input(&host, &sink, Duration::from_secs(5), Some(&agent)).await?;
    painting.store(false, Ordering::SeqCst);
    println!(
        "screen, nothing travelling:   {:5.1} frames/s, input p50 {:5.1} ms, p95 {:5.1} ms",
        idle.0, idle.1, idle.2
    );
    println!(
        "screen, while the file does:  {:5.1} frames/s, input p50 {:5.1} ms, p95 {:5.1} ms",
        busy.0, busy.1, busy.2
    );
    Ok(())
}

/// Sends `cmd` (a push or a pull), allows it on the customer's side, and waits until the move of
/// `name` is over: the seconds since `t`.
async fn moved(host: &mut HostHandle, agent: &AgentHandle, cmd: HostCommand, name: &str, t: Instant) -> Result<f64> {
    host.send(cmd)?;
    let deadline = Instant::now() + Duration::from_mins(10);
    loop {
        for ask in agent.move_asks() {
            agent.answer_move(ask.id, true);
        }
        while host.try_event().is_some() {}
        if let Some(m) = host.moves().into_iter().find(|m| m.name == name && m.state.is_over()) {
            if m.state != deskside_net::moves::MoveState::Done || m.failed > 0 {
                return Err(anyhow!("the move of {name} ended as {:?} ({:?})", m.state, m.first_failure));
            }
            return Ok(t.elapsed().as_secs_f64());
        }
        if Instant::now() > deadline {
            return Err(anyhow!("the move of {name} did not finish"));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn host() -> Result<HostHandle> {
    let cfg = HostConfig {
        bind: "127.0.0.1:0".parse()?,
        identity: Identity::generate()?,
        relays: deskside_net::transport::Relays::default(),
        session: SessionConfig {
            id: SessionId(random_bytes()?),
            csr_name: "Bench CSR".into(),
            organisation: String::new(),
            session_type: "Bench".into(),
            tracking_code: String::new(),
        },
    };
    Ok(start_host(cfg, Arc::new(|| {}))?)
}

async fn join(host: &HostHandle, screen: &SyntheticSource, sink: &RecordingSink) -> Result<AgentHandle> {
    let invite = host.invite(InviteRole::Customer, 3_600_000)?;
    let (s, k) = (screen.clone(), sink.clone());
    let opts = AgentOptions {
        name: "Bench customer".into(),
        screen: Arc::new(move || Ok(Box::new(s.clone()))),
        input: Arc::new(move || Ok(Box::new(k.clone()))),
        windows: Arc::new(deskside_platform::desktop_windows),
        disk: Arc::new(RealDisk),
        max_fps: 60,
        trust: None,
    };
    start(invite, opts, Arc::new(|| {})).await.map_err(|e| anyhow!("{e}"))
}

async fn allow(agent: &AgentHandle) {
    for _ in 0..500 {
        let pending = agent.gate().consent().pending().map(|p| p.request);
        if let Some(r) = pending {
            agent.answer(r, true);
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn make_file(dir: &Path, name: &str, len: u64) -> Result<PathBuf> {
    let path = dir.join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ len;
    let mut buf = vec![0u8; MIB as usize];
    let mut left = len;
    while left > 0 {
        let n = left.min(MIB) as usize;
        for chunk in buf[..n].chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
        }
        f.write_all(&buf[..n])?;
        left -= n as u64;
    }
    f.flush()?;
    Ok(path)
}

/// Waits until the customer's side has file `id` on offer.
async fn at_agent(agent: &AgentHandle, id: deskside_proto::FileId) -> Result<()> {
    let t = Instant::now();
    while !agent.transfers().offered().iter().any(|f| f.id == id) {
        if t.elapsed() > Duration::from_mins(1) {
            return Err(anyhow!("file {id} never reached the customer's side"));
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Ok(())
}

async fn share(host: &mut HostHandle, paths: &[PathBuf]) -> Result<Vec<deskside_proto::OfferedFile>> {
    host.send(HostCommand::ShareFiles(paths.to_vec()))?;
    loop {
        match host.next_event().await {
            Some(HostEvent::FilesOffered(list)) if paths.iter().all(|p| list.iter().any(|f| p.ends_with(&f.name))) => {
                return Ok(list);
            }
            Some(_) => {}
            None => return Err(anyhow!("host stopped")),
        }
    }
}

async fn wait_done(host: &mut HostHandle, ids: &[deskside_proto::FileId]) -> Result<()> {
    let mut left: std::collections::BTreeSet<deskside_proto::FileId> = ids.iter().copied().collect();
    while !left.is_empty() {
        match host.next_event().await {
            Some(HostEvent::FileDone { file, outcome: FileOutcome::Done, .. }) => {
                left.remove(&file.id);
            }
            Some(HostEvent::FileDone { file, outcome, .. }) => return Err(anyhow!("{}: {outcome:?}", file.name)),
            Some(_) => {}
            None => return Err(anyhow!("host stopped")),
        }
    }
    Ok(())
}

/// Frames a second the console decodes, and the input latency (p50, p95, ms) from a move sent
/// to the move injected, over `secs`; with `agent`, only while its download is under way.
async fn screen_and_input(
    host: &HostHandle,
    sink: &RecordingSink,
    secs: Duration,
    agent: Option<&AgentHandle>,
) -> Result<(f64, f64, f64)> {
    let start_gen = host.screen().lock().map_err(|_| anyhow!("poisoned"))?.generation;
    let t = Instant::now();
    let mut latencies = Vec::new();
    let mut n = 0u32;
    while t.elapsed() < secs {
        if let Some(a) = agent
            && !a
                .transfers()
                .downloads()
                .values()
                .any(|d| matches!(d.status, Status::Receiving { .. } | Status::Requested))
        {
            break;
        }
        n += 1;
        let x = 10 + n % 500;
        let before = sink.events().len();
        let sent = Instant::now();
        host.send(HostCommand::Input(InputEvent::MouseMove { x, y: 10 }))?;
        while sink.events().len() == before && sent.elapsed() < Duration::from_secs(2) {
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let frames = host.screen().lock().map_err(|_| anyhow!("poisoned"))?.generation - start_gen;
    latencies.sort_by(f64::total_cmp);
    let pick = |q: f64| latencies.get(((latencies.len() as f64 - 1.0) * q) as usize).copied().unwrap_or(f64::NAN);
    Ok((frames as f64 / t.elapsed().as_secs_f64(), pick(0.5), pick(0.95)))
}

/// MiB/s one QUIC stream carries from a server to a client on loopback, with Deskside's
/// endpoints and transport settings.
async fn quic_stream_mib_s(mib: u64) -> Result<f64> {
    let id = Identity::generate()?;
    let server = deskside_net::transport::host_endpoint(
        id.secret.clone(),
        "127.0.0.1:0".parse()?,
        &deskside_net::transport::Relays::default(),
    )
    .await?;
    let port = server.bound_sockets().first().map(std::net::SocketAddr::port).ok_or_else(|| anyhow!("no socket"))?;
    let client = deskside_net::transport::client_endpoint(&deskside_net::transport::Relays::default()).await?;
    let sender = tokio::spawn(async move {
        let conn = server.accept().await.ok_or_else(|| anyhow!("no connection"))?.accept()?.await?;
        // A peer admitted: the streams it uses.
        deskside_net::transport::admitted(&conn);
        let mut s = conn.open_uni().await?;
        let buf = vec![7u8; 256 * 1024];
        for _ in 0..mib * 4 {
            s.write_all(&buf).await?;
        }
        s.finish()?;
        let _ = s.stopped().await;
        anyhow::Ok(())
    });
    let to = iroh::EndpointAddr::new(iroh::EndpointId::from_bytes(&id.id)?)
        .with_ip_addr(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    let conn = client.connect(to, deskside_proto::ALPN).await?;
    let mut r = conn.accept_uni().await?;
    let t = Instant::now();
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    while let Some(n) = r.read(&mut buf).await? {
        total += n as u64;
    }
    let secs = t.elapsed().as_secs_f64();
    sender.await??;
    Ok(total as f64 / MIB as f64 / secs)
}
