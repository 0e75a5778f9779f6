//! The History view: the sessions kept so far, searched by tracking code, customer name and
//! date, each opened read-only and exported as JSON or as an HTML report.
//!
//! It reads the history file through its own connection (SQLite lets it read while the
//! recorder writes); searches are small indexed queries run when the CSR asks for them.

use std::path::{Path, PathBuf};

use deskside_history::{History, Outcome, Search, SessionRecord, SessionSummary};
use deskside_i18n::t;
use egui::{RichText, ScrollArea, TextEdit};

use crate::exports::{date_time, write_new};
use crate::theme::space;

/// What the History view shows.
pub struct HistoryView {
    store: Result<History, String>,
    /// Where exports are written.
    export_dir: PathBuf,
    /// Part of a tracking code or a customer's name.
    pub query: String,
    /// First day, `YYYY-MM-DD`, or empty.
    pub from: String,
    /// Last day, `YYYY-MM-DD`, or empty.
    pub until: String,
    /// The sessions found, newest first.
    pub results: Vec<SessionSummary>,
    /// The session opened.
    pub open: Option<SessionRecord>,
    /// What the last action said (saved to..., a bad date, an error).
    pub message: Option<String>,
    /// Local time's offset from UTC, in seconds.
    utc_offset_s: i32,
    /// System information opened from the session shown.
    reports: Vec<crate::inventory_ui::ReportView>,
}

/// What the CSR asked the History view for.
#[derive(Debug, PartialEq, Eq)]
pub enum HistoryAction {
    /// Stay.
    None,
    /// Leave the History view.
    Close,
    /// Open this file with the system (a report to print).
    OpenFile(PathBuf),
}

impl HistoryView {
    /// The History of the file at `path`, exports going to `export_dir`; lists every session.
    #[must_use]
    pub fn open(path: &Path, export_dir: PathBuf, utc_offset_s: i32, now_ms: u64) -> HistoryView {
        let store = History::open(path, now_ms).map_err(|e| e.to_string());
        let mut view = HistoryView {
            store,
            export_dir,
            query: String::new(),
            from: String::new(),
            until: String::new(),
            results: Vec::new(),
            open: None,
            message: None,
            utc_offset_s,
            reports: Vec::new(),
        };
        view.search();
        view
    }

    /// Runs the search the fields describe.
    pub fn search(&mut self) {
        let store = match &self.store {
            Ok(s) => s,
            Err(why) => {
                self.message = Some(why.clone());
                return;
            }
        };
        let (Ok(from), Ok(until)) =
            (day_start(&self.from, self.utc_offset_s), day_start(&self.until, self.utc_offset_s))
        else {
            self.message = Some(t!("history-bad-date"));
            return;
        };
        let until = until.map(|d| d + 24 * 3600 * 1000); // the whole last day
        match store.search(&Search { text: self.query.clone(), from_ms: from, until_ms: until }) {
            Ok(r) => {
                self.message = if r.is_empty() { Some(t!("history-no-match")) } else { None };
                self.results = r;
            }
            Err(e) => self.message = Some(e.to_string()),
        }
    }

    fn open_session(&mut self, key: i64) {
        if let Ok(store) = &self.store {
            match store.session(key) {
                Ok(r) => {
                    self.open = Some(r);
                    self.message = None; // what the list said is not about this session
                }
                Err(e) => self.message = Some(e.to_string()),
            }
        }
    }

    /// Writes the open session as `json` or HTML into the export folder; says where.
    pub fn export(&mut self, json: bool) {
        let (Ok(store), Some(record)) = (&self.store, &self.open) else { return };
        let key = record.summary.key;
        let exported = if json { store.export_json(key) } else { store.export_html(key) };
        let name = export_name(&record.summary, if json { "json" } else { "html" });
        let path = self.export_dir.join(name);
        self.message = Some(match exported {
            Err(e) => e.to_string(),
            Ok(text) => match write_new(&path, text.as_bytes()) {
                Ok(()) => t!("history-saved", path = path.display().to_string()),
                Err(e) => t!("history-save-failed", path = path.display().to_string(), why = e.to_string()),
            },
        });
    }

