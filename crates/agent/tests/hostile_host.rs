//! A hostile host, over real loopback QUIC, against the real agent: a rogue "host" (a real
//! endpoint that welcomes the agent, then does as the test says) pushes other files than the
//! customer allowed, names hidden folders, floods requests without reading the answers, and
//! sends what no person should see. Each test attacks and checks the outcome; where memory is
//! the target, the process's peak memory is measured around the attack.
//!
//! The tests of this file run one at a time (their memory is measured across the process).
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use deskside_agent::engine::{AgentEvent, AgentHandle, CloseReason, Event, serve};
use deskside_net::framed::{read_msg, write_msg};
use deskside_net::guest::refusal_of;
use deskside_net::{Identity, now_ms};
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{
    AppKind, Capability, FileId, FolderAt, Hello, InputEvent, Invite, InviteRole, MAX_CONTROL_MSG_BYTES,
    MAX_INPUT_MSG_BYTES, MAX_UNI_HEADER_BYTES, MoveId, MoveSummary, MovedFile, OnConflict, ParticipantId, Refusal,
    Role, ToGuest, ToHost, UniHeader, Welcome,
};

// ─── A hostile host ────────────────────────────────────────────────────────────────────────────

/// A rogue "host": a real TLS endpoint that welcomes the agent and then does as the test says.
struct Rogue {
    _ep: iroh::Endpoint,
    conn: iroh::endpoint::Connection,
    send: iroh::endpoint::SendStream,
    recv: iroh::endpoint::RecvStream,
}

impl Rogue {
    async fn say(&mut self, msg: &ToGuest) -> bool {
        write_msg(&mut self.send, msg, MAX_CONTROL_MSG_BYTES).await.is_ok()
    }

    /// The next message from the agent matching `f`, skipping others; `None` if none comes
    /// within `wait`.
    async fn heard_within<T>(&mut self, wait: Duration, mut f: impl FnMut(&ToHost) -> Option<T>) -> Option<T> {
        tokio::time::timeout(wait, async {
            loop {
                let m = read_msg::<ToHost>(&mut self.recv, MAX_CONTROL_MSG_BYTES).await.ok()?;
                if let Some(t) = f(&m) {
                    return Some(t);
                }
            }
        })
        .await
        .ok()
        .flatten()
    }

    async fn heard<T>(&mut self, f: impl FnMut(&ToHost) -> Option<T>) -> T {
        self.heard_within(WAIT, f).await.expect("the agent did not say it")
    }
}

/// Starts a rogue host, joins the real agent to it and returns both.
async fn rogue_with_agent(sink: &RecordingSink) -> (Rogue, AgentHandle) {
    let id = Identity::generate().unwrap();
    let ep = deskside_net::transport::host_endpoint(
        id.secret.clone(),
        "127.0.0.1:0".parse().unwrap(),
        &deskside_net::transport::Relays::default(),
    )
    .await
    .unwrap();
    let inv = Invite {
        host: deskside_proto::HostAddr {
            id: id.id,
            relays: vec![],
            relay_token: String::new(),
            addrs: ep.bound_sockets(),
        },
        session: deskside_proto::SessionId([1; 16]),
        role: InviteRole::Customer,
        secret: [2; 16],
        expires_unix_s: now_ms() / 1000 + 600,
    };
    let server = ep.clone();
    let accept = tokio::spawn(async move {
        let conn = server.accept().await.unwrap().accept().unwrap().await.unwrap();
        deskside_net::transport::admitted(&conn);
        let (mut send, mut recv) = conn.accept_bi().await.unwrap();
        let _hello: Hello = read_msg(&mut recv, MAX_CONTROL_MSG_BYTES).await.unwrap();
        let welcome = Welcome {
            you: ParticipantId(1),
            role: Role::PrimaryCustomer,
            csr_name: "Rogue".into(),
            organisation: String::new(),
            session_type: String::new(),
            tracking_code: String::new(),
            started_unix_ms: 0,
            participants: vec![],
            certificate: None,
        };
        write_msg(&mut send, &ToGuest::Welcome(welcome), MAX_CONTROL_MSG_BYTES).await.unwrap();
        (conn, send, recv)
    });
    let link = deskside_net::guest::join(&inv, "Ana", AppKind::Agent, now_ms() / 1000).await.unwrap();
    let agent =
        serve(link, inv, &synthetic_options("Ana", &SyntheticSource::new(8, 8, pattern(0)), sink), Arc::new(|| {}));
    let (conn, send, recv) = accept.await.unwrap();
    (Rogue { _ep: ep, conn, send, recv }, agent)
}

