//! The administrator's pages in a real browser (Debian's Chromium through chromedriver), on
//! SQLite and on a real PostgreSQL: sign-in (a cookie planted before it is never taken over),
//! adding a session type, reading the audit log, signing out, in English and Spanish; and what
//! an attacker would try: a form without the form token, from another origin, oversized, SQL in
//! a name, a CSR at the admin pages. Screenshots of every page go to `target/site-pages/`.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use common::browser::Browser;
use common::{ADMIN, Db, PASSWORD, Postgres, TestClock, client, site_with};
use deskside_proto::cert::{Tool, Tools};
use reqwest::StatusCode;

fn shots() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/site-pages")
}

async fn sign_in(b: &Browser, s: &common::Site, password: &str) {
    b.go(&s.url("/admin/sign-in")).await;
    b.type_in("#email", ADMIN).await;
    b.type_in("#password", password).await;
    b.click("#sign-in").await;
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// The sign-in form posted as a browser would, by a client that does not follow redirects.
async fn post_sign_in(c: &reqwest::Client, s: &common::Site, password: &str) -> reqwest::Response {
    c.post(s.url("/admin/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("email", ADMIN), ("password", password)]))
        .send()
        .await
        .unwrap()
}

fn cookie_of(cookies: &serde_json::Value) -> Option<String> {
    cookies.as_array()?.iter().find(|c| c["name"] == "deskside_site").map(|c| c["value"].as_str().unwrap().to_owned())
}

async fn an_administrator_adds_a_session_type_in_the_browser(pg: Option<&Postgres>, tag: &str) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let s = site_with(&db.url(), &clock, false).await;
    let b = Browser::start("en").await;
    // Not signed in: the pages send the browser to sign in.
    b.go(&s.url("/admin")).await;
    b.wait_for_text("Sign in with your support site account.").await;
    assert!(b.url().await.ends_with("/admin/sign-in"));
    b.screenshot(&shots().join(format!("sign-in-en{tag}.png"))).await;
    // A token planted before the sign-in (session fixation) is not the one the sign-in makes.
    let planted = "ab".repeat(32);
    b.add_cookie("deskside_site", &planted).await;
    sign_in(&b, &s, "not the password").await;
    b.wait_for_text("The e-mail address or password is not right.").await;
    sign_in(&b, &s, PASSWORD).await;
    b.wait_for_text("What a support representative may start").await;
    let token = cookie_of(&b.cookies().await).expect("signed in");
    assert_ne!(token, planted);
    // A session type, its name with markup and SQL in it, shown as typed and stored as typed.
    let name = "Look only <b>'); DROP TABLE session_types; --";
    b.type_in("#name", name).await;
    b.click("#tracking").await;
    b.click("#tool-view").await;
    b.click("#add-type").await;
    b.wait_for_text(&format!("Session type \"{name}\" added.")).await;
    b.wait_for_text("View the screen").await;
    assert_eq!(b.script("return document.querySelectorAll('b').length").await, 0, "nothing typed is markup");
    b.screenshot(&shots().join(format!("types-en{tag}.png"))).await;
    let kinds = s.store.session_types(false).await.unwrap();
    let added = kinds.iter().find(|t| t.name == name).expect("stored as typed");
    assert!(added.tracking_required);
    assert_eq!(added.tools, Tools::of(&[Tool::View]));
    // The same name again, and none at all, are explained and change nothing.
    b.type_in("#name", name).await;
    b.click("#tool-chat").await;
    b.click("#add-type").await;
    b.wait_for_text("A session type with that name is offered already.").await;
    b.clear("#name").await;
    b.type_in("#name", "Nothing allowed").await;
    b.click("#add-type").await;
    b.wait_for_text("Please allow at least one tool.").await;
    assert_eq!(s.store.session_types(false).await.unwrap().len(), 2);
    // A form whose form token is not the sign-in's (as another page would send it) is refused.
    b.clear("#name").await;
    b.type_in("#name", "Forged").await;
    b.click("#tool-view").await;
    b.script("const f = document.querySelector('#add-type').form; f.querySelector('input[name=csrf]').value = 'forged'; f.submit(); return 0").await;
    b.wait_for_text("This form has expired").await;
    assert_eq!(s.store.session_types(false).await.unwrap().len(), 2, "nothing added");
    // The audit log names who did what.
    b.go(&s.url("/admin/audit")).await;
    b.wait_for_text("session type added").await;
    b.wait_for_text("Sam Rivera").await;
    b.wait_for_text("site initialised").await;
    b.screenshot(&shots().join(format!("audit-en{tag}.png"))).await;
    // Signing out ends the sign-in in the store too: the old cookie opens nothing.
    b.go(&s.url("/admin")).await;
    b.click("nav button").await;
    b.wait_for_text("Sign in with your support site account.").await;
    let r = client().get(s.url("/admin")).header("cookie", format!("deskside_site={token}")).send().await.unwrap();
    assert!(r.url().path().ends_with("/admin/sign-in"), "the old sign-in still opens {}", r.url());
    b.quit().await;

    // The same pages in Spanish, for a browser that asks for it.
    let b = Browser::start("es").await;
    sign_in(&b, &s, PASSWORD).await;
    b.wait_for_text("Tipos de sesión").await;
    b.wait_for_text("Ver la pantalla").await;
    b.screenshot(&shots().join(format!("types-es{tag}.png"))).await;
    b.go(&s.url("/admin/audit")).await;
    b.wait_for_text("Registro de auditoría").await;
    b.screenshot(&shots().join(format!("audit-es{tag}.png"))).await;
    b.quit().await;
    s.running.shutdown().await.unwrap();
}

async fn hostile_requests_to_the_pages_are_refused(pg: Option<&Postgres>) {
    let db = Db::new(pg);
    let clock = TestClock::new();
    let s = site_with(&db.url(), &clock, false).await;
    let _ = client();
    let c = reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = post_sign_in(&c, &s, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict"), "{set}");
    let cookie = set.split(';').next().unwrap().to_owned();
    let page = c.get(s.url("/admin")).header("cookie", &cookie).send().await.unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    let html = page.text().await.unwrap();
    let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let add = |origin: &'static str, body: String| {
        c.post(s.url("/admin/session-types"))
            .header("cookie", &cookie)
            .header("origin", origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    // From another site's page, with the right token even: refused.
    let body = format!("csrf={csrf}&name=Evil&tool=view");
    assert_eq!(add("https://evil.example", body.clone()).await.unwrap().status(), StatusCode::FORBIDDEN);
    // An unknown tool, a name with a line break, and a body past the limit.
    let host = format!("http://{}", s.running.addr);
    let origin: &'static str = Box::leak(host.into_boxed_str());
    let r = add(origin, format!("csrf={csrf}&name=Root&tool=root_shell")).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = add(origin, format!("csrf={csrf}&name=Two%0Alines&tool=view")).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = add(origin, format!("csrf={csrf}&name={}&tool=view", "x".repeat(20_000))).await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(s.store.session_types(false).await.unwrap().len(), 1, "nothing added");
    // A CSR (not an administrator) is shown why, and may change nothing.
    s.store.execute_raw("UPDATE accounts SET role = 'csr'").await.unwrap();
    let r = c.get(s.url("/admin")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = add(origin, format!("csrf={csrf}&name=Sneaky&tool=view")).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(s.store.session_types(false).await.unwrap().len(), 1, "nothing added");
    // Wrong passwords through the pages count like the consoles' (five, then a wait).
    for _ in 0..5 {
        let r = post_sign_in(&c, &s, "wrong").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = post_sign_in(&c, &s, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    s.running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_on_sqlite() {
    an_administrator_adds_a_session_type_in_the_browser(None, "").await;
    hostile_requests_to_the_pages_are_refused(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_on_postgresql() {
    let pg = Postgres::start();
    an_administrator_adds_a_session_type_in_the_browser(Some(&pg), "-pg").await;
    hostile_requests_to_the_pages_are_refused(Some(&pg)).await;
}
