//! `cargo xtask`: Deskside's chores in one tool, instead of shell scripts.
//!
//! - `cargo xtask demo`: a console and an agent joined in a live session on this machine.
//! - `cargo xtask ci`: everything CI checks: formatting, lints, every test.
//! - `cargo xtask bench`: the criterion benchmarks, with their figures printed.
//! - `cargo xtask footprint`: the agent's binary size, start to first window and idle memory.
//! - `cargo xtask fuzz [--secs N] [--runs N] [TARGET…]`: every fuzz target (cargo-fuzz, libFuzzer):
//!   its committed corpus replayed, then fuzzed for `N` seconds (or `N` executions).
//! - `cargo xtask windows`: the Windows build: the agent for `x86_64-pc-windows-gnu` (mingw-w64),
//!   and the platform-independent crates' tests run under Wine.
//! - `cargo xtask deps`: installs the system packages the others need (Debian), and the Rust
//!   standard library for Windows.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

mod demo;

/// Debian packages the build, the tests and the demo need.
const PACKAGES: &[&str] = &[
    // OpenH264's assembly (the video path); without it the C fallback is several times slower.
    "nasm",
    // Screen capture links against XCB.
    "libxcb1-dev",
    "libxcb-shm0-dev",
    "libxcb-randr0-dev",
    // The windows (winit loads these at run time).
    "libx11-xcb1",
    "libxcursor1",
    "libxrandr2",
    "libxi6",
    "libxkbcommon-x11-0",
    // Rendering without a GPU: Mesa's software Vulkan and GL.
    "mesa-vulkan-drivers",
    "libvulkan1",
    "libegl1",
    "libgl1-mesa-dri",
    // Cutting a host off the network in tests: nftables rules on loopback (a multipath QUIC
    // connection finds its way around a cut proxy).
    "nftables",
    // The NAT lab (crates/lab): network namespaces, veth pairs and routes.
    "iproute2",
    // The relay's ACME certificates, tested against Debian's ACME test server.
    "pebble",
    "curl",
    // A virtual display for tests and the demo, and tools to look at it.
    "xvfb",
    "xauth",
    "xdotool",
    "imagemagick",
    // `deskside://` links: the agent registers itself with xdg-mime (tested).
    "xdg-utils",
    // The screen benchmark's terminal workloads, and the demo customer's desktop.
    "xterm",
    // The demo customer's computer, as a window on your display.
    "xserver-xephyr",
    "fonts-dejavu-core",
    // The support site's second store: its tests start a PostgreSQL server of their own.
    "postgresql",
    // The site's pages, tested in a real browser through WebDriver.
    "chromium",
    "chromium-driver",
    // The Windows agent: built with mingw-w64 (C and C++: OpenH264 and ring), run under Wine.
    "gcc-mingw-w64-x86-64",
    "g++-mingw-w64-x86-64",
    "wine",
    "wine64",
];

/// The Windows target, and the crates whose tests run under Wine: everything below the platform
/// seam that does not need a desktop or a network of its own.
const WINDOWS_TARGET: &str = "x86_64-pc-windows-gnu";
const WINDOWS_TESTED: &[&str] = &["deskside-proto", "deskside-codec", "deskside-session", "deskside-platform"];