/// The rogue asks for `capability` and the customer allows it in their window.
async fn customer_allows(rogue: &mut Rogue, agent: &AgentHandle, capability: Capability, request: u32) {
    assert!(rogue.say(&ToGuest::ConsentRequest { request, capability, from_name: "Rogue".into() }).await);
    until("the request is shown", || agent.gate().consent().pending().is_some_and(|p| p.request == request)).await;
    agent.answer(request, true);
    rogue.heard(|m| matches!(m, ToHost::ConsentAnswer { allowed: true, .. }).then_some(())).await;
}

fn moved(file: u32, path: &[&str], size: u64) -> MovedFile {
    MovedFile { file: FileId(file), path: path.iter().map(|p| (*p).to_owned()).collect(), size, sha256: [0; 32] }
}

#[test]
fn a_host_can_write_only_the_names_count_size_and_folder_the_customer_allowed() {
    run(async {
        // Not under a hidden folder (tempfile's own names start with a dot).
        let dir = visible_tempdir();
        let folder = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::write(folder.join(".bashrc"), b"the customer's own").unwrap();
        let sink = RecordingSink::default();
        let (mut rogue, agent) = rogue_with_agent(&sink).await;
        customer_allows(&mut rogue, &agent, Capability::Files, 1).await;
        let report = MoveSummary { name: "report.pdf".into(), dir: false, files: 1, bytes: 4 };
        // Allowed: "report.pdf into this folder". Sent instead: .bashrc; two files; more bytes.
        let lies = [
            vec![moved(10, &[".bashrc"], 4)],
            vec![moved(20, &["report.pdf"], 4), moved(21, &["report.pdf", "x"], 4)],
            vec![moved(30, &["report.pdf"], 4_000_000)],
        ];
        for (i, files) in lies.into_iter().enumerate() {
            let push = 100 + i as u32;
            let ask = ToGuest::PushAsk {
                push: MoveId(push),
                from_name: "Rogue".into(),
                summary: report.clone(),
                folder: folder.to_string_lossy().into_owned(),
                on_conflict: OnConflict::Replace,
            };
            assert!(rogue.say(&ask).await);
            until("the push is put to the customer", || agent.move_asks().iter().any(|a| a.id == MoveId(push))).await;
            agent.answer_move(MoveId(push), true);
            rogue
                .heard(|m| {
                    matches!(m, ToHost::PushAnswer { push: p, allowed: true, .. } if *p == MoveId(push)).then_some(())
                })
                .await;
            assert!(rogue.say(&ToGuest::PushFiles { push: MoveId(push), files, last: true }).await);
            until("the move failed", || {
                agent
                    .moves()
                    .entries()
                    .iter()
                    .any(|e| e.id == MoveId(push) && matches!(e.status, deskside_agent::moves::MoveStatus::Failed(_)))
            })
            .await;
        }
        let fetched =
            rogue.heard_within(Duration::from_secs(1), |m| matches!(m, ToHost::FetchFile { .. }).then_some(())).await;
        assert!(fetched.is_none(), "nothing of what was not allowed is asked for");
        assert_eq!(std::fs::read(folder.join(".bashrc")).unwrap(), b"the customer's own");
        assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1, "nothing was written");

        // A relative folder is refused without even asking the customer.
        let ask = ToGuest::PushAsk {
            push: MoveId(200),
            from_name: "Rogue".into(),
            summary: report.clone(),
            folder: "Documents".into(),
            on_conflict: OnConflict::KeepBoth,
        };
        assert!(rogue.say(&ask).await);
        rogue.heard(|m| matches!(m, ToHost::PushAnswer { push: MoveId(200), allowed: false, .. }).then_some(())).await;
        assert!(agent.move_asks().iter().all(|a| a.id != MoveId(200)));

        // The honest push still works: exactly what was allowed is asked for.
        let ask = ToGuest::PushAsk {
            push: MoveId(300),
            from_name: "Rogue".into(),
            summary: report.clone(),
            folder: folder.to_string_lossy().into_owned(),
            on_conflict: OnConflict::KeepBoth,
        };
        assert!(rogue.say(&ask).await);
        until("the push is put to the customer", || agent.move_asks().iter().any(|a| a.id == MoveId(300))).await;
        agent.answer_move(MoveId(300), true);
        assert!(
            rogue
                .say(&ToGuest::PushFiles { push: MoveId(300), files: vec![moved(40, &["report.pdf"], 4)], last: true })
                .await
        );
        rogue.heard(|m| matches!(m, ToHost::FetchFile { file: FileId(40), .. }).then_some(())).await;
    });
}

