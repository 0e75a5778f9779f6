//! `cargo xtask demo`: a console and a customer's agent joined in a live session on this machine,
//! each on a screen of its own. The CSR's console runs on your display (or a virtual one when
//! there is none); the customer's computer is a display of its own (a window, "The customer's
//! computer", when you have a display; a virtual one otherwise) with a terminal on it, so the
//! CSR sees a customer's desktop rather than the console inside itself.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::{Children, deps, run, wait_for};

/// The CSR's screen when there is no display, and the customer's.
const CONSOLE_SCREEN: (u32, u32) = (1280, 900);
const CUSTOMER_SCREEN: (u32, u32) = (1024, 700);

/// An X server on a display number it chose itself (`-displayfd`, so a display another server
/// holds is never taken); its display name once it is ready.
fn x_server(program: &str, args: &[&str], on: Option<&str>) -> Result<(Child, String)> {
    let mut cmd = Command::new(program);
    if let Some(d) = on {
        // A nested server (Xephyr) opens its window there.
        cmd.env("DISPLAY", d);
    }
    let mut child = cmd
        .args(["-displayfd", "1"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {program} (cargo xtask deps installs it)"))?;
    let stdout = child.stdout.take().context("no output from the X server")?;
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    std::thread::Builder::new().name("demo-displayfd".into()).spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    })?;
    let line = rx.recv_timeout(Duration::from_secs(15)).unwrap_or_default();
    let Ok(n) = line.trim().parse::<u32>() else {
        let _ = child.kill();
        let _ = child.wait();
        bail!("{program} did not start a display (it said {:?}); is another X server misbehaving?", line.trim());
    };
    Ok((child, format!(":{n}")))
}

/// A virtual display of `size`, unseen.
fn virtual_display(size: (u32, u32)) -> Result<(Child, String)> {
    let screen = format!("{}x{}x24", size.0, size.1);
    x_server("Xvfb", &["-screen", "0", &screen, "-nolisten", "tcp"], None)
}

/// The customer's computer: a window on `host_display` when there is one (Xephyr), else virtual.
fn customer_display(host_display: Option<&str>) -> Result<(Child, String)> {
    let Some(host) = host_display else { return virtual_display(CUSTOMER_SCREEN) };
    let screen = format!("{}x{}", CUSTOMER_SCREEN.0, CUSTOMER_SCREEN.1);
    let title = "The customer's computer (Deskside demo)";
    x_server("Xephyr", &["-screen", &screen, "-title", title, "-nolisten", "tcp", "-no-host-grab"], Some(host))
}

/// Writes a picture of `display` to `path`, beside it first so a viewer never sees half of one.
fn screenshot(display: &str, path: &Path) {
    let tmp = path.with_extension("tmp.png");
    let shot = Command::new("import").args(["-window", "root"]).arg(&tmp).env("DISPLAY", display).status();
    if shot.is_ok_and(|s| s.success()) {
        let _ = std::fs::rename(&tmp, path);
    }
}

