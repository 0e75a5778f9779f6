//! The customer's pages (no account): the site's front page takes the 9-digit code a support
//! representative reads out, and the code's page offers the agent for the customer's system,
//! named with the code (so opening it joins) and naming this site at its end (so it looks the
//! code up here), and a link that opens an agent already installed. Looking at a code does not
//! use it up (only the agent's lookup does), but every code that does not work counts against
//! the same limits as the agent's lookups, so the pages are no way around them.

use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::body::Body;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use deskside_proto::site::{ShortCode, code_link, site_trailer};

use super::auth::organisation;
use super::{Words, message, page, secure, words_for};
use crate::App;
use crate::api::{ApiError, allowed, client_of, count_wrong_code};
use crate::code::{Limit, address_of, network_of};
use crate::store::{Counted, StoreError};

/// A system the site may offer the agent for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum System {
    /// Linux on x86-64.
    Linux,
    /// Windows on x86-64.
    Windows,
}

impl System {
    /// Every system, in the order the page lists them.
    pub const ALL: [System; 2] = [System::Windows, System::Linux];

    /// Its name in addresses.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            System::Linux => "linux",
            System::Windows => "windows",
        }
    }

    fn from_key(key: &str) -> Option<System> {
        System::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The program's file in the site's agents folder.
    #[must_use]
    pub fn file(self) -> &'static str {
        match self {
            System::Linux => "deskside-agent-linux-x86_64",
            System::Windows => "deskside-agent-windows-x86_64.exe",
        }
    }

    /// The name the customer's browser saves it under: the code in it, so opening it joins.
    #[must_use]
    pub fn download_name(self, code: ShortCode) -> String {
        let ext = if self == System::Windows { ".exe" } else { "" };
        format!("{}{}{ext}", deskside_proto::invite::FILE_PREFIX, code.digits())
    }

    /// The system a browser says it runs on (`User-Agent`), if the site knows it.
    #[must_use]
    pub fn of_browser(user_agent: &str) -> Option<System> {
        if user_agent.contains("Windows") {
            Some(System::Windows)
        } else if user_agent.contains("Linux") && !user_agent.contains("Android") {
            Some(System::Linux)
        } else {
            None
        }
    }

    fn words_id(self) -> &'static str {
        match self {
            System::Linux => "site-web-code-system-linux",
            System::Windows => "site-web-code-system-windows",
        }
    }
}

#[derive(Template)]
#[template(path = "code.html")]
struct CodePage {
    w: Words,
    organisation: String,
    csrf: String,
    who: String,
    typed: String,
    error: Option<String>,
}

/// A download the code's page offers.
pub(crate) struct Offer {
    pub(crate) href: String,
    pub(crate) label: String,
    pub(crate) how: String,
    pub(crate) yours: bool,
}

#[derive(Template)]
#[template(path = "join.html")]
struct JoinPage {
    w: Words,
    organisation: String,
    csrf: String,
    who: String,
    code: String,
    offers: Vec<Offer>,
    open_link: String,
    unknown_system: bool,
    then_words: String,
}

/// `GET /`: the front page, where a customer types their code.
pub(crate) async fn front(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let w = words_for(&headers);
    let org = organisation(&app).await;
    page(
        StatusCode::OK,
        &CodePage { w, organisation: org, csrf: String::new(), who: String::new(), typed: String::new(), error: None },
    )
}

fn code_form(w: Words, organisation: String, typed: &str, id: &str, status: StatusCode) -> Response {
    let error = Some(w.t(id));
    let typed = typed.chars().filter(|c| !c.is_control()).take(40).collect();
    page(status, &CodePage { w, organisation, csrf: String::new(), who: String::new(), typed, error })
}

/// Whether `code` is live; one that is not counts like the agent's wrong lookups.
async fn live(app: &App, client: std::net::IpAddr, code: ShortCode) -> Result<bool, StoreError> {
    let now = (app.clock)();
    if app.store.code_is_live(&code.digits(), now).await? {
        return Ok(true);
    }
    let address = address_of(client);
    count_wrong_code(app, &address, &network_of(client), now).await?;
    tracing::warn!(address, "the code page was given an unknown, expired or used short code");
    Ok(false)
}

/// Whether this address and network may try another code now (the agent's lookup limits).
async fn may_try(app: &App, client: std::net::IpAddr) -> Result<bool, ApiError> {
    let now = (app.clock)();
    Ok(allowed(app, Counted::WrongCodeFromAddress, &address_of(client), Limit::RESOLVE_PER_ADDRESS, now).await?
        && allowed(app, Counted::WrongCodeFromNetwork, &network_of(client), Limit::RESOLVE_PER_NETWORK, now).await?)
}

