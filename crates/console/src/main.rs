//! `deskside-console`: starts the CSR's window.

use anyhow::Context as _;
use deskside_console::settings::{SessionType, Settings};
use deskside_console::{ConsoleApp, ConsoleConfig, cli};

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    // --help and --version print to standard output and exit 0; a wrong option says why and
    // exits 2.
    let args = cli::parse(std::env::args_os().skip(1)).unwrap_or_else(|e| e.exit());
    if let Some(why) = args.relay_problem() {
        eprintln!("deskside-console: {why}\n\nFor more information, try '--help'.");
        std::process::exit(2);
    }
    if let Some(path) = &args.relay_ca {
        let pem = std::fs::read(path).with_context(|| format!("--relay-ca {}: cannot read it", path.display()))?;
        deskside_net::transport::trust_relay_certificates(&pem)
            .map_err(|why| anyhow::anyhow!("--relay-ca {}: {why}", path.display()))?;
    }
    let dirs = directories::ProjectDirs::from("org", "Deskside", "Deskside").context("no home directory")?;
    let identity = deskside_net::Identity::load_or_create(dirs.config_dir())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("deskside-net")
        .enable_all()
        .build()
        .context("cannot start the network runtime")?;
    // Settings that cannot be read are said in the window; the console runs on defaults.
    let settings_path = dirs.config_dir().join("settings.json");
    let (mut settings, settings_problem) = match Settings::load(&settings_path) {
        Ok(Some(s)) => (s, None),
        Ok(None) => (Settings { display_name: whoami(), ..Settings::default() }, None),
        Err(e) => (Settings { display_name: whoami(), ..Settings::default() }, Some(e.to_string())),
    };
    if let Some(t) = &args.session_type
        && settings.session_type(t).is_none()
    {
        settings.session_types.insert(0, SessionType::new(t, false));
    }
    // Every session is kept in the user's data directory; without it the console still works
    // and says why in its window.
    let history_path = dirs.data_dir().join("history.sqlite3");
    let history =
        deskside_history::History::open(&history_path, deskside_net::now_ms()).map_err(|e| e.to_string()).and_then(
            |h| deskside_history::Recorder::spawn(h).map_err(|e| format!("The session history cannot be kept: {e}")),
        );
    let mut app = ConsoleApp::new(ConsoleConfig {
        identity,
        settings,
        settings_path: Some(settings_path),
        site_path: Some(dirs.config_dir().join("site-sign-in.json")),
        settings_problem,
        system_lang: deskside_i18n::Lang::system(),
        port: args.port,
        relays: args.relay.clone().map(|url| deskside_net::transport::Relays {
            urls: vec![url],
            token: args.relay_token.clone().unwrap_or_default(),
            roots: Vec::new(),
        }),
        utc_offset_s: chrono::Local::now().offset().local_minus_utc(),
        invite_file: args.invite_file.clone(),
        runtime: runtime.handle().clone(),
        history,
        history_path: Some(history_path),
        export_dir: directories::UserDirs::new()
            .and_then(|u| u.document_dir().map(|d| d.join("Deskside")))
            .unwrap_or_else(|| dirs.data_dir().join("exports")),
        open_url: deskside_console::app::system_opener(),
    });
    if let deskside_console::app::Screen::Start(form) = &mut app.screen {
        // The command line fills this run's form; the saved settings stay as they are.
        if let Some(n) = args.name {
            form.csr_name = n;
        }
        if let Some(o) = args.organisation {
            form.organisation = o;
        }
        if let Some(t) = args.session_type {
            form.session_type = t;
        }
        form.tracking_code = args.tracking_code.unwrap_or_default();
    }
    if let Some(site) = &args.site {
        app.site = deskside_console::site::SiteAccount::new(site, None, deskside_net::now_ms() / 1000);
        anyhow::ensure!(app.site.is_some(), "--site {site}: not an https:// (or http://) address");
    }
    if let Some(email) = &args.site_email {
        let path = args.site_password_file.as_ref().context("--site-email needs --site-password-file")?;
        let password = std::fs::read_to_string(path)
            .with_context(|| format!("--site-password-file {}: cannot read it", path.display()))?;
        let site = app.site.as_mut().context("--site-email needs a site: --site URL, or one in the settings")?;
        email.clone_into(&mut site.email);
        password.lines().next().unwrap_or_default().clone_into(&mut site.password);
        site.sign_in(runtime.handle());
    }
    app.code_file.clone_from(&args.code_file);
    if args.start {
        app.start_when_shown();
    }
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_title("Deskside Console").with_inner_size([1200.0, 760.0]),
        ..Default::default()
    };
    eframe::run_native("Deskside Console", options, Box::new(|_cc| Ok(Box::new(app))))
        .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}

fn whoami() -> String {
    std::env::var("USER").unwrap_or_else(|_| "Support".into())
}
