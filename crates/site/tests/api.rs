//! The site's API over real HTTP on loopback, every scenario on SQLite and on a real PostgreSQL
//! server: init only once and an append-only audit log, sign-in and its limits, short codes
//! from making to single use, guessing bounded per address and per network, hostile bodies, and
//! two site instances on one database.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::IpAddr;

use common::{
    ADMIN, Db, PASSWORD, Postgres, TestClock, client, client_from, error_of, invite_code, new_code, resolve, sign_in,
    site, site_behind, token,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn init_happens_once_and_the_audit_log_is_append_only(pg: Option<&Postgres>) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let s = site(&db.url(), &clock).await;
    let again = deskside_site::Init {
        organisation: "Evil Support".into(),
        site_address: "https://evil.example".into(),
        admin_email: "mallory@evil.example".into(),
        admin_name: "Mallory".into(),
        admin_password: "another long password".into(),
    };
    let e = deskside_site::init(&s.store, &again, clock.now()).await.unwrap_err();
    assert!(e.to_string().contains("already has its organisation"), "{e}");
    assert_eq!(s.store.organisation().await.unwrap().unwrap().name, "Acme Support");
    assert!(s.store.account_by_email("mallory@evil.example").await.unwrap().is_none());
    assert!(s.store.signing_key().await.unwrap().is_some());
    let log = s.store.audit_log(10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].2, "site initialised");
    assert!(s.store.execute_raw("UPDATE audit_log SET detail = 'nothing happened'").await.is_err());
    assert!(s.store.execute_raw("DELETE FROM audit_log").await.is_err());
    assert_eq!(s.store.audit_log(10).await.unwrap(), log);
    // A weak first password is refused before anything is written.
    let weak = Db::new(pg);
    let store = deskside_site::store::Store::open(&weak.url()).await.unwrap();
    let init = deskside_site::Init { admin_password: "short".into(), ..again };
    assert!(deskside_site::init(&store, &init, clock.now()).await.is_err());
    assert!(store.organisation().await.unwrap().is_none());
    s.running.shutdown().await.unwrap();
}

async fn sign_in_is_limited_and_disabled_accounts_are_out(pg: Option<&Postgres>) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let s = site(&db.url(), &clock).await;
    let health = client().get(s.url("/health")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let t = token(&s).await;
    // Any case of the address signs in; an unknown one is refused like a wrong password.
    assert_eq!(sign_in(&client(), &s, "SAM@Acme.Example", PASSWORD).await.status(), StatusCode::OK);
    let r = sign_in(&client(), &s, "nobody@acme.example", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(r).await, "wrong_password");
    // Five wrong passwords for one account: then even the right one waits.
    for _ in 0..5 {
        assert_eq!(sign_in(&client(), &s, ADMIN, "not the password at all").await.status(), StatusCode::UNAUTHORIZED);
    }
    let r = sign_in(&client(), &s, ADMIN, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 900, "retry after {retry}");
    assert_eq!(error_of(r).await, "too_many_attempts");
    clock.advance(901);
    assert_eq!(sign_in(&client(), &s, ADMIN, PASSWORD).await.status(), StatusCode::OK);
    // The token works until its account is disabled, and after sign-out no more.
    let r = new_code(&s, &t, &invite_code(clock.now() + 600)).await;
    assert_eq!(r.status(), StatusCode::OK, "{:?}", r.text().await);
    s.store.execute_raw("UPDATE accounts SET disabled = 1").await.unwrap();
    let r = new_code(&s, &t, &invite_code(clock.now() + 600)).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = sign_in(&client(), &s, ADMIN, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_of(r).await, "account_disabled");
    s.store.execute_raw("UPDATE accounts SET disabled = 0").await.unwrap();
    let out = client().post(s.url("/api/v1/sign-out")).bearer_auth(&t).send().await.unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(new_code(&s, &t, &invite_code(clock.now() + 600)).await.status(), StatusCode::UNAUTHORIZED);
    // And tokens expire.
    let t = token(&s).await;
    clock.advance(deskside_site::TOKEN_LIFETIME_S);
    assert_eq!(new_code(&s, &t, &invite_code(clock.now() + 600)).await.status(), StatusCode::UNAUTHORIZED);
    s.running.shutdown().await.unwrap();
}

