//! `deskside-relay --config FILE`: runs the support team's relay until interrupted.

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .json()
        .init();
    let mut config = None;
    let mut args = lexopt::Parser::from_env();
    while let Ok(Some(arg)) = args.next() {
        match arg {
            lexopt::Arg::Long("config") => config = args.value().ok().map(std::path::PathBuf::from),
            lexopt::Arg::Long("help") | lexopt::Arg::Short('h') => {
                println!("deskside-relay --config FILE\n\nRuns the support team's relay; see docs/INSTALLING.md.");
                return std::process::ExitCode::SUCCESS;
            }
            other => {
                eprintln!("deskside-relay: unexpected {other:?}; try --help");
                return std::process::ExitCode::from(2);
            }
        }
    }
    let Some(path) = config else {
        eprintln!("deskside-relay: say which config file: --config FILE");
        return std::process::ExitCode::from(2);
    };
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