fn main() -> Result<()> {
    let task = std::env::args().nth(1).unwrap_or_default();
    let root = workspace_root();
    std::env::set_current_dir(&root)?;
    match task.as_str() {
        "deps" => deps(),
        "ci" => ci(),
        "demo" => demo::demo(&root),
        "bench" => bench(),
        "footprint" => footprint(&root),
        "fuzz" => fuzz(&root, &std::env::args().skip(2).collect::<Vec<_>>()),
        "windows" => {
            deps()?;
            windows(&root)
        }
        _ => {
            eprintln!("Usage: cargo xtask <demo|ci|bench|footprint|fuzz|windows|deps>");
            std::process::exit(2);
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("$ {cmd:?}");
    let status = cmd.status().with_context(|| format!("cannot run {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

/// Installs the missing packages with apt-get (as root, or through sudo), and the Rust standard
/// library for Windows with rustup.
fn deps() -> Result<()> {
    let targets = Command::new("rustup").args(["target", "list", "--installed"]).output();
    if !targets.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim() == WINDOWS_TARGET)) {
        run(Command::new("rustup").args(["target", "add", WINDOWS_TARGET]))?;
    }
    let missing: Vec<&str> = PACKAGES
        .iter()
        .copied()
        .filter(|p| {
            let out = Command::new("dpkg-query").args(["-W", "-f=${Status}", p]).output();
            !out.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("Installing system packages: {}", missing.join(" "));
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0"));
    let apt = |args: &[&str]| {
        let mut c = if root { Command::new("apt-get") } else { Command::new("sudo") };
        if !root {
            c.arg("apt-get");
        }
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        c
    };
    run(apt(&["update", "-qq"]).stdout(Stdio::null()))?;
    let mut install = apt(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.args(&missing).stdout(Stdio::null());
    run(&mut install)
}

/// Formatting, lints and every test: what `.ci/run` runs.
fn ci() -> Result<()> {
    deps()?;
    let runtime_dir = std::env::temp_dir().join("deskside-xdg-runtime");
    std::fs::create_dir_all(&runtime_dir)?;
    run(Command::new("cargo").args(["fmt", "--all", "--", "--check"]))?;
    // Incremental state is useless on a one-shot machine and doubles the target directory.
    run(Command::new("cargo")
        .args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])
        .env("CARGO_INCREMENTAL", "0"))?;
    // Every decoder of network bytes: the corpus replayed, then a short run of each (before the
    // tests, so the test runner's summary stays the run's last words).
    let root = workspace_root();
    fuzz(&root, &["--secs".into(), FUZZ_CI_SECS.into()])?;
    windows(&root)?;
    run(Command::new("cargo")
        .args(["test", "--workspace", "--all-targets"])
        .env("CARGO_INCREMENTAL", "0")
        // The software renderer looks for a runtime directory; give it a private one.
        .env("XDG_RUNTIME_DIR", &runtime_dir)
        // Snapshot tests compare against the committed images, never rewrite them.
        .env_remove("UPDATE_SNAPSHOTS"))?;
    Ok(())
}

/// The Windows build, into `target/windows` (where the test under Wine finds it): the agent and
/// the Windows customer of `crates/lab/tests/wine.rs` built with mingw-w64, then the tests of the
/// crates below the platform seam run under Wine (cargo's runner is `deskside-wine`, which gives
/// them a Wine prefix of their own and the DLL Wine 8.0 lacks).
fn windows(root: &Path) -> Result<()> {
    let dir = root.join("target/windows");
    let cargo = |args: &[&str]| {
        let mut c = Command::new("cargo");
        c.args(args).args(["--profile", "wine", "--target", WINDOWS_TARGET, "--target-dir"]).arg(&dir);
        // What cargo told this program about itself (CARGO_MANIFEST_DIR and the rest) would reach
        // the build scripts and make these builds differ from the test's (crates/lab's
        // windows_program, which clears them too), rebuilding everything there.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("CARGO_") && name != "CARGO_HOME" {
                c.env_remove(name);
            }
        }
        c
    };
    // The Windows code's lints: what only builds for Windows is checked there.
    let mut lints = cargo(&["clippy", "-p", "deskside-agent", "--all-targets"]);
    for p in WINDOWS_TESTED {
        lints.args(["-p", p]);
    }
    run(lints.args(["--", "-D", "warnings"]))?;
    run(&mut cargo(&["build", "-p", "deskside-agent", "--bin", "deskside-agent", "--example", "windows_customer"]))?;
    // Built as the workspace's tests are (ci's CARGO_INCREMENTAL=0), so they reuse it.
    run(Command::new("cargo")
        .args(["build", "-p", "deskside-lab", "--bin", "deskside-wine"])
        .env("CARGO_INCREMENTAL", "0"))?;
    let runner = root.join("target/debug/deskside-wine");
    let mut test = cargo(&["test"]);
    for p in WINDOWS_TESTED {
        test.args(["-p", p]);
    }
    test.args(["--lib", "--tests"]).env("CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER", &runner);
    run(&mut test)
}

/// Seconds each fuzz target runs in CI, after its corpus is replayed.
const FUZZ_CI_SECS: &str = "15";

/// The fuzz targets, in `fuzz/Cargo.toml`.
const FUZZ_TARGETS: &[&str] = &[
    "hello",
    "to_host",
    "to_guest",
    "uni_header",
    "input",
    "screen",
    "inventory",
    "invite",
    "certificate",
    "report",
    "files",
    "hand_over",
    "session",
    "guest",
];

/// `cargo fuzz`, on nightly where it is installed, else on this stable toolchain with its
/// unstable flags allowed (`RUSTC_BOOTSTRAP`): a fresh machine has only the one toolchain, and
/// the address sanitizer's runtime ships with every channel.
fn cargo_fuzz(fuzz_dir: &Path) -> Command {
    let nightly = Command::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let mut c = Command::new("cargo");
    if nightly {
        c.arg("+nightly");
    } else {
        c.env("RUSTC_BOOTSTRAP", "1");
    }
    c.arg("fuzz").current_dir(fuzz_dir);
    c
}

/// Replays each target's committed corpus, then fuzzes it from a copy of that corpus for
/// `--secs` seconds or `--runs` executions; a crash fails (libFuzzer keeps the input under
/// `fuzz/artifacts/`). Installs cargo-fuzz from crates.io when it is missing.
fn fuzz(root: &Path, args: &[String]) -> Result<()> {
    let mut secs = "60".to_owned();
    let mut runs: Option<String> = None;
    let mut targets: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--secs" => secs.clone_from(it.next().context("--secs needs a number")?),
            "--runs" => runs = Some(it.next().context("--runs needs a number")?.clone()),
            t if FUZZ_TARGETS.contains(&t) => targets.push(t.to_owned()),
            other => bail!("unknown fuzz target or flag {other:?}; the targets are {}", FUZZ_TARGETS.join(", ")),
        }
    }
    if targets.is_empty() {
        targets = FUZZ_TARGETS.iter().map(|t| (*t).to_owned()).collect();
    }
    let installed = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        run(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    let fuzz_dir = root.join("fuzz");
    run(cargo_fuzz(&fuzz_dir).args(["build", "-O"]))?;
    for t in &targets {
        let corpus = fuzz_dir.join("corpus").join(t);
        run(cargo_fuzz(&fuzz_dir).args(["run", "-O", t]).arg(&corpus).args(["--", "-runs=0", "-rss_limit_mb=2048"]))?;
        let work = std::env::temp_dir().join(format!("deskside-fuzz-{t}"));
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work)?;
        for f in std::fs::read_dir(&corpus)? {
            let f = f?;
            std::fs::copy(f.path(), work.join(f.file_name()))?;
        }
        let limit = runs.as_ref().map_or_else(|| format!("-max_total_time={secs}"), |n| format!("-runs={n}"));
        // A screen stream's seeds hold whole pictures; everything else fits a control message.
        let max_len = if t == "screen" { "-max_len=262144" } else { "-max_len=65536" };
        run(cargo_fuzz(&fuzz_dir).args(["run", "-O", t]).arg(&work).args([
            "--",
            &limit,
            "-rss_limit_mb=2048",
            max_len,
            "-print_final_stats=1",
        ]))?;
        let _ = std::fs::remove_dir_all(&work);
    }
    Ok(())
}

