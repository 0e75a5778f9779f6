#![allow(clippy::unwrap_used, missing_docs)] // A test: a panic is a failure with its message.

//! The session history on a real SQLite file: migrations, a newer file refused untouched, crash
//! recovery, a whole session read back, search, exports, and the recorder losing nothing.

use deskside_history::{
    ChatRecord, Entry, FileRecord, History, HistoryError, NewSession, Outcome, Recorder, SCHEMA_VERSION, STALE_MS,
    Search,
};

const T0: u64 = 1_790_000_000_000; // 2026-09-21

fn new_session(uid: &str, tracking: &str, at: u64) -> NewSession {
    NewSession {
        uid: uid.into(),
        session_type: "General support".into(),
        tracking_code: tracking.into(),
        csr_name: "Sam Rivera".into(),
        started_ms: at,
        site: String::new(),
    }
}

fn chat(at_ms: u64, from: &str, text: &str) -> ChatRecord {
    ChatRecord { at_ms, from_name: from.into(), to_label: "everyone".into(), text: text.into() }
}

#[test]
fn a_new_file_gets_the_current_schema_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/history.sqlite3");
    let key = {
        let h = History::open(&path, T0).unwrap();
        assert_eq!(h.schema_version().unwrap(), SCHEMA_VERSION);
        h.begin(&new_session("a1", "TCK-1", T0)).unwrap()
    };
    let h = History::open(&path, T0 + 1000).unwrap();
    assert_eq!(h.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(h.session(key).unwrap().summary.tracking_code, "TCK-1");
}

#[test]
fn a_file_from_a_newer_version_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    {
        let h = History::open(&path, T0).unwrap();
        h.begin(&new_session("a1", "TCK-1", T0)).unwrap();
    }
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.pragma_update(None, "journal_mode", "DELETE").unwrap(); // fold the WAL into the file
        raw.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = History::open(&path, T0).unwrap_err();
    assert!(matches!(err, HistoryError::Newer { found: 99, supported: SCHEMA_VERSION }));
    assert!(err.to_string().contains("newer version of Deskside"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "not a byte changed");
}

#[test]
fn a_file_that_is_not_a_history_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    std::fs::write(&path, b"this is not a database, just some text that someone left here ......").unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = History::open(&path, T0).unwrap_err();
    assert!(err.to_string().starts_with("The session history could not be read or written"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_folder_that_cannot_be_made_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"a file where the folder should go").unwrap();
    let err = History::open(&blocker.join("history.sqlite3"), T0).unwrap_err();
    assert!(matches!(err, HistoryError::Folder { .. }), "{err:?}");
    assert!(err.to_string().starts_with("The session history could not be kept in"), "{err}");
}

#[test]
fn a_session_left_running_by_a_crash_is_marked_ended_unexpectedly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    let key = {
        let h = History::open(&path, T0).unwrap();
        let key = h.begin(&new_session("a1", "TCK-1", T0)).unwrap();
        h.chat(key, &chat(T0 + 5_000, "Ana", "hello")).unwrap();
        h.heartbeat(key, T0 + 60_000).unwrap();
        key
        // The console "crashes": the session is never ended.
    };
    // Opened again while it could still be running elsewhere: left alone.
    let h = History::open(&path, T0 + 60_000 + STALE_MS / 2).unwrap();
    assert_eq!(h.session(key).unwrap().summary.outcome, Outcome::Running);
    drop(h);
    // Opened after its heartbeat went quiet: ended unexpectedly, at its last heartbeat.
    let h = History::open(&path, T0 + 60_000 + STALE_MS + 1).unwrap();
    let s = h.session(key).unwrap();
    assert_eq!(s.summary.outcome, Outcome::EndedUnexpectedly);
    assert_eq!(s.summary.ended_ms, Some(T0 + 60_000));
    assert_eq!(s.chat.len(), 1, "what was recorded before the crash is kept");
}

