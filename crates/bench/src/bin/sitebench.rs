//! The support site under the agents' load: the shipped `deskside-site` (release, its own
//! process) on SQLite and on PostgreSQL, side by side in one run, resolving live 9-digit codes as
//! agents do (`SiteClient::resolve`, over loopback HTTP) from 16 at once. Prints, for each
//! store, resolutions per second, latency p50/p99/max, and the site's resident memory at rest
//! and at its peak under the load; writes `target/bench/site.json`.
//!
//! `cargo xtask bench` runs it; alone: `cargo build --release -p deskside-site -p deskside-bench
//! && target/release/deskside-sitebench [--codes N]`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use deskside_lab::postgres::Postgres;
use deskside_net::site::SiteClient;
use deskside_proto::site::ShortCode;

/// Resolutions under way at once.
const CONCURRENCY: usize = 16;
const PASSWORD: &str = "bench password, not for real use";

struct Site {
    child: Child,
    address: String,
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `VmRSS` and `VmHWM` of process `pid`, KiB.
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn start_site(bin: &Path, database: &str, dir: &Path) -> Result<Site> {
    let password = dir.join("password.txt");
    std::fs::write(&password, PASSWORD)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let address = format!("http://127.0.0.1:{port}");
    let init = Command::new(bin)
        .args(["init", "--database", database, "--organisation", "Bench Support", "--site-address", &address])
        .args(["--admin-email", "sam@bench.example", "--admin-name", "Sam Rivera", "--admin-password-file"])
        .arg(&password)
        .output()?;
    if !init.status.success() {
        bail!("deskside-site init: {}", String::from_utf8_lossy(&init.stderr));
    }
    let child = Command::new(bin)
        .args(["serve", "--database", database, "--listen", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let site = Site { child, address };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("the site did not start");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(site)
}

/// A live invite's text code, as a console would store under a code.
fn invite(n: u32) -> String {
    let mut secret = [0u8; 16];
    secret[..4].copy_from_slice(&n.to_le_bytes());
    deskside_proto::invite::Invite {
        host: deskside_proto::invite::HostAddr {
            id: [7; 32],
            relays: vec!["https://relay.bench.example".into()],
            relay_token: "bench-relay-token-0123".into(),
            addrs: vec![std::net::SocketAddr::from(([192, 0, 2, 1], 4433))],
        },
        session: deskside_proto::SessionId([3; 16]),
        role: deskside_proto::InviteRole::Customer,
        secret,
        expires_unix_s: 4_000_000_000,
    }
    .to_code()
}

struct Figures {
    store: &'static str,
    codes: usize,
    per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    rest_kib: u64,
    peak_kib: u64,
}

async fn measure(store: &'static str, bin: &Path, database: String, codes: usize) -> Result<Figures> {
    let dir = tempfile::tempdir()?;
    let site = start_site(bin, &database, dir.path())?;
    // The codes, put straight in the store as consoles' requests would (a console may ask
    // for sixty an hour: the load here is the agents').
    let db = deskside_site::store::Store::open(&database).await?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let mut all = Vec::with_capacity(codes);
    for i in 0..codes {
        let code = ShortCode::from_random(u64::try_from(i)?.wrapping_mul(2_654_435_761) + 17);
        let n = u32::try_from(i)?;
        if db.add_code(&code.digits(), 1, &invite(n), now, now + 86_400).await? {
            all.push(code);
        }
    }
    drop(db);
    let client = SiteClient::new(&site.address, &[])?;
    // One lookup that fails first, so connections and the site's caches are warm.
    let _ = client.resolve(ShortCode::from_random(999_999_999)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (rest_kib, _) = memory(site.child.id());
    let queue = Arc::new(std::sync::Mutex::new(all));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (queue, client) = (queue.clone(), client.clone());
        tasks.push(tokio::spawn(async move {
            let mut took = Vec::new();
            while let Some(code) = queue.lock().ok().and_then(|mut q| q.pop()) {
                let t = Instant::now();
                let got = client.resolve(code).await;
                took.push((t.elapsed(), got.is_ok()));
            }
            took
        }));
    }
    let mut took = Vec::new();
    for t in tasks {
        took.extend(t.await?);
    }
    let wall = started.elapsed();
    let failed = took.iter().filter(|(_, ok)| !ok).count();
    if failed > 0 {
        bail!("{failed} of {} live codes did not resolve on {store}", took.len());
    }
    let (_, peak_kib) = memory(site.child.id());
    let mut ms: Vec<f64> = took.iter().map(|(d, _)| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms.get(((ms.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0);
    Ok(Figures {
        store,
        codes: ms.len(),
        per_s: ms.len() as f64 / wall.as_secs_f64(),
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        max_ms: at(1.0),
        rest_kib,
        peak_kib,
    })
}

fn site_binary() -> Result<PathBuf> {
    let here = std::env::current_exe()?;
    let bin = here.with_file_name("deskside-site");
    if !bin.exists() {
        bail!("{} is missing: cargo build --release -p deskside-site", bin.display());
    }
    Ok(bin)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let codes: usize = args
        .iter()
        .position(|a| a == "--codes")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let bin = site_binary()?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let pg = Postgres::start().context("cannot start PostgreSQL")?;
    let sqlite_dir = tempfile::tempdir()?;
    let sqlite = format!("sqlite://{}", sqlite_dir.path().join("site.db").display());
    let figures = rt.block_on(async {
        let a = measure("SQLite", &bin, sqlite, codes).await?;
        let b = measure("PostgreSQL", &bin, pg.database()?, codes).await?;
        Ok::<_, anyhow::Error>(vec![a, b])
    })?;
    println!("Code resolutions, {CONCURRENCY} agents at once over loopback HTTP, {codes} live codes per store:");
    println!(
        "{:<11} {:>6} {:>9} {:>8} {:>8} {:>8} {:>10} {:>10}",
        "store", "codes", "per s", "p50 ms", "p99 ms", "max ms", "rest MiB", "peak MiB"
    );
    let mut json = Vec::new();
    for f in &figures {
        println!(
            "{:<11} {:>6} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>10.1} {:>10.1}",
            f.store,
            f.codes,
            f.per_s,
            f.p50_ms,
            f.p99_ms,
            f.max_ms,
            f.rest_kib as f64 / 1024.0,
            f.peak_kib as f64 / 1024.0
        );
        json.push(serde_json::json!({
            "store": f.store, "codes": f.codes, "per_s": f.per_s, "p50_ms": f.p50_ms, "p99_ms": f.p99_ms,
            "max_ms": f.max_ms, "rest_kib": f.rest_kib, "peak_kib": f.peak_kib,
        }));
    }
    std::fs::create_dir_all("target/bench")?;
    std::fs::write("target/bench/site.json", serde_json::to_string_pretty(&json)?)?;
    Ok(())
}
