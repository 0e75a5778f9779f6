//! The customer's pages in a real browser (Debian's Chromium through chromedriver) and over
//! plain HTTP: a code typed on the front page opens its page, which offers the agent for the
//! browser's system, named with the code and naming the site at its end, and a link that opens
//! an installed agent; looking does not use the code up, and codes guessed through the pages
//! count against the same limits as the agent's lookups. Screenshots go to `target/site-pages/`.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use common::browser::Browser;
use common::{Db, TestClock, client, invite_code, new_code, resolve, site_with, token};
use deskside_proto::site::{ShortCode, site_in_trailer};
use reqwest::StatusCode;

fn shots() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/site-pages")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_types_the_code_and_gets_the_agent_that_knows_its_site() {
    let db = Db::new(None);
    let clock = TestClock::new();
    let agents = tempfile::tempdir().unwrap();
    let linux = [b"\x7fELF".to_vec(), vec![7; 300_000]].concat();
    std::fs::write(agents.path().join("deskside-agent-linux-x86_64"), &linux).unwrap();
    std::fs::write(agents.path().join("deskside-agent-windows-x86_64.exe"), b"MZ windows").unwrap();
    let options = deskside_site::ServeOptions {
        secure_cookies: false,
        agents: Some(agents.path().to_owned()),
        ..deskside_site::ServeOptions::default()
    };
    let s = common::serve(&db.url(), &clock, options).await;
    let t = token(&s).await;
    let r = new_code(&s, &t, &invite_code(clock.now() + 3600)).await;
    let code: serde_json::Value = r.json().await.unwrap();
    let digits = code["code"].as_str().unwrap().to_owned();
    let shown = code["display"].as_str().unwrap().to_owned();

    let b = Browser::start("en").await;
    b.go(&s.url("/")).await;
    b.wait_for_text("Your support representative reads you a code of nine digits.").await;
    b.screenshot(&shots().join("code-en.png")).await;
    // Eight digits, then a code that does not exist: said, on the same page.
    b.type_in("#code", "12345678").await;
    b.click("#continue").await;
    b.wait_for_text("Please type the nine digits of your code").await;
    b.clear("#code").await;
    b.type_in("#code", if digits == "999999999" { "999999998" } else { "999999999" }).await;
    b.click("#continue").await;
    b.wait_for_text("This code does not work.").await;
    // The code as read out, with its spaces.
    b.clear("#code").await;
    b.type_in("#code", &shown).await;
    b.click("#continue").await;
    b.wait_for_text("Connect with your support representative").await;
    b.wait_for_text("Download Deskside for Linux").await;
    b.wait_for_text("shows who is connecting from Acme Support").await;
    assert_eq!(b.script("return document.querySelector('#the-code').textContent").await, shown.as_str());
    let open = b.script("return document.querySelector('#open-deskside').getAttribute('href')").await;
    let open = open.as_str().unwrap().to_owned();
    assert_eq!(
        deskside_proto::site::parse_code_link(&open),
        Some((ShortCode::parse(&digits).unwrap(), "https://support.acme.example".to_owned()))
    );
    let href = b.script("return document.querySelector('#download').getAttribute('href')").await;
    assert_eq!(href.as_str().unwrap(), format!("/download/linux/{digits}"));
    b.screenshot(&shots().join("join-en.png")).await;
    b.quit().await;

    // The download: the program, then the trailer naming the site; saved under the code.
    let r = client().get(s.url(&format!("/download/linux/{digits}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let name = r.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert_eq!(name, format!("attachment; filename=\"deskside-agent-{digits}\""));
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..linux.len()], linux.as_slice(), "the program itself is untouched");
    assert_eq!(site_in_trailer(&bytes).as_deref(), Some("https://support.acme.example"));
    assert_eq!(ShortCode::parse(&format!("deskside-agent-{digits}")).unwrap().digits(), digits);
    let r = client().get(s.url(&format!("/download/windows/{digits}"))).send().await.unwrap();
    assert!(r.headers()["content-disposition"].to_str().unwrap().ends_with(".exe\""));
    // Nothing else is served from the folder, whatever the address says.
    for path in [format!("/download/..%2F..%2Fetc%2Fpasswd/{digits}"), format!("/download/macos/{digits}")] {
        assert_eq!(client().get(s.url(&path)).send().await.unwrap().status(), StatusCode::NOT_FOUND, "{path}");
    }
    // Looking did not use the code up: the agent's lookup does, once; then the page says so.
    assert_eq!(resolve(&client(), &s, &digits).await.status(), StatusCode::OK);
    let r = client().get(s.url(&format!("/join?code={digits}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = client().get(s.url(&format!("/download/linux/{digits}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "no download for a used code");

    // In Spanish.
    let b = Browser::start("es").await;
    b.go(&s.url("/")).await;
    b.wait_for_text("Su representante de soporte le dicta un código de nueve cifras.").await;
    b.screenshot(&shots().join("code-es.png")).await;
    let r = new_code(&s, &t, &invite_code(clock.now() + 3600)).await;
    let again = r.json::<serde_json::Value>().await.unwrap()["code"].as_str().unwrap().to_owned();
    b.go(&s.url(&format!("/join?code={again}"))).await;
    b.wait_for_text("Descargar Deskside para Linux").await;
    b.screenshot(&shots().join("join-es.png")).await;
    b.quit().await;
    s.running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_guessed_through_the_pages_count_like_the_agents_lookups() {
    let db = Db::new(None);
    let clock = TestClock::new();
    let s = site_with(&db.url(), &clock, false).await;
    let t = token(&s).await;
    let code = new_code(&s, &t, &invite_code(clock.now() + 3600)).await.json::<serde_json::Value>().await.unwrap();
    let real = code["code"].as_str().unwrap().to_owned();
    let c = client();
    let mut guess = 100_000_000u32;
    let mut tries = 0;
    loop {
        guess += 1;
        if guess.to_string() == real {
            continue;
        }
        let r = c.get(s.url(&format!("/join?code={guess}"))).send().await.unwrap();
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        tries += 1;
        assert!(tries <= 10, "the pages must stop a guesser as the API does");
    }
    assert_eq!(tries, 10);
    // The same guesser is refused by the agent's lookup too, even with the real code…
    assert_eq!(resolve(&c, &s, &real).await.status(), StatusCode::TOO_MANY_REQUESTS);
    let r = c.get(s.url(&format!("/join?code={real}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // …and markup or SQL in the code is neither shown nor looked up.
    let r = client_from_other().get(s.url("/join?code=%3Cscript%3E%27%20OR%201=1")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(!r.text().await.unwrap().contains("<script>"));
    // After the wait, the real code still works: nothing was lost.
    clock.advance(601);
    assert_eq!(resolve(&c, &s, &real).await.status(), StatusCode::OK);
    s.running.shutdown().await.unwrap();
}

/// A client from another network (127.1.0.1 is not in 127.0.0.0/24).
fn client_from_other() -> reqwest::Client {
    common::client_from(std::net::IpAddr::from([127, 1, 0, 1]))
}