/// A console and an agent joined in a live session on this machine.
/// Starts the team's relay on loopback (plain HTTP: on one machine there is no public address
/// to discover), with a fresh token; its URL and the token.
fn start_relay(bin: &Path, out: &Path) -> Result<(Child, String, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let token = format!("demo-{:016x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos());
    let config = out.join("relay.json");
    std::fs::write(&config, format!(r#"{{ "http_bind": "127.0.0.1:{port}", "tokens": ["{token}"] }}"#))?;
    let log = std::fs::File::create(out.join("relay.log"))?;
    let child = Command::new(bin.join("deskside-relay"))
        .arg("--config")
        .arg(&config)
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()?;
    let url = format!("http://127.0.0.1:{port}");
    wait_for(Duration::from_secs(10), || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok())
        .context("the relay did not start (see target/demo/relay.log)")?;
    Ok((child, url, token))
}

/// The demo's support site: a fresh SQLite file in `out`, its organisation and CSR made with
/// `deskside-site init` as an administrator would, served on loopback. Its address, and the
/// file holding the CSR's password.
fn start_site(bin: &Path, out: &Path) -> Result<(Child, String, PathBuf)> {
    let db = out.join("site.db");
    for f in ["site.db", "site.db-wal", "site.db-shm"] {
        let _ = std::fs::remove_file(out.join(f));
    }
    let password = out.join("site-password.txt");
    std::fs::write(&password, "demo password, not for real use\n")?;
    let database = format!("sqlite://{}", db.display());
    // The address is the organisation's (agents downloaded from the site look codes up there).
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let address = format!("http://127.0.0.1:{port}");
    let init = Command::new(bin.join("deskside-site"))
        .args(["init", "--database", &database, "--organisation", "Deskside Demo"])
        .args(["--site-address", &address, "--admin-email", "sam@demo.example", "--admin-name", "Sam Rivera"])
        .arg("--admin-password-file")
        .arg(&password)
        .output()?;
    anyhow::ensure!(init.status.success(), "deskside-site init: {}", String::from_utf8_lossy(&init.stderr));
    // The agent the customers' page offers: this build's.
    let agents = out.join("agents");
    std::fs::create_dir_all(&agents)?;
    let offered = agents.join("deskside-agent-linux-x86_64");
    let _ = std::fs::remove_file(&offered);
    std::os::unix::fs::symlink(bin.join("deskside-agent"), &offered)?;
    let log = std::fs::File::create(out.join("site.log"))?;
    let child = Command::new(bin.join("deskside-site"))
        .args(["serve", "--database", &database, "--listen", &format!("127.0.0.1:{port}")])
        // Plain HTTP on this machine's loopback only: the pages' cookie cannot be `Secure`.
        .arg("--insecure-cookies")
        .arg("--agents")
        .arg(&agents)
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()?;
    wait_for(Duration::from_secs(10), || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok())
        .context("the site did not start (see target/demo/site.log)")?;
    Ok((child, address, password))
}

/// The agent the site's page offers for `code`, saved in `out` under the name a browser gives
/// it and allowed to run, as a customer would.
fn download_agent(site_url: &str, code: &str, out: &Path) -> Result<PathBuf> {
    let program = out.join(format!("deskside-agent-{code}"));
    let got = Command::new("curl")
        .args(["-fsS", "--noproxy", "*", "-o"])
        .arg(&program)
        .arg(format!("{site_url}/download/linux/{code}"))
        .status()
        .context("cannot run curl")?;
    anyhow::ensure!(got.success(), "the site's page did not give the agent for the code {code}");
    std::fs::set_permissions(&program, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
    Ok(program)
}

pub(crate) fn demo(root: &Path) -> Result<()> {
    deps()?;
    run(Command::new("cargo").args([
        "build",
        "--bin",
        "deskside-console",
        "--bin",
        "deskside-agent",
        "--bin",
        "deskside-relay",
        "--bin",
        "deskside-site",
    ]))?;
    let out = root.join("target/demo");
    std::fs::create_dir_all(&out)?;
    let mut children = Children(Vec::new());
    let real_display = std::env::var("DISPLAY").ok().filter(|d| !d.is_empty());
    let console_display = if let Some(d) = &real_display {
        d.clone()
    } else {
        let (xvfb, d) = virtual_display(CONSOLE_SCREEN).context("cannot start a virtual display for the console")?;
        children.0.push(xvfb);
        d
    };
    let (customer_x, customer) =
        customer_display(real_display.as_deref()).context("cannot start the customer's display")?;
    children.0.push(customer_x);
    // Something on the customer's screen for the CSR to look at and type into.
    let desk = Command::new("xterm")
        .args(["-geometry", "90x24+20+20", "-fa", "DejaVu Sans Mono", "-fs", "11", "-title", "Terminal"])
        .args(["-e", "sh", "-c", "echo 'This is the customer'\"'\"'s computer.'; echo; exec top -d 2"])
        .env("DISPLAY", &customer)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start a terminal on the customer's display")?;
    children.0.push(desk);

    let invite_file = out.join("invite.txt");
    let code_file = out.join("code.txt");
    let _ = std::fs::remove_file(&invite_file);
    let _ = std::fs::remove_file(&code_file);
    let bin = root.join("target/debug");
    let runtime_dir = std::env::temp_dir().join("deskside-xdg-runtime");
    std::fs::create_dir_all(&runtime_dir)?;
    // The team's relay, as a real session has one: the invite names it, and the agent reaches
    // the console through it first (then directly, here on one machine).
    let (relay, relay_url, token) = start_relay(&bin, &out).context("cannot start the demo's relay")?;
    children.0.push(relay);
    // The team's site: the console signs in there, and it gives the invite a 9-digit code.
    let (site, site_url, password) = start_site(&bin, &out).context("cannot start the demo's site")?;
    children.0.push(site);
    let console = Command::new(bin.join("deskside-console"))
        .args(["--start", "--name", "Sam Rivera", "--organisation", "Deskside Demo", "--tracking-code", "DEMO-1"])
        .arg("--invite-file")
        .arg(&invite_file)
        .args(["--relay", &relay_url, "--relay-token", &token])
        .args(["--site", &site_url, "--site-email", "sam@demo.example", "--site-password-file"])
        .arg(&password)
        .arg("--code-file")
        .arg(&code_file)
        .env("DISPLAY", &console_display)
        .env("XDG_RUNTIME_DIR", &runtime_dir)
        .spawn()
        .context("cannot start the console")?;
    let console_at = children.0.len();
    children.0.push(console);
    wait_for(Duration::from_secs(30), || std::fs::metadata(&code_file).is_ok_and(|m| m.len() > 0))
        .context("the console did not get a 9-digit code for its invite from the site")?;
    // The customer types the nine digits the CSR reads out on the site's page and downloads
    // the agent it offers: named with the code and naming the site, so opening it joins.
    let code = std::fs::read_to_string(&code_file)?;
    let code = code.trim();
    let program = download_agent(&site_url, code, &out)?;
    let agent = Command::new(&program)
        .args(["--name", "Demo Customer", "--join-now"])
        .env("DISPLAY", &customer)
        .env("XDG_RUNTIME_DIR", &runtime_dir)
        .spawn()
        .context("cannot start the agent")?;
    children.0.push(agent);
    std::thread::sleep(Duration::from_secs(3));
    // Without a window manager windows open at the top left: the agent goes to the right of
    // the customer's screen, and the customer's computer beside the console, in front.
    let _ = Command::new("xdotool")
        .args(["search", "--name", "^Deskside$", "windowmove", "560", "60"])
        .env("DISPLAY", &customer)
        .status();
    if let Some(d) = &real_display {
        let _ = Command::new("xdotool")
            .args(["search", "--name", "customer's computer", "windowmove", "680", "120", "windowraise"])
            .env("DISPLAY", d)
            .status();
    }
    println!();
    println!("A console (\"Deskside Console\", the support representative's) and an agent (\"Deskside\",");
    println!("on the customer's computer {customer}) are joined in a live session, through the team's relay");
    println!("({relay_url}; its log is target/demo/relay.log). The console signed in to the team's site");
    println!("({site_url}, as sam@demo.example; target/demo/site.log), which gave the invite the code");
    println!("{code}, and vouched for the console: the agent shows \"Verified\". The customer's page");
    println!("({site_url}/) took the code and gave {}, the agent named", program.display());
    println!("with it, which found the site and the session by itself.");
    println!(
        "The site's admin pages (session types, accounts, reports, audit log) are at {site_url}/admin: sign in as"
    );
    println!("sam@demo.example with the password in {}.", password.display());
    println!("In the console click \"Remote control\", then \"View desktop\", then \"Allow\" in the agent:");
    println!("the console shows the customer's screen.");
    let shots = [(console_display.clone(), out.join("screen.png")), (customer.clone(), out.join("customer.png"))];
    if real_display.is_none() {
        println!("There is no display here, so both run on virtual ones. Look at them with:");
        println!("  {}  (the console, {console_display})", shots[0].1.display());
        println!("  {}  (the customer's computer, {customer})", shots[1].1.display());
        println!("refreshed every 2 seconds, or drive them with: DISPLAY=... xdotool ...");
    } else {
        println!("The customer's computer is the window \"The customer's computer (Deskside demo)\".");
    }
    println!("Close the console window or press Ctrl+C to stop.");
    loop {
        if real_display.is_none() {
            for (display, path) in &shots {
                screenshot(display, path);
            }
        }
        std::thread::sleep(Duration::from_secs(2));
        // The demo ends when the console window is closed.
        if children.0.get_mut(console_at).is_some_and(|c| c.try_wait().ok().flatten().is_some()) {
            return Ok(());
        }
    }
}