/// The criterion benchmarks, then the screen-sharing workloads end to end (printed as a table
/// and written to `target/bench/screen.json`), then file transfer.
fn bench() -> Result<()> {
    deps()?;
    let secs = std::env::var("DESKSIDE_BENCH_SECS").unwrap_or_else(|_| "60".into());
    run(Command::new("cargo").args(["bench", "-p", "deskside-codec", "--bench", "codec"]))?;
    // The relay paths run the shipped relay binary in a NAT lab.
    run(Command::new("cargo").args(["build", "--release", "-p", "deskside-relay"]))?;
    // `--network dsl` (or 4g, far, awful; several with commas): the screen workloads on that
    // line too, beside `lan`, direct and through the relay, in the same run.
    let args: Vec<String> = std::env::args().skip(2).collect();
    let networks = match args.iter().position(|a| a == "--network") {
        Some(i) => format!("lan,{}", args.get(i + 1).context("--network needs a profile: dsl, 4g, far or awful")?),
        None => "lan".to_owned(),
    };
    run(Command::new("cargo")
        .args(["run", "--release", "-p", "deskside-bench", "--bin", "deskside-screenbench", "--"])
        .args([
            "--secs",
            &secs,
            "--out",
            "target/bench/screen.json",
            "--paths",
            "direct,relay",
            "--network",
            &networks,
        ]))?;
    run(Command::new("cargo").args(["run", "--release", "-p", "deskside-bench", "--bin", "deskside-filebench"]))?;
    run(Command::new("cargo").args(["run", "--release", "-p", "deskside-bench", "--bin", "deskside-pathbench"]))?;
    // The support site, its own release binary, on SQLite and PostgreSQL.
    run(Command::new("cargo").args(["build", "--release", "-p", "deskside-site"]))?;
    run(Command::new("cargo").args(["run", "--release", "-p", "deskside-bench", "--bin", "deskside-sitebench"]))
}

