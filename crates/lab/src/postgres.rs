//! A PostgreSQL server of a test's or benchmark's own: a fresh cluster in a temporary folder
//! (Debian's `postgresql` binaries), on a free loopback port, trusting local connections,
//! stopped when dropped. As root, its programs run as the `postgres` user (PostgreSQL refuses
//! to run as root).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context as _, Result, bail};

/// A PostgreSQL server of its own.
pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    next: AtomicU64,
}

fn postgres_bin() -> Result<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.filter_map(Result::ok).map(|e| e.path().join("bin")).filter(|p| p.join("initdb").exists()).collect())
        .unwrap_or_default();
    found.sort();
    found.pop().context("PostgreSQL is not installed (apt-get install postgresql; `cargo xtask deps` does it)")
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// Runs a PostgreSQL program, as the `postgres` user when this is root.
fn pg(bin: &Path, program: &str, args: &[&str]) -> Result<()> {
    let exe = bin.join(program);
    let out = if is_root() {
        Command::new("runuser").args(["-u", "postgres", "--"]).arg(&exe).args(args).output()
    } else {
        Command::new(&exe).args(args).output()
    }
    .with_context(|| format!("cannot run {program}"))?;
    if !out.status.success() {
        bail!("{program} failed: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

fn text(p: &Path) -> Result<&str> {
    p.to_str().context("a temporary folder's path is not text")
}

impl Postgres {
    /// Makes a cluster and starts its server.
    ///
    /// # Errors
    /// PostgreSQL is not installed, or its cluster or server could not be made.
    pub fn start() -> Result<Postgres> {
        let bin = postgres_bin()?;
        let dir = tempfile::tempdir()?;
        if is_root() && !Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir.path()).status()?.success() {
            bail!("cannot give the cluster's folder to the postgres user");
        }
        let data = dir.path().join("data");
        let (d, sock) = (text(&data)?, text(dir.path())?);
        pg(&bin, "initdb", &["-D", d, "-A", "trust", "-U", "deskside", "--no-sync", "-E", "UTF8"])?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let opts = format!("-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200");
        let log = dir.path().join("log");
        pg(&bin, "pg_ctl", &["-D", d, "-o", &opts, "-l", text(&log)?, "-w", "start"])?;
        Ok(Postgres { dir, bin, port, next: AtomicU64::new(0) })
    }

    /// A new, empty database on this server: its address.
    ///
    /// # Errors
    /// `psql` could not make it.
    pub fn database(&self) -> Result<String> {
        let name = format!("site_{}", self.next.fetch_add(1, Ordering::SeqCst));
        let out = Command::new(self.bin.join("psql"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "deskside", "-d", "postgres", "-c"])
            .arg(format!("CREATE DATABASE {name}"))
            .output()?;
        if !out.status.success() {
            bail!("CREATE DATABASE: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(format!("postgres://deskside@127.0.0.1:{}/{name}", self.port))
    }

    /// The server's process id (for its memory), if its pid file says.
    #[must_use]
    pub fn pid(&self) -> Option<u32> {
        let pid = std::fs::read_to_string(self.dir.path().join("data/postmaster.pid")).ok()?;
        pid.lines().next()?.trim().parse().ok()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        if let Ok(d) = text(&data) {
            let _ = pg(&self.bin, "pg_ctl", &["-D", d, "-m", "immediate", "stop"]);
        }
    }
}