#[test]
fn a_whole_session_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open(&dir.path().join("h.sqlite3"), T0).unwrap();
    let key = h.begin(&new_session("a1", "TCK-7", T0)).unwrap();
    h.joined(key, 1, "Sam Rivera", "CSR in control", T0).unwrap();
    h.joined(key, 2, "Ana Gómez", "primary customer", T0 + 10_000).unwrap();
    h.joined(key, 2, "Ana Gómez", "primary customer", T0 + 12_000).unwrap(); // seen again: no change
    h.consent(key, 2, "view screen", true, T0 + 20_000).unwrap();
    h.consent(key, 2, "view screen", false, T0 + 90_000).unwrap();
    h.chat(key, &chat(T0 + 30_000, "Ana Gómez", "my printer is offline")).unwrap();
    h.notes(key, "Printer queue stuck").unwrap();
    h.notes(key, "Printer queue stuck; driver reinstalled").unwrap();
    let file = FileRecord {
        at_ms: T0 + 40_000,
        name: "driver.deb".into(),
        size: 1234,
        sha256: "ab".repeat(32),
        direction: "to customer".into(),
        who: "Sam Rivera".into(),
        outcome: "done".into(),
    };
    h.file(key, &file).unwrap();
    h.end(key, "Fixed.", T0 + 100_000).unwrap();

    let s = h.session(key).unwrap();
    assert_eq!(s.summary.outcome, Outcome::Ended);
    assert_eq!(s.summary.ended_ms, Some(T0 + 100_000));
    assert_eq!(s.summary.customers, vec!["Ana Gómez".to_owned()]);
    assert_eq!(s.participants.len(), 2);
    assert_eq!(s.participants[1].joined_ms, T0 + 10_000);
    assert!(s.participants.iter().all(|p| p.left_ms == Some(T0 + 100_000)), "everyone left at the end");
    assert_eq!(s.consents.iter().map(|c| c.granted).collect::<Vec<_>>(), vec![true, false]);
    assert_eq!(s.chat[0].text, "my printer is offline");
    assert_eq!(s.files, vec![file]);
    assert_eq!(s.notes, "Printer queue stuck; driver reinstalled");
    assert_eq!(s.end_notes, "Fixed.");
    assert!(matches!(h.end(key + 100, "", T0), Err(HistoryError::NoSuchSession)));
}

#[test]
fn search_by_tracking_code_customer_and_date() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open(&dir.path().join("h.sqlite3"), T0).unwrap();
    let day = 24 * 3600 * 1000;
    let a = h.begin(&new_session("a", "INC-100", T0)).unwrap();
    h.joined(a, 2, "Ana Gómez", "primary customer", T0).unwrap();
    let b = h.begin(&new_session("b", "INC-200", T0 + day)).unwrap();
    h.joined(b, 2, "Bo Chen", "primary customer", T0 + day).unwrap();
    h.joined(b, 3, "Ana's colleague", "secondary customer", T0 + day).unwrap();
    let c = h.begin(&new_session("c", "50%_off", T0 + 2 * day)).unwrap();
    h.end(a, "", T0 + 1000).unwrap();

    let keys = |q: Search| h.search(&q).unwrap().into_iter().map(|s| s.key).collect::<Vec<_>>();
    assert_eq!(keys(Search::default()), vec![c, b, a], "newest first");
    assert_eq!(keys(Search { text: "inc-1".into(), ..Search::default() }), vec![a], "part of a code, any case");
    assert_eq!(keys(Search { text: "ana".into(), ..Search::default() }), vec![b, a], "a customer's name");
    assert_eq!(keys(Search { text: "Sam".into(), ..Search::default() }), Vec::<i64>::new(), "not the CSR's");
    assert_eq!(keys(Search { text: "%".into(), ..Search::default() }), vec![c], "wildcards are literal");
    assert_eq!(keys(Search { text: "%_".into(), ..Search::default() }), vec![c]);
    assert_eq!(keys(Search { text: "0_".into(), ..Search::default() }), Vec::<i64>::new(), "_ is not any letter");
    let one_day = Search { text: String::new(), from_ms: Some(T0 + day), until_ms: Some(T0 + 2 * day) };
    assert_eq!(keys(one_day), vec![b]);
    let summaries = h.search(&Search { text: "bo".into(), ..Search::default() }).unwrap();
    assert_eq!(summaries[0].customers, vec!["Bo Chen".to_owned(), "Ana's colleague".to_owned()]);
    assert_eq!(summaries[0].outcome, Outcome::Running);
}