    /// Draws the view.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> HistoryAction {
        let mut action = HistoryAction::None;
        for r in &mut self.reports {
            if let crate::inventory_ui::ReportAction::Open(path) =
                r.ui(ui.ctx(), self.utc_offset_s, &self.export_dir, crate::inventory_ui::print_dir())
            {
                action = HistoryAction::OpenFile(path);
            }
        }
        self.reports.retain(|r| r.open);
        egui::CentralPanel::default().show(ui, |ui| {
            if self.open.is_some() {
                self.record_ui(ui);
                return;
            }
            self.reports.clear();
            ui.horizontal(|ui| {
                ui.heading(t!("history-title"));
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button(t!("history-close")).clicked() {
                        action = HistoryAction::Close;
                    }
                });
            });
            ui.add_space(space::S);
            let mut go = false;
            ui.horizontal(|ui| {
                let l = ui.label(t!("history-query"));
                let r = ui.add(TextEdit::singleline(&mut self.query).desired_width(200.0)).labelled_by(l.id);
                go |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                let l = ui.label(t!("history-from"));
                let r = ui.add(TextEdit::singleline(&mut self.from).hint_text("2026-11-01").desired_width(90.0));
                let r = r.labelled_by(l.id);
                go |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                let l = ui.label(t!("history-until"));
                let r = ui.add(TextEdit::singleline(&mut self.until).hint_text("2026-11-30").desired_width(90.0));
                let r = r.labelled_by(l.id);
                go |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                go |= ui.button(t!("history-search")).clicked();
            });
            if go {
                self.search();
            }
            if let Some(m) = &self.message {
                ui.add_space(space::XS + space::XXS);
                ui.label(m);
            }
            ui.add_space(space::S);
            let mut open = None;
            ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
                egui::Grid::new("history-results").num_columns(6).striped(true).spacing([16.0, 6.0]).show(ui, |ui| {
                    for h in [
                        t!("history-col-started"),
                        t!("history-col-tracking-code"),
                        t!("history-col-type"),
                        t!("history-col-customers"),
                        t!("history-col-outcome"),
                        String::new(),
                    ] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for s in &self.results {
                        ui.label(date_time(s.started_ms, self.utc_offset_s));
                        ui.label(if s.tracking_code.is_empty() { "—" } else { &s.tracking_code });
                        ui.label(&s.session_type);
                        ui.label(if s.customers.is_empty() { "—".to_owned() } else { s.customers.join(", ") });
                        outcome_label(ui, s.outcome);
                        if ui.button(t!("history-open")).clicked() {
                            open = Some(s.key);
                        }
                        ui.end_row();
                    }
                });
            });
            if let Some(key) = open {
                self.open_session(key);
            }
        });
        action
    }

    fn record_ui(&mut self, ui: &mut egui::Ui) {
        let offset = self.utc_offset_s;
        let mut back = false;
        let mut export = None;
        let mut open_inventory = None;
        let Some(r) = &self.open else { return };
        let s = &r.summary;
        ui.horizontal(|ui| {
            back = ui.button(t!("history-back")).clicked();
            ui.heading(if s.tracking_code.is_empty() {
                s.session_type.clone()
            } else {
                format!("{} · {}", s.session_type, s.tracking_code)
            });
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button(t!("history-export-html")).clicked() {
                    export = Some(false);
                }
                if ui.button(t!("history-export-json")).clicked() {
                    export = Some(true);
                }
            });
        });
        if let Some(m) = &self.message {
            ui.label(m);
        }
        ui.add_space(space::S);
        ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            egui::Grid::new("history-record").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
                ui.label(t!("history-csr"));
                ui.label(&s.csr_name);
                ui.end_row();
                ui.label(t!("history-started"));
                ui.label(date_time(s.started_ms, offset));
                ui.end_row();
                ui.label(t!("history-ended"));
                ui.label(s.ended_ms.map_or_else(|| "—".to_owned(), |t| date_time(t, offset)));
                ui.end_row();
                ui.label(t!("history-outcome"));
                outcome_label(ui, s.outcome);
                ui.end_row();
            });
            people_ui(ui, r, offset);
            section(ui, &t!("history-chat"));
            if r.chat.is_empty() {
                ui.weak(t!("history-chat-none"));
            }
            for c in &r.chat {
                ui.horizontal_wrapped(|ui| {
                    ui.weak(date_time(c.at_ms, offset));
                    ui.label(RichText::new(&c.from_name).strong());
                    ui.weak(t!("history-chat-to", to = stored_reader(&c.to_label)));
                    ui.label(&c.text);
                });
            }
            if !r.files.is_empty() {
                section(ui, &t!("history-files"));
                for f in &r.files {
                    ui.label(t!(
                        "history-file",
                        when = date_time(f.at_ms, offset),
                        name = f.name.clone(),
                        size = f.size,
                        direction = f.direction.clone(),
                        who = f.who.clone(),
                        outcome = f.outcome.clone()
                    ));
                }
            }
            if !r.inventories.is_empty() {
                section(ui, &t!("history-system-info"));
                for inv in &r.inventories {
                    ui.horizontal(|ui| {
                        ui.label(t!(
                            "history-system-info-from",
                            name = inv.name.clone(),
                            when = date_time(inv.at_ms, offset)
                        ));
                        if ui.button(t!("history-system-info-open")).clicked() {
                            open_inventory = Some(inv.clone());
                        }
                    });
                }
            }
            section(ui, &t!("history-notes"));
            ui.label(if r.notes.is_empty() { "—" } else { &r.notes });
            section(ui, &t!("history-end-notes"));
            ui.label(if r.end_notes.is_empty() { "—" } else { &r.end_notes });
        });
        if back {
            self.open = None;
            self.message = None;
        }
        if let Some(json) = export {
            self.export(json);
        }
        if let Some(inv) = open_inventory {
            match serde_json::from_value::<deskside_proto::Inventory>(inv.inventory) {
                Ok(parsed) => self.reports.push(crate::inventory_ui::ReportView::new(&inv.name, inv.at_ms, parsed)),
                Err(e) => self.message = Some(e.to_string()),
            }
        }
    }
}

