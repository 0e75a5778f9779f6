//! `deskside-site`: `init` makes a fresh site's organisation and first administrator; `serve`
//! runs the site until interrupted; `keys` lists and rotates the organisation's signing keys.
//! See docs/INSTALLING.md.

use std::io::BufRead;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "deskside-site", version, about = "The support team's Deskside site.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Makes the organisation, its signing key and the first administrator (once).
    Init {
        #[arg(long, help = "The database: sqlite:///var/lib/deskside-site/site.db or postgres://user@host/db")]
        database: String,
        /// The organisation's name as customers will see it.
        #[arg(long)]
        organisation: String,
        #[arg(long, help = "The site's public address, https://support.example")]
        site_address: String,
        /// The first administrator's e-mail address.
        #[arg(long)]
        admin_email: String,
        /// Their name as customers will see it.
        #[arg(long)]
        admin_name: String,
        /// A file holding their password (first line); without it, the password is read from
        /// standard input.
        #[arg(long)]
        admin_password_file: Option<PathBuf>,
    },
    /// Serves the site.
    Serve {
        /// The database, as for init.
        #[arg(long)]
        database: String,
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// A reverse proxy of the site's own (repeat for several), whose X-Forwarded-For names
        /// the client; without it, a site behind a proxy counts every guess against the proxy.
        #[arg(long = "trusted-proxy")]
        trusted_proxies: Vec<std::net::IpAddr>,
        /// The pages' sign-in cookie without `Secure`, for a site reached over plain HTTP on
        /// this machine only (a lab, the demo); never for a site people reach.
        #[arg(long)]
        insecure_cookies: bool,
        /// The folder of the agent programs the customers' code page offers for download
        /// (deskside-agent-linux-x86_64, deskside-agent-windows-x86_64.exe); without it the page
        /// only opens an agent already installed.
        #[arg(long)]
        agents: Option<std::path::PathBuf>,
        /// The site's certificate chain (PEM), to serve HTTPS itself; with --tls-key.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<std::path::PathBuf>,
        /// The certificate's private key (PEM).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<std::path::PathBuf>,
    },
    /// Lists or rotates the organisation's signing keys.
    Keys {
        /// The database, as for init.
        #[arg(long)]
        database: String,
        #[command(subcommand)]
        action: KeyAction,
    },
}

#[derive(Subcommand)]
enum KeyAction {
    /// Lists the keys: the one signing now, the next one, retired ones.
    List,
    /// Publishes a next key (step one of a rotation): agents trust it from now on, it signs
    /// nothing yet.
    PublishNext,
    /// The next key signs from now on (step two, an hour or more after step one); the current
    /// one is retired and stays published until its certificates have expired.
    Promote,
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .json()
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("deskside-site: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli.command)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("deskside-site: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Init { database, organisation, site_address, admin_email, admin_name, admin_password_file } => {
            let admin_password = if let Some(path) = admin_password_file {
                std::fs::read_to_string(&path)?.lines().next().unwrap_or_default().to_owned()
            } else {
                eprintln!(
                    "The administrator's password (at least {} characters):",
                    deskside_site::secret::MIN_PASSWORD_CHARS
                );
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                line.trim_end_matches(['\r', '\n']).to_owned()
            };
            let store = deskside_site::store::Store::open(&database).await?;
            let init = deskside_site::Init { organisation, site_address, admin_email, admin_name, admin_password };
            deskside_site::init(&store, &init, (deskside_site::system_clock())()).await?;
            println!("The site is ready: sign in as {} and add your team.", init.admin_email);
            Ok(())
        }
        Command::Serve { database, listen, trusted_proxies, insecure_cookies, agents, tls_cert, tls_key } => {
            let store = deskside_site::store::Store::open(&database).await?;
            if store.organisation().await?.is_none() {
                anyhow::bail!("this site has no organisation yet: run deskside-site init first");
            }
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(deskside_site::tls::config(&cert, &key)?),
                _ => None,
            };
            let options =
                deskside_site::ServeOptions { trusted_proxies, secure_cookies: !insecure_cookies, agents, tls };
            let running = deskside_site::start_with(store, listen, deskside_site::system_clock(), options).await?;
            tracing::info!(addr = %running.addr, "serving");
            tokio::signal::ctrl_c().await?;
            tracing::info!("shutting down");
            running.shutdown().await?;
            Ok(())
        }
        Command::Keys { database, action } => {
            let store = deskside_site::store::Store::open(&database).await?;
            let now = (deskside_site::system_clock())();
            match action {
                KeyAction::List => {
                    for k in store.keys().await? {
                        let retired = k.retired_s.map(|s| format!(", retired at {s}")).unwrap_or_default();
                        println!("{}  {:?}, made at {}{retired}", hex::encode(k.public), k.state, k.created_s);
                    }
                }
                KeyAction::PublishNext => {
                    let public = deskside_site::publish_next_key(&store, now).await?;
                    println!("Published the next key {}. Promote it in an hour or more.", hex::encode(public));
                }
                KeyAction::Promote => {
                    store.promote_next_key(None, now).await?;
                    println!("The next key signs from now on; the previous one is retired.");
                }
            }
            Ok(())
        }
    }
}