#[test]
fn a_host_cannot_list_or_take_hidden_files_by_naming_them() {
    run(async {
        // Not under a hidden folder (tempfile's own names start with a dot).
        let dir = visible_tempdir();
        let folder = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir(folder.join(".ssh")).unwrap();
        std::fs::write(folder.join(".ssh/id_ed25519"), b"secret").unwrap();
        std::fs::write(folder.join(".bashrc"), b"x").unwrap();
        std::fs::create_dir(folder.join("Photos")).unwrap();
        std::fs::write(folder.join("Photos/.hidden"), b"x").unwrap();
        std::fs::write(folder.join("Photos/a.jpg"), b"x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(folder.join(".ssh"), folder.join("keys")).unwrap();
        let sink = RecordingSink::default();
        let (mut rogue, agent) = rogue_with_agent(&sink).await;
        customer_allows(&mut rogue, &agent, Capability::Files, 1).await;
        let f = folder.to_string_lossy().into_owned();
        let asks = [
            FolderAt::Path(format!("{f}/.ssh")),
            FolderAt::Child { folder: f.clone(), name: ".ssh".into() },
            FolderAt::Path(format!("{f}/keys")),
            FolderAt::Path("relative/path".into()),
        ];
        for (req, at) in asks.into_iter().enumerate() {
            let req = req as u32 + 1;
            assert!(rogue.say(&ToGuest::ListFolder { req, at: at.clone() }).await);
            let listing = rogue
                .heard(|m| match m {
                    ToHost::Folder { req: r, listing } if *r == req => Some(listing.clone()),
                    _ => None,
                })
                .await;
            assert!(listing.is_err(), "{at:?} was listed: {listing:?}");
        }
        // The folder itself: listed, hidden entries left out.
        assert!(rogue.say(&ToGuest::ListFolder { req: 9, at: FolderAt::Path(f.clone()) }).await);
        let listing = rogue
            .heard(|m| match m {
                ToHost::Folder { req: 9, listing } => Some(listing.clone()),
                _ => None,
            })
            .await
            .unwrap();
        assert!(listing.entries.iter().all(|e| !e.name.starts_with('.')), "{listing:?}");
        // Taking a hidden file, or a folder with hidden files, never sends them.
        assert!(
            rogue
                .say(&ToGuest::PullAsk {
                    pull: MoveId(50),
                    from_name: "Rogue".into(),
                    folder: f.clone(),
                    name: ".bashrc".into()
                })
                .await
        );
        rogue.heard(|m| matches!(m, ToHost::PullRefused { pull: MoveId(50), .. }).then_some(())).await;
        assert!(
            rogue
                .say(&ToGuest::PullAsk {
                    pull: MoveId(51),
                    from_name: "Rogue".into(),
                    folder: f.clone(),
                    name: "Photos".into()
                })
                .await
        );
        until("the pull is put to the customer", || agent.move_asks().iter().any(|a| a.id == MoveId(51))).await;
        agent.answer_move(MoveId(51), true);
        let files = rogue
            .heard(|m| match m {
                ToHost::PullFiles { pull: MoveId(51), files, .. } => Some(files.clone()),
                _ => None,
            })
            .await;
        let names: Vec<String> = files.iter().map(|f| f.path.join("/")).collect();
        assert_eq!(names, vec!["Photos/a.jpg"], "the hidden file stays home");
    });
}

#[test]
fn a_host_that_floods_without_reading_is_cut_off_with_bounded_memory() {
    run(async {
        let sink = RecordingSink::default();
        let (mut rogue, mut agent) = rogue_with_agent(&sink).await;
        reset_peak();
        let before = rss_mib();
        // Requests as fast as the agent reads them, answers never read: the rogue's own
        // connection window (this code's unadmitted one, 128 KiB) fills at once.
        let mut sent = 0u32;
        for request in 0..60_000u32 {
            let msg =
                ToGuest::ConsentRequest { request, capability: Capability::SystemInfo, from_name: "Rogue".into() };
            if !rogue.say(&msg).await {
                break;
            }
            sent += 1;
        }
        let why = agent_event(&mut agent, |e| match e {
            AgentEvent::Session(Event::Closed(why)) => Some(why.clone()),
            _ => None,
        })
        .await;
        assert_eq!(why, CloseReason::Refused(Refusal::NotAllowed), "after {sent} requests");
        let closed = tokio::time::timeout(WAIT, rogue.conn.closed()).await.unwrap();
        assert_eq!(refusal_of(&closed), Some(Refusal::NotAllowed));
        let grew = peak_mib().saturating_sub(before);
        println!("the agent grew {grew} MiB under {sent} requests never read");
        assert!(grew < 64, "the agent grew {grew} MiB");
        assert!(agent.gate().consent().pending().is_none_or(|_| true));
    });
}

#[test]
fn a_host_sending_what_no_person_should_see_is_refused() {
    run(async {
        // A name in a consent dialog longer than any name.
        let sink = RecordingSink::default();
        let (mut rogue, mut agent) = rogue_with_agent(&sink).await;
        let huge = ToGuest::ConsentRequest { request: 1, capability: Capability::View, from_name: "M".repeat(10_000) };
        assert!(rogue.say(&huge).await);
        let why = agent_event(&mut agent, |e| match e {
            AgentEvent::Session(Event::Closed(why)) => Some(why.clone()),
            _ => None,
        })
        .await;
        assert_eq!(why, CloseReason::Refused(Refusal::Malformed));
        assert!(agent.gate().consent().pending().is_none(), "never shown");

        // A wheel step no wheel makes (i32::MIN overflowed `abs()` in the input task), with
        // control allowed.
        let (mut rogue, mut agent) = rogue_with_agent(&sink).await;
        customer_allows(&mut rogue, &agent, Capability::Control, 1).await;
        let mut input = rogue.conn.open_uni().await.unwrap();
        write_msg(&mut input, &UniHeader::Input, MAX_UNI_HEADER_BYTES).await.unwrap();
        write_msg(&mut input, &InputEvent::Wheel { dx: 0, dy: i32::MIN }, MAX_INPUT_MSG_BYTES).await.unwrap();
        let why = agent_event(&mut agent, |e| match e {
            AgentEvent::Session(Event::Closed(why)) => Some(why.clone()),
            _ => None,
        })
        .await;
        assert_eq!(why, CloseReason::Refused(Refusal::Malformed));
        assert!(sink.events().is_empty(), "nothing was injected");
    });
}