/// Who took part, and what each customer allowed, refused or stopped.
fn people_ui(ui: &mut egui::Ui, r: &SessionRecord, offset: i32) {
    section(ui, &t!("history-participants"));
    for p in &r.participants {
        let role = stored_role(&p.role);
        let joined = date_time(p.joined_ms, offset);
        ui.label(match p.left_ms {
            Some(left) => t!(
                "history-participant-left",
                name = p.name.clone(),
                role = role,
                joined = joined,
                left = date_time(left, offset)
            ),
            None => t!("history-participant", name = p.name.clone(), role = role, joined = joined),
        });
    }
    section(ui, &t!("history-consent"));
    if r.consents.is_empty() {
        ui.weak(t!("history-consent-none"));
    }
    for c in &r.consents {
        let who = r.participants.iter().find(|p| p.participant == c.participant).map_or("?", |p| &p.name);
        let when = date_time(c.at_ms, offset);
        let what = stored_capability(&c.capability);
        ui.label(if c.granted {
            t!("history-consent-allowed", when = when, who = who, what = what)
        } else {
            t!("history-consent-stopped", when = when, who = who, what = what)
        });
    }
}

fn section(ui: &mut egui::Ui, title: &str) {
    ui.add_space(space::M);
    ui.label(RichText::new(title).strong().size(15.0));
    ui.add_space(space::XXS);
}

fn outcome_label(ui: &mut egui::Ui, outcome: Outcome) {
    match outcome {
        Outcome::EndedUnexpectedly => {
            ui.colored_label(ui.visuals().warn_fg_color, t!("outcome-ended-unexpectedly"));
        }
        Outcome::Ended => {
            ui.label(t!("outcome-ended"));
        }
        Outcome::Running => {
            ui.label(t!("outcome-running"));
        }
    }
}

/// A role as the history stores it, in the window's language (unknown words as stored).
fn stored_role(role: &str) -> String {
    match role {
        "CSR in control" => t!("role-csr-in-control"),
        "CSR" => t!("role-csr"),
        "primary customer" => t!("role-primary-customer"),
        "customer" => t!("role-secondary-customer"),
        other => other.to_owned(),
    }
}

/// A capability as the history stores it, in the window's language.
fn stored_capability(cap: &str) -> String {
    match cap {
        "view screen" => t!("grant-view"),
        "control mouse and keyboard" => t!("grant-control"),
        other => other.to_owned(),
    }
}

/// A chat's readers as the history stores them, in the window's language.
fn stored_reader(to: &str) -> String {
    match to {
        "everyone" => t!("chat-everyone"),
        "support representatives" => t!("chat-csrs"),
        other => other.to_owned(),
    }
}

/// The first millisecond of `day` (`YYYY-MM-DD`, at `offset_s` from UTC); `None` when empty.
fn day_start(day: &str, offset_s: i32) -> Result<Option<u64>, ()> {
    let day = day.trim();
    if day.is_empty() {
        return Ok(None);
    }
    let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| ())?;
    let midnight = date.and_hms_opt(0, 0, 0).ok_or(())?.and_utc().timestamp_millis() - i64::from(offset_s) * 1000;
    u64::try_from(midnight).map(Some).map_err(|_| ())
}

/// A file name for an export: the tracking code (letters, digits, `-` and `_` only) or the key.
fn export_name(s: &SessionSummary, ext: &str) -> String {
    let code: String =
        s.tracking_code.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).take(40).collect();
    if code.is_empty() {
        format!("deskside-session-{}.{ext}", s.key)
    } else {
        format!("deskside-session-{code}-{}.{ext}", s.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_in_local_time() {
        assert_eq!(day_start("2026-11-25", 0), Ok(Some(1_795_564_800_000)));
        assert_eq!(day_start("", 0), Ok(None));
        assert_eq!(day_start("25/11/2026", 0), Err(()));
        assert_eq!(
            day_start("2026-11-25", 3600).unwrap().unwrap() + 3_600_000,
            day_start("2026-11-25", 0).unwrap().unwrap()
        );
    }
}
