//! A real browser for the site's pages: Debian's Chromium, headless, driven through
//! chromedriver over `WebDriver` (the W3C protocol, plain JSON over HTTP on loopback). The driver
//! is started here on a free port and stopped when the browser is dropped.

#![allow(dead_code, clippy::unwrap_used, clippy::missing_panics_doc)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The key `WebDriver` names an element by.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A browser session.
pub struct Browser {
    driver: Child,
    base: String,
    http: reqwest::Client,
    /// The session's folder of the browser's profile.
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A headless Chromium whose pages ask for `lang` (`en`, `es`) first.
    pub async fn start(lang: &str) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian's chromium-driver) must be installed: .ci/run installs it");
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1100,800", format!("--lang={lang}"),
                         format!("--user-data-dir={}", profile.path().display()),
                         "--no-first-run", "--disable-background-networking", "--disable-sync",
                         "--disable-component-update", "--disable-default-apps"],
                "prefs": {"intl.accept_languages": lang},
            },
        }}});
        let r: Value = http.post(format!("{base}/session")).json(&caps).send().await.unwrap().json().await.unwrap();
        let id = r["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no browser session: {r}")).to_owned();
        Browser { driver, base: format!("{base}/session/{id}"), http, _profile: profile }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r: Value = req.send().await.unwrap().json().await.unwrap();
        r["value"].clone()
    }

    /// Opens `url`.
    pub async fn go(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url}))).await;
    }

    /// The address shown now.
    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None).await.as_str().unwrap().to_owned()
    }

    /// The element `css` selects, waited for up to 10 s.
    pub async fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v = self
                .call(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css})))
                .await;
            if let Some(id) = v[ELEMENT].as_str() {
                return id.to_owned();
            }
            assert!(Instant::now() < deadline, "no element {css}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Types `text` into the element `css` selects.
    pub async fn type_in(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{el}/value"), Some(json!({"text": text}))).await;
    }

    /// Empties the field `css` selects.
    pub async fn clear(&self, css: &str) {
        let el = self.find(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{el}/clear"), Some(json!({}))).await;
    }

    /// Clicks the element `css` selects.
    pub async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{el}/click"), Some(json!({}))).await;
    }

    /// The visible text of the page.
    pub async fn text(&self) -> String {
        let el = self.find("body").await;
        self.call(reqwest::Method::GET, &format!("/element/{el}/text"), None).await.as_str().unwrap_or("").to_owned()
    }

    /// Waits up to 10 s until the page's text holds `words`.
    pub async fn wait_for_text(&self, words: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = self.text().await;
            if text.contains(words) {
                return;
            }
            assert!(Instant::now() < deadline, "the page never said {words:?}; it says:\n{text}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Runs `script` in the page (for what a person cannot do by hand, as an attacker's page
    /// would) and returns its value.
    pub async fn script(&self, script: &str) -> Value {
        self.call(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": []}))).await
    }

    /// The page's cookies, as the browser keeps them.
    pub async fn cookies(&self) -> Value {
        self.call(reqwest::Method::GET, "/cookie", None).await
    }

    /// Adds a cookie for the page's site.
    pub async fn add_cookie(&self, name: &str, value: &str) {
        self.call(reqwest::Method::POST, "/cookie", Some(json!({"cookie": {"name": name, "value": value}}))).await;
    }

    /// A PNG of the window, written to `path`.
    pub async fn screenshot(&self, path: &std::path::Path) {
        use base64::Engine as _;
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap()).unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }
}

impl Browser {
    /// Closes the browser.
    pub async fn quit(self) {
        let _ = self.http.delete(&self.base).send().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Asked to stop, the driver closes the browsers it started (even when a test failed
        // before `quit`); then it is made to.
        let _ = Command::new("kill").arg("-TERM").arg(self.driver.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && matches!(self.driver.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
