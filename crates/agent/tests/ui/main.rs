//! The agent driven as a customer would, with `egui_kittest`, in English and Spanish: the join
//! screen (each of the four ways in, and bad codes), each consent dialog, the sharing bar with
//! Stop, one application (the customer chooses the window), the system-information preview, "What was shared" and the end of the session, against a
//! real host over loopback. The host uses a fixed test key (tests/fixtures) so that the
//! identity words, and so the snapshots, never change.
#![allow(clippy::unwrap_used, missing_docs)]

#[path = "../common/mod.rs"]
mod common;
mod consent;
mod files;
mod join;
mod sharing;
mod verified;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use deskside_agent::AgentApp;
use deskside_agent::app::AgentScreen;
use deskside_agent::engine::AgentOptions;
use deskside_agent::shared_log::{self, SharedRecord};
use deskside_codec::Rect;
use deskside_i18n::Lang;
use deskside_net::Identity;
use deskside_net::host::{HostCommand, HostConfig, HostEvent, HostHandle, start_host};
use deskside_platform::{FixedWindows, RecordingSink, SyntheticSource, WindowInfo, WindowView};
use deskside_proto::{AppKind, Capability, Inventory, ParticipantId, Section, SectionKind, SessionId};
use deskside_session::SessionConfig;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn fixture_identity() -> Identity {
    Identity::load_or_create(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")).unwrap()
}

fn fixed_host() -> HostHandle {
    let cfg = HostConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        identity: fixture_identity(),
        relays: deskside_net::transport::Relays::default(),
        session: SessionConfig {
            id: SessionId([3; 16]),
            csr_name: "Sam Rivera".into(),
            organisation: "Acme Support".into(),
            session_type: "General support".into(),
            tracking_code: String::new(),
        },
    };
    start_host(cfg, Arc::new(|| {})).unwrap()
}

fn options() -> AgentOptions {
    synthetic_options("", &SyntheticSource::new(64, 48, pattern(4)), &RecordingSink::default())
}

/// An agent in `lang` with `invite_text` typed or given, showing a fixed inventory when asked.
fn agent(rt: &tokio::runtime::Runtime, invite_text: &str, lang: Lang) -> AgentApp {
    let mut a = AgentApp::new(invite_text.into(), "Ana López".into(), options(), rt.handle().clone(), 0);
    a.lang = lang;
    a.inventory_source = Arc::new(|_| fixed_inventory());
    a
}

fn fixed_inventory() -> Inventory {
    let kv = |k: &str, v: &str| vec![k.to_owned(), v.to_owned()];
    Inventory {
        collected_unix_ms: 1,
        sections: vec![
            Section {
                kind: SectionKind::System,
                rows: vec![kv("os", "Debian GNU/Linux 13"), kv("hostname", "ana-laptop"), kv("uptime", "2h 5m")],
            },
            Section { kind: SectionKind::Memory, rows: vec![kv("total", "15.6 GiB"), kv("available", "9.2 GiB")] },
            Section {
                kind: SectionKind::Software,
                rows: vec![kv("bash", "5.2.37-2"), kv("cups", "2.4.10-3"), kv("hplip", "3.22.10")],
            },
            Section {
                kind: SectionKind::Processes,
                rows: vec![vec!["812".into(), "firefox".into(), "3.1 %".into(), "812.4 MiB".into()]],
            },
        ],
    }
}

/// The English or the Spanish of a text.
fn say(lang: Lang, en: &'static str, es: &'static str) -> &'static str {
    if lang == Lang::Es { es } else { en }
}

fn suffix(lang: Lang) -> &'static str {
    if lang == Lang::Es { "es" } else { "en" }
}

fn harness(app: AgentApp) -> Harness<'static, AgentApp> {
    Harness::builder().with_size([460.0, 520.0]).build_ui_state(|ui, app: &mut AgentApp| app.ui(ui), app)
}

fn run_until(h: &mut Harness<'_, AgentApp>, what: &str, mut done: impl FnMut(&Harness<'_, AgentApp>) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        h.step();
        if done(h) {
            // Let a dialog that just appeared settle its layout before anything is clicked.
            h.run_steps(4);
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A snapshot without the pointer (where it was last depends on the layout at the time of a
/// click, which is not what the picture is about).
fn shot(h: &mut Harness<'_, AgentApp>, name: &str) {
    h.event(egui::Event::PointerGone);
    h.run_steps(2);
    h.snapshot(name);
}

/// Joins as the customer does: waits for who is behind the invite, clicks Join, and waits until
/// connected to Sam Rivera.
fn join_sam(h: &mut Harness<'_, AgentApp>, lang: Lang) {
    h.run_steps(4);
    let about = say(lang, "You are about to let in:", "Está a punto de dejar entrar a:");
    run_until(h, "the preview", |h| h.query_by_label(about).is_some());
    h.get_by_label(say(lang, "Join", "Entrar")).click();
    run_until(h, "connected", |h| {
        h.query_by_label(say(lang, "Connected to Sam Rivera", "Conectado con Sam Rivera")).is_some()
    });
}

/// Ana López's number in the host's session, once she is in it.
fn ana_id(rt: &tokio::runtime::Runtime, host: &mut HostHandle) -> ParticipantId {
    let list = rt.block_on(participants(host, |p| p.iter().any(|p| p.name == "Ana López")));
    list.iter().find(|p| p.name == "Ana López").unwrap().id
}