#[test]
fn exports_are_complete_and_the_report_escapes_what_others_typed() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open(&dir.path().join("h.sqlite3"), T0).unwrap();
    let key = h.begin(&new_session("a1", "TCK-<9>", T0)).unwrap();
    h.joined(key, 2, "<img src=x onerror=alert(1)>", "primary customer", T0).unwrap();
    h.chat(key, &chat(T0 + 1, "<b>Eve</b>", "<script>steal()</script> & more")).unwrap();
    h.end(key, "done \"quoted\"", T0 + 2).unwrap();

    let json: serde_json::Value = serde_json::from_str(&h.export_json(key).unwrap()).unwrap();
    assert_eq!(json["summary"]["tracking_code"], "TCK-<9>");
    assert_eq!(json["summary"]["outcome"], "ended");
    assert_eq!(json["chat"][0]["text"], "<script>steal()</script> & more");
    assert_eq!(json["end_notes"], "done \"quoted\"");

    let html = h.export_html(key).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("&lt;script&gt;steal()&lt;/script&gt; &amp; more"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("TCK-&lt;9&gt;"));
    assert!(!html.contains("<script>") && !html.contains("<img") && !html.contains("<b>Eve"));
}

#[test]
fn the_recorder_keeps_everything_even_past_its_queue() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite3");
    {
        let mut r = Recorder::spawn(History::open(&path, T0).unwrap()).unwrap();
        r.record(Entry::Begin(new_session("a1", "TCK-1", T0)));
        r.record(Entry::Joined { participant: 2, name: "Ana".into(), role: "primary customer".into(), at_ms: T0 });
        for i in 0..5000u64 {
            r.record(Entry::Chat(chat(T0 + i, "Ana", &format!("line {i}"))));
        }
        r.record(Entry::Consent { participant: 2, capability: "control".into(), granted: true, at_ms: T0 + 6000 });
        r.record(Entry::Notes("kept".into()));
        r.record(Entry::End { end_notes: "bye".into(), at_ms: T0 + 7000 });
        assert_eq!(r.error(), None);
        // Dropping the recorder writes what is still queued.
    }
    let h = History::open(&path, T0 + 8000).unwrap();
    let all = h.search(&Search::default()).unwrap();
    assert_eq!(all.len(), 1);
    let s = h.session(all[0].key).unwrap();
    assert_eq!(s.chat.len(), 5000);
    assert_eq!(s.chat[4999].text, "line 4999");
    assert_eq!(s.consents.len(), 1);
    assert_eq!((s.notes.as_str(), s.end_notes.as_str()), ("kept", "bye"));
    assert_eq!(s.summary.outcome, Outcome::Ended);
}

#[test]
fn a_flood_the_writer_cannot_keep_up_with_is_bounded_said_and_the_end_still_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite3");
    let flood = 300_000u64;
    {
        let mut r = Recorder::spawn(History::open(&path, T0).unwrap()).unwrap();
        r.record(Entry::Begin(new_session("a1", "TCK-1", T0)));
        // Far faster than any disk: the backlog fills and stops at its bound.
        for i in 0..flood {
            r.record(Entry::Chat(chat(T0 + i, "Eve", "flood")));
        }
        r.record(Entry::End { end_notes: "bye".into(), at_ms: T0 + flood + 1 });
        let said = r.error().unwrap();
        assert!(said.contains("cannot keep up"), "{said}");
    }
    let h = History::open(&path, T0 + flood + 10).unwrap();
    let all = h.search(&Search::default()).unwrap();
    let s = h.session(all[0].key).unwrap();
    assert!((s.chat.len() as u64) < flood, "not everything was kept: {}", s.chat.len());
    assert!(s.chat.len() >= deskside_history::recorder::MAX_BACKLOG, "what fit was: {}", s.chat.len());
    assert_eq!(s.end_notes, "bye", "the end is always kept");
    assert_eq!(s.summary.outcome, Outcome::Ended);
}