/// The agent's footprint, release build: binary size (stripped), start to first window on a
/// virtual display, and resident memory while idle in a live session with a console.
fn footprint(root: &Path) -> Result<()> {
    deps()?;
    // Built alone, so nothing the console needs is compiled into it.
    run(Command::new("cargo").args(["build", "--release", "-p", "deskside-agent"]))?;
    let agent = root.join("target/release/deskside-agent");
    let size = std::fs::metadata(&agent)?.len();
    run(Command::new("cargo").args(["build", "--release", "-p", "deskside-console"]))?;
    let console = root.join("target/release/deskside-console");
    let mut children = Children(Vec::new());
    let display = ":79";
    children.0.push(
        Command::new("Xvfb")
            .args([display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start Xvfb")?,
    );
    wait_for(Duration::from_secs(10), || Path::new("/tmp/.X11-unix/X79").exists())?;
    let runtime_dir = std::env::temp_dir().join("deskside-xdg-runtime");
    std::fs::create_dir_all(&runtime_dir)?;
    let home = std::env::temp_dir().join("deskside-footprint-home");
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home)?;
    let app = |exe: &Path| {
        let mut c = Command::new(exe);
        c.env("DISPLAY", display).env("XDG_RUNTIME_DIR", &runtime_dir).env("HOME", &home);
        c.stdout(Stdio::null()).stderr(Stdio::null());
        c
    };
    let window_shown = |name: &str| {
        Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", name])
            .env("DISPLAY", display)
            .output()
            .is_ok_and(|o| !o.stdout.is_empty())
    };
    // Start to first window, six times: the first right after the build, then five more.
    let mut starts = Vec::new();
    for _ in 0..6 {
        let t0 = Instant::now();
        let mut child = app(&agent).spawn()?;
        wait_for(Duration::from_secs(30), || window_shown("^Deskside$")).context("the agent's window never showed")?;
        starts.push(t0.elapsed());
        let _ = child.kill();
        let _ = child.wait();
        wait_for(Duration::from_secs(10), || !window_shown("^Deskside$"))?;
    }
    let first = starts[0];
    let mut rest = starts[1..].to_vec();
    rest.sort();
    let median = rest[rest.len() / 2];
    // Idle in a live session.
    let invite_file = home.join("invite.txt");
    children.0.push(
        app(&console)
            .args(["--start", "--name", "Sam Rivera", "--organisation", "Footprint"])
            .arg("--invite-file")
            .arg(&invite_file)
            .spawn()?,
    );
    wait_for(Duration::from_secs(30), || std::fs::metadata(&invite_file).is_ok_and(|m| m.len() > 0))?;
    let link = std::fs::read_to_string(&invite_file)?;
    let agent_child = app(&agent).arg(link.trim()).args(["--name", "Ana", "--join-now"]).spawn()?;
    let pid = agent_child.id();
    children.0.push(agent_child);
    std::thread::sleep(Duration::from_secs(10));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| {
        status.lines().find_map(|l| l.strip_prefix(name)).map_or_else(|| "?".to_owned(), |v| v.trim().to_owned())
    };
    println!();
    println!("| agent (release, stripped) | figure |");
    println!("|---|---|");
    println!("| binary size | {:.1} MiB ({size} bytes) |", size as f64 / 1_048_576.0);
    println!("| start to first window, first run | {} ms |", first.as_millis());
    println!("| start to first window, median of 5 more | {} ms |", median.as_millis());
    println!("| resident memory idle in a session (VmRSS) | {} |", field("VmRSS:"));
    println!("| peak resident memory (VmHWM) | {} |", field("VmHWM:"));
    Ok(())
}

/// Kills the children when the demo ends, however it ends.
pub(crate) struct Children(pub(crate) Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

pub(crate) fn wait_for(limit: Duration, mut ready: impl FnMut() -> bool) -> Result<()> {
    let deadline = Instant::now() + limit;
    while !ready() {
        if Instant::now() > deadline {
            bail!("timed out");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}