async fn a_code_stands_for_its_invite_once_and_until_it_expires(pg: Option<&Postgres>) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let s = site(&db.url(), &clock).await;
    let t = token(&s).await;
    let invite = invite_code(clock.now() + 600);
    let r = new_code(&s, &t, &invite).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    let code = v["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 9);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(v["display"].as_str().unwrap().replace(' ', ""), code);
    assert_eq!(v["expires_unix_s"], clock.now() + 600);
    // Typed as read out, with spaces: the invite comes back, once.
    let r = resolve(&client(), &s, v["display"].as_str().unwrap()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let got: Value = r.json().await.unwrap();
    assert_eq!(
        deskside_proto::invite::Invite::parse(got["invite"].as_str().unwrap()).unwrap(),
        deskside_proto::invite::Invite::parse(&invite).unwrap()
    );
    let r = resolve(&client(), &s, &code).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_of(r).await, "unknown_code");
    // An unused code stops working when its invite does.
    let v: Value = new_code(&s, &t, &invite).await.json().await.unwrap();
    clock.advance(600);
    assert_eq!(resolve(&client(), &s, v["code"].as_str().unwrap()).await.status(), StatusCode::NOT_FOUND);
    // A code lasts a day at most, whatever the invite says.
    let v: Value = new_code(&s, &t, &invite_code(clock.now() + 7 * 86_400)).await.json().await.unwrap();
    assert_eq!(v["expires_unix_s"], clock.now() + deskside_site::api::MAX_CODE_LIFETIME_S);
    // What is not an invite, or no longer one, gets no code.
    let r = new_code(&s, &t, "deskside-not-an-invite").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(r).await, "bad_invite");
    let r = new_code(&s, &t, &invite_code(clock.now() - 1)).await;
    assert_eq!(error_of(r).await, "expired_invite");
    let r = client().post(s.url("/api/v1/codes")).json(&json!({"invite": invite})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = client()
        .post(s.url("/api/v1/codes"))
        .header("authorization", "Bearer ' OR 1=1 --")
        .json(&json!({"invite": invite}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    s.running.shutdown().await.unwrap();
}

async fn guessing_is_bounded_per_address_and_per_network(pg: Option<&Postgres>) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let site_ = site(&db.url(), &clock).await;
    let tok = token(&site_).await;
    let made: Value = new_code(&site_, &tok, &invite_code(clock.now() + 3_000)).await.json().await.unwrap();
    let real = made["code"].as_str().unwrap().to_owned();
    let wrong = |i: u32| format!("{:09}", (real.parse::<u32>().unwrap() + 1 + i) % 1_000_000_000);
    let from = |last: u8| client_from(IpAddr::from([127, 0, 0, last]));
    // Ten wrong codes from one address: the eleventh try, even the right code, waits.
    let a = from(11);
    for i in 0..10 {
        assert_eq!(resolve(&a, &site_, &wrong(i)).await.status(), StatusCode::NOT_FOUND);
    }
    let r = resolve(&a, &site_, &real).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    // Other addresses of the network go on until the network has had fifty wrong codes.
    for last in 12..16 {
        let c = from(last);
        for i in 0..10 {
            assert_eq!(
                resolve(&c, &site_, &wrong(100 + u32::from(last) * 10 + i)).await.status(),
                StatusCode::NOT_FOUND
            );
        }
    }
    assert_eq!(resolve(&from(16), &site_, &real).await.status(), StatusCode::TOO_MANY_REQUESTS);
    // A network elsewhere is not held back (127.0.1.x is another /24 of loopback).
    let elsewhere = client_from(IpAddr::from([127, 0, 1, 1]));
    assert_eq!(resolve(&elsewhere, &site_, &wrong(999)).await.status(), StatusCode::NOT_FOUND);
    // Ten minutes on, the first address may try again, and the right code still works.
    clock.advance(601);
    assert_eq!(resolve(&a, &site_, &real).await.status(), StatusCode::OK);
    // Malformed codes are refused with a reason, without touching the store.
    for bad in ["", "12345678", "1234567890", "' OR '1'='1", "１２３４５６７８９"] {
        let r = resolve(&elsewhere, &site_, bad).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad:?}");
        assert_eq!(error_of(r).await, "bad_code");
    }
    site_.running.shutdown().await.unwrap();
}