#[test]
fn a_version_1_file_is_migrated_keeping_its_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.sqlite3");
    {
        let h = History::open(&path, T0).unwrap();
        h.begin(&new_session("old", "TCK-OLD", T0)).unwrap();
    }
    {
        // Make it what version 1 wrote: no inventories table nor report columns yet.
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute_batch(
            "DROP INDEX sessions_unreported; ALTER TABLE sessions DROP COLUMN site;
             ALTER TABLE sessions DROP COLUMN reported_ms; DROP TABLE inventories; PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let h = History::open(&path, T0 + 1000).unwrap();
    assert_eq!(h.schema_version().unwrap(), SCHEMA_VERSION);
    let found = h.search(&deskside_history::Search { text: "tck-old".into(), ..Default::default() }).unwrap();
    assert_eq!(found.len(), 1, "the old session is still there");
    h.inventory(found[0].key, 2, "Ana", T0 + 5, r#"{"collected_unix_ms":1,"sections":[]}"#).unwrap();
    assert_eq!(h.session(found[0].key).unwrap().inventories.len(), 1, "and the new table works");
}

#[test]
fn system_information_is_kept_exported_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let h = History::open(&dir.path().join("history.sqlite3"), T0).unwrap();
    let key = h.begin(&new_session("inv", "TCK-9", T0)).unwrap();
    let json = r#"{"collected_unix_ms":1,"sections":[{"kind":"Processes","rows":[["1","<script>x</script>","0.0 %","1 MiB"]]}]}"#;
    h.inventory(key, 2, "Ana López", T0 + 60_000, json).unwrap();
    let record = h.session(key).unwrap();
    assert_eq!(record.inventories[0].name, "Ana López");
    assert_eq!(record.inventories[0].inventory["sections"][0]["rows"][0][1], "<script>x</script>");
    let exported: serde_json::Value = serde_json::from_str(&h.export_json(key).unwrap()).unwrap();
    assert_eq!(exported["inventories"][0]["inventory"]["sections"][0]["kind"], "Processes");
    let html = h.export_html(key).unwrap();
    assert!(html.contains("System information from Ana López"));
    assert!(html.contains("&lt;script&gt;x&lt;/script&gt;") && !html.contains("<script>x"), "escaped");
}

#[test]
fn ended_sessions_of_a_site_wait_for_it_until_it_confirms_them() {
    use deskside_proto::report::ReportOutcome;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite3");
    let site = "https://support.acme.example";
    let mut h = History::open(&path, T0).unwrap();
    let on_site = |uid: &str, at| NewSession { site: site.into(), ..new_session(uid, "TCK-9", at) };
    let lone = h.begin(&new_session("00000000000000000000000000000001", "", T0)).unwrap();
    let first = h.begin(&on_site("00000000000000000000000000000002", T0 + 1)).unwrap();
    let running = h.begin(&on_site("00000000000000000000000000000003", T0 + 2)).unwrap();
    h.joined(first, 2, "Ana", "primary customer", T0 + 10).unwrap();
    h.chat(first, &chat(T0 + 20, "Ana", "hi")).unwrap();
    h.inventory(first, 2, "Ana", T0 + 30, r#"{"collected_unix_ms":1,"sections":[]}"#).unwrap();
    h.end(first, "Fixed.", T0 + 100).unwrap();
    h.end(lone, "", T0 + 100).unwrap();

    // A session without a site, and one still running, are not reported.
    assert_eq!(h.unreported(site, 10).unwrap(), vec![first]);
    assert_eq!(h.unreported_count(site).unwrap(), 1);
    assert!(h.unreported("", 10).unwrap().is_empty());
    assert!(h.report(running).unwrap().is_none());
    let r = h.report(first).unwrap().unwrap();
    assert_eq!(r.check(), Ok(()));
    assert_eq!((r.outcome, r.ended_ms, r.end_notes.as_str()), (ReportOutcome::Ended, T0 + 100, "Fixed."));
    assert_eq!((r.customers(), r.chat.len()), (vec!["Ana"], 1));

    // A crash: the running one is ended unexpectedly when the file opens again, and waits too.
    h.heartbeat(running, T0 + 50).unwrap();
    drop(h);
    let h = History::open(&path, T0 + 50 + STALE_MS + 1).unwrap();
    assert_eq!(h.unreported(site, 10).unwrap(), vec![first, running]);
    assert_eq!(h.report(running).unwrap().unwrap().outcome, ReportOutcome::EndedUnexpectedly);
    assert_eq!(h.unreported(site, 1).unwrap(), vec![first], "oldest first, within the limit");

    h.reported(first, T0 + 200).unwrap();
    h.reported(first, T0 + 300).unwrap();
    assert_eq!(h.reported_at(first).unwrap(), Some(T0 + 200), "confirmed once, at the first answer");
    assert_eq!(h.unreported(site, 10).unwrap(), vec![running]);
    assert_eq!(h.reported_at(lone).unwrap(), None);
}
