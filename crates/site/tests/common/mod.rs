//! What the site's tests share: a real PostgreSQL server (`deskside_lab::postgres`, in a
//! temporary folder, stopped when dropped), a database per test on either store, a clock the
//! test moves, and a site on loopback.

#![allow(dead_code, clippy::unwrap_used, clippy::missing_panics_doc)]

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub mod browser;

pub use deskside_lab::postgres::Postgres;
use deskside_proto::report::{ChatRecord, ConsentRecord, FileRecord, ParticipantRecord, Report, ReportOutcome};
use deskside_site::store::Store;
use serde_json::{Value, json};

/// Where a test's site keeps its data.
pub enum Db<'a> {
    /// A new SQLite file.
    Sqlite(tempfile::TempDir),
    /// A new database on the shared server.
    Postgres(&'a Postgres, String),
}

impl<'a> Db<'a> {
    /// A fresh database of the kind `pg` says (`None`: SQLite).
    pub fn new(pg: Option<&'a Postgres>) -> Db<'a> {
        match pg {
            None => Db::Sqlite(tempfile::tempdir().unwrap()),
            Some(pg) => Db::Postgres(pg, pg.database().unwrap()),
        }
    }

    /// Its address.
    pub fn url(&self) -> String {
        match self {
            Db::Sqlite(dir) => format!("sqlite://{}", dir.path().join("site.db").display()),
            Db::Postgres(_, url) => url.clone(),
        }
    }
}

/// A clock the test sets.
#[derive(Clone)]
pub struct TestClock(pub Arc<AtomicU64>);

impl TestClock {
    /// At a fixed, realistic time.
    pub fn new() -> TestClock {
        TestClock(Arc::new(AtomicU64::new(1_800_000_000)))
    }
    /// Now.
    pub fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
    /// Moves on by `s` seconds.
    pub fn advance(&self, s: u64) {
        self.0.fetch_add(s, Ordering::SeqCst);
    }
    /// For the site.
    pub fn clock(&self) -> deskside_site::Clock {
        let t = self.0.clone();
        Arc::new(move || t.load(Ordering::SeqCst))
    }
}

/// The administrator every test site starts with.
pub const ADMIN: &str = "sam@acme.example";
/// Their password.
pub const PASSWORD: &str = "a long and good password";

/// A site with its organisation made, serving on loopback.
pub struct Site {
    /// The running server.
    pub running: deskside_site::Running,
    /// Its store (for the test to look in).
    pub store: Store,
    /// Its clock.
    pub clock: TestClock,
}

/// Opens `url`, initialises it (once per database) and serves it.
pub async fn site(url: &str, clock: &TestClock) -> Site {
    site_behind(url, clock, Vec::new()).await
}

/// The same, behind reverse proxies at `proxies`.
pub async fn site_behind(url: &str, clock: &TestClock, proxies: Vec<IpAddr>) -> Site {
    serve(
        url,
        clock,
        deskside_site::ServeOptions { trusted_proxies: proxies, ..deskside_site::ServeOptions::default() },
    )
    .await
}

/// A site whose pages' cookie is `Secure` or not (plain HTTP on loopback, for a browser).
pub async fn site_with(url: &str, clock: &TestClock, secure_cookies: bool) -> Site {
    serve(url, clock, deskside_site::ServeOptions { secure_cookies, ..deskside_site::ServeOptions::default() }).await
}

/// Opens `url`, initialises it (once per database) and serves it with `options`.
pub async fn serve(url: &str, clock: &TestClock, options: deskside_site::ServeOptions) -> Site {
    let store = Store::open(url).await.unwrap();
    if store.organisation().await.unwrap().is_none() {
        let init = deskside_site::Init {
            organisation: "Acme Support".into(),
            site_address: "https://support.acme.example".into(),
            admin_email: ADMIN.into(),
            admin_name: "Sam Rivera".into(),
            admin_password: PASSWORD.into(),
        };
        deskside_site::init(&store, &init, clock.now()).await.unwrap();
    }
    let running =
        deskside_site::start_with(store.clone(), "127.0.0.1:0".parse().unwrap(), clock.clock(), options).await.unwrap();
    Site { running, store, clock: clock.clone() }
}

impl Site {
    /// The address of `path` on this site.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.running.addr)
    }
}