async fn behind_the_site_s_proxy_each_client_is_counted_apart(pg: Option<&Postgres>) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    // The proxy is 127.0.0.9: what it says in X-Forwarded-For is believed, from anyone else not.
    let s = site_behind(&db.url(), &clock, vec![IpAddr::from([127, 0, 0, 9])]).await;
    let proxy = client_from(IpAddr::from([127, 0, 0, 9]));
    let via = |who: &'static str, code: &str| {
        proxy.post(s.url("/api/v1/resolve")).header("x-forwarded-for", who).json(&json!({"code": code})).send()
    };
    for i in 0..10 {
        assert_eq!(via("198.51.100.1", &format!("{i:09}")).await.unwrap().status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(via("198.51.100.1", "000000010").await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
    // Another customer behind the same proxy is not locked out by that guesser.
    assert_eq!(via("203.0.113.5", "000000011").await.unwrap().status(), StatusCode::NOT_FOUND);
    // A guesser who writes the header themselves, from outside, is counted as who they are.
    let outside = client_from(IpAddr::from([127, 0, 3, 1]));
    for i in 0..10 {
        let r = outside
            .post(s.url("/api/v1/resolve"))
            .header("x-forwarded-for", format!("192.0.2.{i}"))
            .json(&json!({"code": format!("{:09}", 100 + i)}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(resolve(&outside, &s, "000000200").await.status(), StatusCode::TOO_MANY_REQUESTS);
    s.running.shutdown().await.unwrap();
}

async fn hostile_bodies_are_refused(pg: Option<&Postgres>) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let s = site(&db.url(), &clock).await;
    let c = client();
    let big = "9".repeat(deskside_site::MAX_BODY_BYTES + 1);
    let r = c.post(s.url("/api/v1/resolve")).body(format!("{{\"code\":\"{big}\"}}")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    for body in ["", "{", "[]", "{\"code\": 123456789}", "{\"code\":\"123456789\",\"extra\":1}", "\u{0}\u{ff}"] {
        let r = c.post(s.url("/api/v1/resolve")).body(body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{body:?}");
        assert_eq!(error_of(r).await, "bad_request");
    }
    let r = sign_in(&c, &s, &"a".repeat(300), PASSWORD).await;
    assert_eq!(error_of(r).await, "too_long");
    let r = sign_in(&c, &s, "x'); DROP TABLE accounts; --", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(s.store.account_by_email(ADMIN).await.unwrap().is_some());
    // Still serving.
    assert_eq!(c.get(s.url("/health")).send().await.unwrap().status(), StatusCode::OK);
    s.running.shutdown().await.unwrap();
}

async fn two_instances_serve_one_team(pg: Option<&Postgres>) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let a = site(&db.url(), &clock).await;
    let b = site(&db.url(), &clock).await;
    // A code made through one instance resolves through the other, and only once even when both
    // are asked at the same moment.
    let t = token(&a).await;
    for _ in 0..5 {
        let v: Value = new_code(&b, &t, &invite_code(clock.now() + 600)).await.json().await.unwrap();
        let code = v["code"].as_str().unwrap().to_owned();
        let (ca, cb) = (client(), client());
        let (ra, rb) = tokio::join!(resolve(&ca, &a, &code), resolve(&cb, &b, &code));
        let mut got = [ra.status(), rb.status()];
        got.sort();
        assert_eq!(got, [StatusCode::OK, StatusCode::NOT_FOUND]);
    }
    // The limits are the team's, not an instance's: wrong codes through both count together.
    let c = client_from(IpAddr::from([127, 0, 2, 1]));
    for i in 0..10u32 {
        let via = if i % 2 == 0 { &a } else { &b };
        assert_eq!(resolve(&c, via, &format!("{i:09}")).await.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(resolve(&c, &a, "000000011").await.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resolve(&c, &b, "000000012").await.status(), StatusCode::TOO_MANY_REQUESTS);
    a.running.shutdown().await.unwrap();
    b.running.shutdown().await.unwrap();
}

async fn all(pg: Option<&Postgres>) {
    init_happens_once_and_the_audit_log_is_append_only(pg).await;
    sign_in_is_limited_and_disabled_accounts_are_out(pg).await;
    a_code_stands_for_its_invite_once_and_until_it_expires(pg).await;
    guessing_is_bounded_per_address_and_per_network(pg).await;
    hostile_bodies_are_refused(pg).await;
    behind_the_site_s_proxy_each_client_is_counted_apart(pg).await;
    two_instances_serve_one_team(pg).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_on_sqlite() {
    all(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_on_postgresql() {
    let pg = Postgres::start().unwrap();
    all(Some(&pg)).await;
}

/// The program answers `--help` and `--version` the way the ecosystem expects: on standard
/// output, exit 0; an unknown option says why on standard error and exits 2.
#[test]
fn help_and_version_are_answered_like_any_program() {
    let run = |arg: &str| std::process::Command::new(env!("CARGO_BIN_EXE_deskside-site")).arg(arg).output().unwrap();
    let help = run("--help");
    assert_eq!(help.status.code(), Some(0), "{}", String::from_utf8_lossy(&help.stderr));
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("Usage: deskside-site") && text.contains("--version"), "{text}");
    let version = run("--version");
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), concat!("deskside-site ", env!("CARGO_PKG_VERSION")));
    let wrong = run("--no-such-option");
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("--no-such-option"));
}
