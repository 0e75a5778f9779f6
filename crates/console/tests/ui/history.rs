//! The session history: listed, searched, opened, exported, in every look; and more panels.

use super::*;

/// Two sessions kept before: one ended, one cut short by a crash, with a hostile name.
fn filled_history(dir: &std::path::Path) {
    use deskside_history::{ChatRecord, History, NewSession};
    let mut h = History::open(&dir.join("history.sqlite3"), T0).unwrap();
    let s = |uid: &str, code: &str, at| NewSession {
        uid: uid.into(),
        session_type: "General support".into(),
        tracking_code: code.into(),
        csr_name: "Sam Rivera".into(),
        started_ms: at,
        site: String::new(),
    };
    let a = h.begin(&s("a", "T-1042", T0)).unwrap();
    h.joined(a, 1, "Sam Rivera", "CSR in control", T0).unwrap();
    h.joined(a, 2, "Ana López", "primary customer", T0 + 60_000).unwrap();
    h.consent(a, 2, "view screen", true, T0 + 120_000).unwrap();
    let line = ChatRecord {
        at_ms: T0 + 180_000,
        from_name: "Ana López".into(),
        to_label: "everyone".into(),
        text: "Hi! My printer stopped working.".into(),
    };
    h.chat(a, &line).unwrap();
    h.notes(a, "Print queue stuck.").unwrap();
    h.end(a, "Reinstalled the printer driver; test page printed.", T0 + 17 * 60_000).unwrap();
    let b = h.begin(&s("b", "T-1043", T0 + 3_600_000)).unwrap();
    h.joined(b, 2, "<b>Eve</b>", "primary customer", T0 + 3_600_000).unwrap();
    // Never ended: the console "crashed"; opened a day later it ended unexpectedly.
    drop(h);
    History::open(&dir.join("history.sqlite3"), T0 + 86_400_000).unwrap();
}

#[test]
fn history_lists_searches_opens_and_exports() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    filled_history(dir.path());
    let mut h = harness(app_with_history(&rt, dir.path()));
    h.run();
    h.get_by_label("History").click();
    h.run_steps(2);
    h.get_by_label("Session history");
    h.get_by_label("T-1042");
    h.get_by_label("T-1043");
    h.get_by_label("<b>Eve</b>"); // shown as text, never as markup
    h.get_by_label("ended unexpectedly");

    // Search by customer name.
    h.get_by_role_and_label(egui::Role::TextInput, "Tracking code or customer").focus();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::TextInput, "Tracking code or customer").type_text("lópez");
    h.run_steps(2);
    h.get_by_label("Search").click();
    h.run_steps(2);
    assert!(h.query_by_label("T-1043").is_none(), "only Ana's session");
    h.get_by_label("T-1042");
    // A date that is not one says how to write it.
    h.get_by_role_and_label(egui::Role::TextInput, "From").focus();
    h.run_steps(2);
    h.get_by_role_and_label(egui::Role::TextInput, "From").type_text("25/11");
    h.run_steps(2);
    h.get_by_label("Search").click();
    h.run_steps(2);
    h.get_by_label("Write dates as year-month-day, for example 2026-11-26.");

    // Open it read-only, and export it.
    h.get_by_label("Open").click();
    h.run_steps(2);
    h.get_by_label("General support · T-1042");
    h.get_by_label("Hi! My printer stopped working.");
    h.get_by_label("Reinstalled the printer driver; test page printed.");
    assert!(h.query_by_label("Write dates as year-month-day, for example 2026-11-26.").is_none());
    h.get_by_label("Export HTML").click();
    h.run_steps(2);
    let html_path = dir.path().join("exports/deskside-session-T-1042-1.html");
    h.get_by_label(&format!("Saved to {}", html_path.display()));
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.contains("Hi! My printer stopped working.") && html.contains("T-1042"));
    h.get_by_label("Export JSON").click();
    h.run_steps(2);
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("exports/deskside-session-T-1042-1.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["end_notes"], "Reinstalled the printer driver; test page printed.");
    h.get_by_label("All sessions").click();
    h.run_steps(2);
    h.get_by_label("Close").click();
    h.run_steps(2);
    h.get_by_label("Start session");
}

/// A console in `lang` and `theme` showing the History kept in `dir`.
fn history_open(rt: &tokio::runtime::Runtime, dir: &std::path::Path, lang: Lang, theme: ThemeChoice) -> ConsoleApp {
    let mut a = app_with_history(rt, dir);
    a.settings.language = Some(lang);
    a.settings.theme = theme;
    a.open_history();
    a
}

#[test]
fn history_in_every_look() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    filled_history(dir.path());
    every_look(
        "history",
        |lang, theme| history_open(&rt, dir.path(), lang, theme),
        |h, lang| {
            h.get_by_label(say(lang, "Session history", "Historial de sesiones"));
            h.get_by_label(say(lang, "ended unexpectedly", "terminó inesperadamente"));
        },
    );
}

#[test]
fn history_session_in_every_look() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    filled_history(dir.path());
    every_look(
        "history_session",
        |lang, theme| history_open(&rt, dir.path(), lang, theme),
        |h, lang| {
            h.query_all_by_label(say(lang, "Open", "Abrir")).last().unwrap().click();
            h.run();
            h.get_by_label("General support · T-1042");
            h.get_by_label(say(
                lang,
                "2026-11-25 14:07 Ana López allowed: view screen",
                "2026-11-25 14:07 Ana López permitió: ver la pantalla",
            ));
        },
    );
}

#[test]
fn the_toolbar_is_reachable_by_keyboard_alone() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut h = harness(in_session(&rt, Lang::En, ThemeChoice::Light, Tool::Invite, session_view(Grants::default())));
    h.run();
    let mut tabs = 0;
    while !h.get_by_role_and_label(egui::Role::Button, "Participants").is_focused() {
        h.key_press(egui::Key::Tab);
        h.run();
        tabs += 1;
        assert!(tabs < 30, "Tab never reached Participants");
    }
    h.key_press(egui::Key::Enter);
    h.run();
    let Screen::Session(v) = &h.state().screen else { panic!("no session") };
    assert_eq!(v.tool, Tool::Participants, "Enter on a focused tool opens it");
}

#[test]
fn system_information_report() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    every_look(
        "system_info",
        |lang, theme| {
            let mut view = session_view(Grants::default());
            view.reports.push(deskside_console::inventory_ui::ReportView::new(
                "Ana López",
                T0 + 120_000,
                fixed_inventory(),
            ));
            in_session(&rt, lang, theme, Tool::SystemInfo, view)
        },
        |h, lang| {
            h.get_by_label(say(lang, "System information: Ana López", "Información del sistema: Ana López"));
            h.get_by_label(say(lang, "Host name", "Nombre del equipo"));
            h.get_by_label("ana-laptop");
            h.get_by_label(say(lang, "Ask Ana López", "Pedir a Ana López"));
        },
    );
}