/// An HTTP client whose connections come from `from` (any 127.x.y.z is this machine).
pub fn client_from(from: IpAddr) -> reqwest::Client {
    // Plain HTTP here, but reqwest builds its TLS side anyway and needs a provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().local_address(from).no_proxy().build().unwrap()
}

/// A client from 127.0.0.1.
pub fn client() -> reqwest::Client {
    client_from(IpAddr::from([127, 0, 0, 1]))
}

/// A valid invite's text code, expiring at `expires`.
pub fn invite_code(expires: u64) -> String {
    deskside_proto::invite::Invite {
        host: deskside_proto::invite::HostAddr {
            id: [7; 32],
            relays: vec!["https://relay.acme.example".into()],
            relay_token: "team-relay-token-0123".into(),
            addrs: vec![SocketAddr::from(([192, 0, 2, 1], 4433))],
        },
        session: deskside_proto::SessionId([3; 16]),
        role: deskside_proto::InviteRole::Customer,
        secret: [9; 16],
        expires_unix_s: expires,
    }
    .to_code()
}

/// Signs in as `email` with `password`.
pub async fn sign_in(c: &reqwest::Client, s: &Site, email: &str, password: &str) -> reqwest::Response {
    c.post(s.url("/api/v1/sign-in")).json(&json!({"email": email, "password": password})).send().await.unwrap()
}

/// The admin's token (signed in, checked).
pub async fn token(s: &Site) -> String {
    let r = sign_in(&client(), s, ADMIN, PASSWORD).await;
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["display_name"], "Sam Rivera");
    assert_eq!(v["organisation"], "Acme Support");
    v["token"].as_str().unwrap().to_owned()
}

/// Asks for a short code for `invite`.
pub async fn new_code(s: &Site, token: &str, invite: &str) -> reqwest::Response {
    client().post(s.url("/api/v1/codes")).bearer_auth(token).json(&json!({"invite": invite})).send().await.unwrap()
}

/// Resolves `code` from client `c`.
pub async fn resolve(c: &reqwest::Client, s: &Site, code: &str) -> reqwest::Response {
    c.post(s.url("/api/v1/resolve")).json(&json!({"code": code})).send().await.unwrap()
}

/// The machine-readable reason of a refusal, checking that it says why in words.
pub async fn error_of(r: reqwest::Response) -> String {
    let v: Value = r.json().await.unwrap();
    assert!(!v["message"].as_str().unwrap().is_empty(), "every refusal says why: {v}");
    v["error"].as_str().unwrap().to_owned()
}

/// 2027-01-15 08:00 UTC, in ms (the test clock's day).
pub const T0: u64 = 1_800_000_000_000;

/// A session's report as a console sends it: a CSR (named as the console likes), `customer`,
/// a consent, a chat line with markup in it, a file, notes.
pub fn report(uid: u8, customer: &str, tracking: &str, kind: &str, started_ms: u64) -> Report {
    Report {
        uid: format!("{uid:032x}"),
        session_type: kind.into(),
        tracking_code: tracking.into(),
        started_ms,
        ended_ms: started_ms + 12 * 60_000,
        outcome: ReportOutcome::Ended,
        participants: vec![
            ParticipantRecord {
                participant: 1,
                name: "Whoever the console says".into(),
                role: "CSR in control".into(),
                joined_ms: started_ms,
                left_ms: None,
            },
            ParticipantRecord {
                participant: 2,
                name: customer.into(),
                role: "primary customer".into(),
                joined_ms: started_ms + 1_000,
                left_ms: None,
            },
        ],
        consents: vec![ConsentRecord {
            participant: 2,
            capability: "view screen".into(),
            granted: true,
            at_ms: started_ms + 2_000,
        }],
        chat: vec![ChatRecord {
            at_ms: started_ms + 3_000,
            from_name: customer.into(),
            to_label: "everyone".into(),
            text: "<script>alert(1)</script> my printer".into(),
        }],
        files: vec![FileRecord {
            at_ms: started_ms + 4_000,
            name: "driver.deb".into(),
            size: 1234,
            sha256: "ab".repeat(32),
            direction: "to customer".into(),
            who: "Sam Rivera".into(),
            outcome: "done".into(),
        }],
        notes: "Printer queue stuck".into(),
        end_notes: "Fixed.".into(),
    }
}
