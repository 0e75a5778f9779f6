//! `deskside-relay --config FILE`: runs the support team's relay until interrupted.

/// The relay's command line.
#[derive(clap::Parser)]
#[command(
    name = "deskside-relay",
    version,
    about = "The support team's Deskside relay: customers behind any router reach the consoles through it.",
    after_help = "The config file is described in docs/INSTALLING.md."
)]
struct Args {
    /// The relay's config file (TOML).
    #[arg(long, value_name = "FILE")]
    config: std::path::PathBuf,
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .json()
        .init();
    // --help and --version print to standard output and exit 0; a wrong option says why and
    // exits 2.
    let path = <Args as clap::Parser>::parse().config;
    let cfg = match deskside_relay::Config::load(&path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("deskside-relay: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("deskside-relay: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    rt.block_on(async {
        let mut relay = match deskside_relay::start(&cfg).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("deskside-relay: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = relay.join() => {}
        }
        relay.shutdown().await;
        std::process::ExitCode::SUCCESS
    })
}
