//! `deskside-agent`: starts the customer's window.

use std::sync::Arc;

use anyhow::Context as _;
use deskside_agent::engine::AgentOptions;
use deskside_agent::{AgentApp, cli};
use deskside_platform::SyntheticSource;

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let program = std::env::args().next();
    // --help and --version print to standard output and exit 0; a wrong option says why and
    // exits 2.
    let args = cli::parse(program.as_deref(), std::env::args_os().skip(1)).unwrap_or_else(|e| e.exit());
    if args.register_links {
        return register_links();
    }
    if let Some(path) = &args.relay_ca {
        let pem = std::fs::read(path).with_context(|| format!("--relay-ca {}: cannot read it", path.display()))?;
        deskside_net::transport::trust_relay_certificates(&pem)
            .map_err(|why| anyhow::anyhow!("--relay-ca {}: {why}", path.display()))?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("deskside-net")
        .enable_all()
        .build()
        .context("cannot start the network runtime")?;
    let screen: deskside_agent::engine::ScreenFactory = if args.synthetic_screen {
        let demo = SyntheticSource::new(1024, 640, |x, y| {
            let band = ((x / 64 + y / 64) % 2) as u8;
            [(x / 4) as u8, (y / 3) as u8, 120 + band * 60, 0]
        });
        Arc::new(move || Ok(Box::new(demo.clone())))
    } else {
        Arc::new(deskside_platform::primary_screen)
    };
    let options = AgentOptions { screen, ..AgentOptions::this_machine("") };
    let mut app = AgentApp::new(
        args.invite.unwrap_or_default(),
        args.name.unwrap_or_else(full_name),
        options,
        runtime.handle().clone(),
        chrono::Local::now().offset().local_minus_utc(),
    );
    // "What was shared" stays on this machine, in the user's data directory.
    app.log_path =
        directories::ProjectDirs::from("org", "Deskside", "Deskside").map(|d| d.data_dir().join("shared.log"));
    // Downloaded from the team's site, the program names that site at its end.
    let site = args.site.clone().or_else(|| std::env::current_exe().ok().and_then(|p| cli::site_in_program(&p)));
    if let Some(site) = &site {
        app.site = Some(
            deskside_net::site::SiteClient::new(site, &[])
                .map_err(|_| anyhow::anyhow!("{site}: not a site address (https://support.example)"))?,
        );
    }
    if args.join_now {
        app.join_when_shown();
    }
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_title("Deskside").with_inner_size([460.0, 560.0]),
        ..Default::default()
    };
    eframe::run_native("Deskside", options, Box::new(|_cc| Ok(Box::new(app))))
        .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}

/// Makes `deskside://` links open this program for this user.
fn register_links() -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("cannot tell where this program is")?;
    let place = deskside_platform::links::register_for_user(&exe)
        .map_err(|why| anyhow::anyhow!("deskside:// links could not be registered: {why}"))?;
    println!("deskside:// links now open {} ({place})", exe.display());
    Ok(())
}

/// The OS user's full name where the system knows it, else the login name.
fn full_name() -> String {
    // Windows names the user in USERNAME; its full name needs the directory service, which a
    // home computer does not have, so the login name it is.
    let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_default();
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|p| {
            p.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.first() == Some(&user.as_str()))
                    .then(|| f.get(4).map(|g| g.split(',').next().unwrap_or("").to_owned()))?
            })
        })
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(user)
}
