//! The site client against a real `deskside-site` on loopback (SQLite), and against a hostile
//! server that answers too much or an invite that is not one.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;

use deskside_net::site::{SiteClient, SiteError};
use deskside_proto::site::ShortCode;
use deskside_proto::{HostAddr, Invite, InviteRole, SessionId};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PASSWORD: &str = "a long and good password";

fn invite(expires: u64) -> Invite {
    Invite {
        host: HostAddr {
            id: [5; 32],
            relays: vec![],
            relay_token: String::new(),
            addrs: vec![SocketAddr::from(([192, 0, 2, 7], 4433))],
        },
        session: SessionId([1; 16]),
        role: InviteRole::Customer,
        secret: [2; 16],
        expires_unix_s: expires,
    }
}

async fn site(dir: &tempfile::TempDir) -> deskside_site::Running {
    let url = format!("sqlite://{}", dir.path().join("site.db").display());
    let store = deskside_site::store::Store::open(&url).await.unwrap();
    let init = deskside_site::Init {
        organisation: "Acme Support".into(),
        site_address: "https://support.acme.example".into(),
        admin_email: "sam@acme.example".into(),
        admin_name: "Sam Rivera".into(),
        admin_password: PASSWORD.into(),
    };
    let clock = deskside_site::system_clock();
    deskside_site::init(&store, &init, clock()).await.unwrap();
    deskside_site::start(store, "127.0.0.1:0".parse().unwrap(), clock).await.unwrap()
}

#[tokio::test]
async fn a_console_gets_a_code_and_an_agent_resolves_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let running = site(&dir).await;
    let client = SiteClient::new(&format!("http://{}/", running.addr), &[]).unwrap();
    assert_eq!(client.sign_in("sam@acme.example", "not the password").await.unwrap_err(), SiteError::WrongPassword);
    let signed = client.sign_in("sam@acme.example", PASSWORD).await.unwrap();
    assert_eq!((signed.display_name.as_str(), signed.organisation.as_str()), ("Sam Rivera", "Acme Support"));
    let now = deskside_site::system_clock()();
    let inv = invite(now + 600);
    let (code, shown) = client.new_code(&signed.token, &inv).await.unwrap();
    assert_eq!(shown.display, code.to_string());
    let (got, trust) = client.resolve(code).await.unwrap();
    assert_eq!(got, inv);
    assert_eq!(trust.site, running.addr.to_string());
    assert_eq!(trust, client.keys().await.unwrap());
    assert_eq!(trust.keys.len(), 1);
    assert_eq!(client.resolve(code).await.unwrap_err(), SiteError::UnknownCode);
    // The console's certificate for a session type, which the agent believes with those keys.
    let types = client.session_types(&signed.token).await.unwrap();
    assert_eq!(types.len(), 1);
    assert_eq!(types[0].tool_set(), deskside_proto::cert::Tools::ALL);
    let (cert, expires) = client.certificate(&signed.token, &[5; 32], types[0].id).await.unwrap();
    assert!(expires > now);
    let body = cert.verify(&trust.keys, &[5; 32], now).unwrap();
    assert_eq!((body.csr_name.as_str(), body.session_type.as_str()), ("Sam Rivera", "Remote support"));
    for i in 0..9 {
        let wrong = ShortCode::from_random(u64::from(code.digits().parse::<u32>().unwrap()) + 1 + i);
        assert_eq!(client.resolve(wrong).await.unwrap_err(), SiteError::UnknownCode);
    }
    assert!(matches!(client.resolve(code).await.unwrap_err(), SiteError::TooManyAttempts(s) if s > 0 && s <= 600));
    client.sign_out(&signed.token).await.unwrap();
    assert_eq!(client.new_code(&signed.token, &inv).await.unwrap_err(), SiteError::NotSignedIn);
    running.shutdown().await.unwrap();
    assert!(matches!(client.resolve(code).await.unwrap_err(), SiteError::Unreachable(_)));
}

#[test]
fn only_site_addresses_are_taken() {
    for bad in [
        "",
        "support.acme.example",
        "ftp://support.acme.example",
        "https://",
        "https://a b",
        "https://x/../y",
        "https://user@evil.example",
    ] {
        assert_eq!(SiteClient::new(bad, &[]).unwrap_err(), SiteError::Address, "{bad:?}");
    }
    assert_eq!(SiteClient::new(&format!("https://{}", "a".repeat(300)), &[]).unwrap_err(), SiteError::Address);
    assert_eq!(
        SiteClient::new("https://support.acme.example/", &[]).unwrap().address(),
        "https://support.acme.example"
    );
}

/// A server that answers every request with `answer`, once per connection.
async fn hostile(answer: Vec<u8>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let _ = s.write_all(&answer).await;
            });
        }
    });
    addr
}

fn http(status: &str, body: &[u8]) -> Vec<u8> {
    let mut v =
        format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len()).into_bytes();
    v.extend_from_slice(body);
    v
}

async fn client_of(answer: Vec<u8>) -> SiteClient {
    SiteClient::new(&format!("http://{}", hostile(answer).await), &[]).unwrap()
}

#[tokio::test]
async fn a_hostile_site_is_refused() {
    let code = ShortCode::parse("123456789").unwrap();
    // A megabyte answer is not read to its end.
    let big = format!("{{\"invite\":\"{}\"}}", "A".repeat(1 << 20));
    assert_eq!(client_of(http("200 OK", big.as_bytes())).await.resolve(code).await.unwrap_err(), SiteError::BadAnswer);
    // An invite that is not one, and garbage.
    let not_invite = http("200 OK", br#"{"invite":"deskside://join/NOT-AN-INVITE","keys":[]}"#);
    assert_eq!(client_of(not_invite).await.resolve(code).await.unwrap_err(), SiteError::BadAnswer);
    let garbage = http("200 OK", b"\x00\xff not json");
    assert_eq!(client_of(garbage).await.resolve(code).await.unwrap_err(), SiteError::BadAnswer);
    // A refusal with a long message of control characters is cut short.
    let long = format!("{{\"error\":\"weird\",\"message\":\"{}\"}}", "\\u0007".repeat(5000));
    let SiteError::Refused(m) =
        client_of(http("400 Bad Request", long.as_bytes())).await.resolve(code).await.unwrap_err()
    else {
        panic!("a refusal")
    };
    assert!(m.chars().count() <= 200);
    // A flood of keys is cut to the most an agent trusts, and malformed ones are left out.
    let many: Vec<String> =
        (0..1000).map(|i| if i % 2 == 0 { hex::encode([i as u8; 32]) } else { "zz".into() }).collect();
    let keys = serde_json::json!({"organisation": "Acme Support", "keys": many}).to_string();
    let trust = client_of(http("200 OK", keys.as_bytes())).await.keys().await.unwrap();
    assert!(trust.keys.len() <= deskside_proto::cert::MAX_KEYS);
    // A certificate that is not one is not taken.
    let odd = br#"{"certificate":"00ff","expires_unix_s":1}"#;
    let client = client_of(http("200 OK", odd)).await;
    assert_eq!(client.certificate(&"a".repeat(64), &[5; 32], 1).await.unwrap_err(), SiteError::BadAnswer);
    // A token of the wrong shape is not taken.
    let odd = br#"{"token":"short","expires_unix_s":1,"display_name":"x","organisation":"y","site_address":"z"}"#;
    assert_eq!(client_of(http("200 OK", odd)).await.sign_in("a@b", "c").await.unwrap_err(), SiteError::BadAnswer);
}
