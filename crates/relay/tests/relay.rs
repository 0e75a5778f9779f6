//! The team's relay on loopback, with real endpoints: a customer whose invite names only the
//! relay (no address of the host) joins through it; the session goes on when the relay goes
//! away once a direct path exists; with the relay down, a customer joins directly; an invite
//! with a token the relay does not know is refused, and the customer is told the relay refused
//! it; a config without tokens or with a guessable one does not start.
#![allow(clippy::unwrap_used, missing_docs)]

use deskside_net::host::HostCommand;
use deskside_net::transport::Relays;
use deskside_net::{JoinError, now_ms};
use deskside_proto::{AppKind, ChatTarget, InviteRole, ToGuest};

mod common;

use common::{TOKEN, host_via};

async fn relay() -> deskside_relay::Running {
    let cfg = deskside_relay::Config {
        http_bind: "127.0.0.1:0".parse().unwrap(),
        tls: None,
        acme: None,
        tokens: vec![TOKEN.into()],
        limits: deskside_relay::LimitsFile::default(),
    };
    deskside_relay::start(&cfg).await.unwrap()
}

/// A console hosting through the relay at `url`, with the team's token.
fn host_through(url: &str) -> deskside_net::HostHandle {
    host_via(Relays { urls: vec![url.to_owned()], token: TOKEN.into(), roots: Vec::new() })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_whose_invite_names_only_the_relay_joins_through_it() {
    let relay = relay().await;
    let url = relay.url("127.0.0.1").unwrap();
    let host = host_through(&url);
    let mut invite = host.invite(InviteRole::Customer, 600_000).unwrap();
    assert_eq!((invite.host.relays.clone(), invite.host.relay_token.as_str()), (vec![url], TOKEN));
    // No address of the host: the relay is the only way there.
    invite.host.addrs.clear();
    let mut link = deskside_net::guest::join(&invite, "Ana", AppKind::Agent, now_ms() / 1000).await.unwrap();
    assert_eq!(link.welcome.csr_name, "Sam Rivera");
    host.send(HostCommand::Chat { to: ChatTarget::Everyone, text: "through the relay".into() }).unwrap();
    let heard = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        loop {
            let msg: ToGuest =
                deskside_net::framed::read_msg(&mut link.recv, deskside_proto::MAX_CONTROL_MSG_BYTES).await.unwrap();
            if let ToGuest::Chat(line) = msg {
                return line.text;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(heard, "through the relay");
    relay.shutdown().await;
}

/// The next chat line `link` hears.
async fn heard(link: &mut deskside_net::GuestLink) -> String {
    tokio::time::timeout(std::time::Duration::from_secs(20), async {
        loop {
            let msg: ToGuest =
                deskside_net::framed::read_msg(&mut link.recv, deskside_proto::MAX_CONTROL_MSG_BYTES).await.unwrap();
            if let ToGuest::Chat(line) = msg {
                return line.text;
            }
        }
    })
    .await
    .unwrap()
}

/// Whether `conn`'s path in use is direct.
fn direct(conn: &iroh::endpoint::Connection) -> bool {
    conn.paths().iter().any(|p| p.is_selected() && p.is_ip())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_goes_on_when_the_relay_goes_away_once_a_direct_path_exists() {
    let relay = relay().await;
    let mut host = host_through(&relay.url("127.0.0.1").unwrap());
    let mut invite = host.invite(InviteRole::Customer, 600_000).unwrap();
    invite.host.addrs.clear();
    let mut link = deskside_net::guest::join(&invite, "Ana", AppKind::Agent, now_ms() / 1000).await.unwrap();
    let ana = link.welcome.you;
    // Through the relay first; the endpoints find the direct path (here, loopback) by themselves,
    // and both sides use it: the customer's, and the host's as its link report says.
    let both_direct = async {
        while !direct(&link.conn) {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        loop {
            if let Some(deskside_net::HostEvent::Quality(list)) = host.next_event().await
                && list.iter().any(|q| q.participant == ana && !q.relayed)
            {
                return;
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(20), both_direct).await.expect("the link never turned direct");
    relay.shutdown().await;
    host.send(HostCommand::Chat { to: ChatTarget::Everyone, text: "the relay is gone".into() }).unwrap();
    assert_eq!(heard(&mut link).await, "the relay is gone");
    assert!(link.conn.close_reason().is_none(), "still one connection");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_relay_down_a_customer_joins_on_a_direct_address() {
    let relay = relay().await;
    let host = host_through(&relay.url("127.0.0.1").unwrap());
    relay.shutdown().await;
    let invite = host.invite(InviteRole::Customer, 600_000).unwrap();
    assert!(!invite.host.addrs.is_empty() && !invite.host.relays.is_empty());
    let mut link = deskside_net::guest::join(&invite, "Ana", AppKind::Agent, now_ms() / 1000).await.unwrap();
    host.send(HostCommand::Chat { to: ChatTarget::Everyone, text: "directly".into() }).unwrap();
    assert_eq!(heard(&mut link).await, "directly");
    assert!(direct(&link.conn));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invite_with_a_token_the_relay_does_not_know_is_refused_in_words() {
    let relay = relay().await;
    let url = relay.url("127.0.0.1").unwrap();
    let host = host_through(&url);
    let mut invite = host.invite(InviteRole::Customer, 600_000).unwrap();
    invite.host.addrs.clear();
    invite.host.relay_token = "somebody-elses-token-123".into();
    let err = deskside_net::guest::join(&invite, "Ana", AppKind::Agent, now_ms() / 1000).await.err().unwrap();
    assert_eq!(err, JoinError::RelayRefused);
    assert!(err.to_string().contains("relay refused"), "{err}");
    relay.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_whose_token_the_relay_refuses_hears_it() {
    let relay = relay().await;
    let url = relay.url("127.0.0.1").unwrap();
    let mut host = host_via(Relays { urls: vec![url], token: "not-this-teams-token-000".into(), roots: Vec::new() });
    // Said as soon as the relay says it, among the session's other events.
    let said = tokio::time::timeout(std::time::Duration::from_secs(15), async {
        while let Some(ev) = host.next_event().await {
            if ev == deskside_net::HostEvent::RelayRefused {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(said, Ok(true), "the console hears its relay refused its token");
    relay.shutdown().await;
}

#[test]
fn a_config_without_a_usable_token_does_not_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relay.json");
    std::fs::write(&path, r#"{ "http_bind": "127.0.0.1:0", "tokens": [] }"#).unwrap();
    let err = deskside_relay::Config::load(&path).unwrap_err().to_string();
    assert!(err.contains("no token"), "{err}");
    std::fs::write(&path, r#"{ "http_bind": "127.0.0.1:0", "tokens": ["short"] }"#).unwrap();
    let err = deskside_relay::Config::load(&path).unwrap_err().to_string();
    assert!(err.contains("not usable"), "{err}");
    std::fs::write(&path, r#"{ "http_bind": "127.0.0.1:0", "tokens": ["acme-support-7Gf2kQ9xLm4Rt8Wz"], "extra": 1 }"#)
        .unwrap();
    let err = deskside_relay::Config::load(&path).unwrap_err().to_string();
    assert!(err.contains("unknown field"), "{err}");
    std::fs::write(&path, r#"{ "http_bind": "127.0.0.1:0", "tokens": ["acme-support-7Gf2kQ9xLm4Rt8Wz"] }"#).unwrap();
    assert_eq!(deskside_relay::Config::load(&path).unwrap().tokens.len(), 1);
}

#[test]
fn an_acme_config_must_say_names_and_a_contact_and_not_also_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relay.json");
    let acme = |domains: &str, contact: &str| {
        format!(
            r#""acme": {{ "https_bind": "0.0.0.0:443", "quic_bind": "0.0.0.0:7842", "domains": {domains},
               "contact": "{contact}", "cache_dir": "/var/lib/deskside-relay/acme" }}"#
        )
    };
    let load = |body: String| {
        std::fs::write(
            &path,
            format!(r#"{{ "http_bind": "0.0.0.0:80", "tokens": ["acme-support-7Gf2kQ9xLm4Rt8Wz"], {body} }}"#),
        )
        .unwrap();
        deskside_relay::Config::load(&path).map_err(|e| e.to_string())
    };
    let good = load(acme(r#"["relay.acme.example"]"#, "ops@acme.example")).unwrap();
    let a = good.acme.unwrap();
    assert_eq!((a.domains, a.directory), (vec!["relay.acme.example".to_owned()], None), "Let's Encrypt by default");
    assert!(load(acme("[]", "ops@acme.example")).unwrap_err().contains("needs the relay's names"));
    assert!(load(acme(r#"["203.0.113.1"]"#, "ops@acme.example")).unwrap_err().contains("not a host name"));
    assert!(load(acme(r#"["-bad-.example"]"#, "ops@acme.example")).unwrap_err().contains("not a host name"));
    assert!(load(acme(r#"["relay.acme.example"]"#, "nobody")).unwrap_err().contains("not an e-mail address"));
    let both = format!(
        r#"{}, "tls": {{ "https_bind": "0.0.0.0:443", "quic_bind": "0.0.0.0:7842", "cert_chain": "/c", "key": "/k" }}"#,
        acme(r#"["relay.acme.example"]"#, "ops@acme.example")
    );
    assert!(load(both).unwrap_err().contains("keep one"));
}

/// The program answers `--help` and `--version` the way the ecosystem expects: on standard
/// output, exit 0; an unknown option says why on standard error and exits 2.
#[test]
fn help_and_version_are_answered_like_any_program() {
    let run = |arg: &str| std::process::Command::new(env!("CARGO_BIN_EXE_deskside-relay")).arg(arg).output().unwrap();
    let help = run("--help");
    assert_eq!(help.status.code(), Some(0), "{}", String::from_utf8_lossy(&help.stderr));
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("Usage: deskside-relay") && text.contains("--version"), "{text}");
    let version = run("--version");
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), concat!("deskside-relay ", env!("CARGO_PKG_VERSION")));
    let wrong = run("--no-such-option");
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("--no-such-option"));
}