/// The code in a query or path, checked for its form, its life and the limits: the code, or
/// the page to answer.
async fn checked(app: &App, headers: &HeaderMap, peer: SocketAddr, typed: &str) -> Result<ShortCode, Response> {
    let client = client_of(app, peer, headers);
    // The code's page then reads the organisation itself: here it is read only for a refusal.
    let refuse =
        async |id: &str, status: StatusCode| code_form(words_for(headers), organisation(app).await, typed, id, status);
    let problem = async || {
        message(StatusCode::INTERNAL_SERVER_ERROR, words_for(headers), organisation(app).await, "site-web-problem")
    };
    let Ok(code) = ShortCode::parse(typed) else {
        return Err(refuse("site-web-code-not-nine", StatusCode::BAD_REQUEST).await);
    };
    match may_try(app, client).await {
        Ok(true) => {}
        Ok(false) => return Err(refuse("site-web-code-too-many", StatusCode::TOO_MANY_REQUESTS).await),
        Err(_) => return Err(problem().await),
    }
    match live(app, client, code).await {
        Ok(true) => Ok(code),
        Ok(false) => Err(refuse("site-web-code-unknown", StatusCode::NOT_FOUND).await),
        Err(_) => Err(problem().await),
    }
}

/// `GET /join?code=123456789`: the code's page, with the downloads and the link that opens an
/// installed agent.
pub(crate) async fn join(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let typed: String = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.chars().take(64).collect())
        .unwrap_or_default();
    let code = match checked(&app, &headers, peer, &typed).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let w = words_for(&headers);
    let Ok(Some(org)) = app.store.organisation().await else {
        return message(StatusCode::INTERNAL_SERVER_ERROR, w, String::new(), "site-web-problem");
    };
    let agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let yours = System::of_browser(agent);
    let offered = |s: System| app.agents.as_ref().is_some_and(|dir| dir.join(s.file()).is_file());
    let mut offers: Vec<Offer> = System::ALL
        .into_iter()
        .filter(|s| offered(*s))
        .map(|s| Offer {
            href: format!("/download/{}/{}", s.key(), code.digits()),
            label: w.with("site-web-code-download", &[("system", w.t(s.words_id()).into())]),
            how: w.t(&format!("{}-how", s.words_id())),
            yours: Some(s) == yours,
        })
        .collect();
    offers.sort_by_key(|o| !o.yours);
    let open_link = code_link(code, &org.site_address);
    let unknown_system = yours.is_none_or(|s| !offered(s));
    let then_words = w.with("site-web-join-then", &[("organisation", org.name.as_str().into())]);
    let p = JoinPage {
        w,
        then_words,
        organisation: org.name,
        csrf: String::new(),
        who: String::new(),
        code: code.to_string(),
        offers,
        open_link,
        unknown_system,
    };
    page(StatusCode::OK, &p)
}

/// `GET /download/{system}/{code}`: the agent for `system`, named with the code, naming this
/// site at its end.
pub(crate) async fn download(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((system, typed)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let code = match checked(&app, &headers, peer, &typed).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let w = words_for(&headers);
    let org = app.store.organisation().await.ok().flatten();
    let (Some(system), Some(dir), Some(org)) = (System::from_key(&system), app.agents.as_ref(), org) else {
        return message(StatusCode::NOT_FOUND, w, organisation(&app).await, "site-web-code-no-download");
    };
    let Ok(file) = tokio::fs::File::open(dir.join(system.file())).await else {
        tracing::error!(file = %dir.join(system.file()).display(), "the agent to download cannot be opened");
        return message(StatusCode::NOT_FOUND, w, org.name, "site-web-code-no-download");
    };
    let size = file.metadata().await.map_or(0, |m| m.len());
    let trailer = site_trailer(&org.site_address);
    let stream =
        tokio_util::io::ReaderStream::new(tokio::io::AsyncReadExt::chain(file, std::io::Cursor::new(trailer.clone())));
    let mut r = Body::from_stream(stream).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    if let Ok(v) = HeaderValue::from_str(&(size + trailer.len() as u64).to_string()) {
        h.insert(header::CONTENT_LENGTH, v);
    }
    let disposition = format!("attachment; filename=\"{}\"", system.download_name(code));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    secure(h);
    tracing::info!(system = system.key(), "agent downloaded for a code");
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_name_their_system_and_downloads_carry_the_code() {
        let win = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36";
        let linux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36";
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36";
        let mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 Safari/605.1.15";
        assert_eq!(System::of_browser(win), Some(System::Windows));
        assert_eq!(System::of_browser(linux), Some(System::Linux));
        assert_eq!(System::of_browser(android), None);
        assert_eq!(System::of_browser(mac), None);
        let code = ShortCode::parse("012345678").unwrap();
        assert_eq!(System::Windows.download_name(code), "deskside-agent-012345678.exe");
        assert_eq!(System::Linux.download_name(code), "deskside-agent-012345678");
        // What the browser saves is what the agent reads its code from.
        assert_eq!(ShortCode::parse("deskside-agent-012345678 (1).exe"), Ok(code));
    }
}
