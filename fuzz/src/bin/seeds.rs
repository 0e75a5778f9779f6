//! Writes the seed corpus of every fuzz target (`fuzz/corpus/<target>/seed-*`): honest messages
//! of each kind, encoded as the apps encode them, for libFuzzer to start from.

use deskside_proto::FileId;
use deskside_proto::MoveId;
use deskside_proto::ParticipantId;
use std::path::Path;

use deskside_codec::{Encoder, FrameRef, VideoConfig};
use deskside_proto::*;
use deskside_session::SessionConfig;
use deskside_session::host::{HOST_CSR, Session};

fn put(target: &str, seeds: Vec<Vec<u8>>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
    std::fs::create_dir_all(&dir).expect("corpus folder");
    for (i, s) in seeds.into_iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{i:03}")), s).expect("seed");
    }
}

fn enc<T: serde::Serialize>(v: &T) -> Vec<u8> {
    postcard::to_stdvec(v).expect("encodes")
}

/// `parts` as [`deskside_fuzz::pieces`] reads them.
fn pieces(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(&(p.len() as u16).to_le_bytes());
        out.extend_from_slice(p);
    }
    out
}

/// A certificate Acme Support's key (the fuzz targets' `[3; 32]`) signed for host `[1; 32]`.
fn certificate(tools: cert::Tools) -> cert::Certificate {
    cert::Certificate::sign(
        &[3; 32],
        &cert::CertBody {
            endpoint: [1; 32],
            csr_name: "Sam".into(),
            organisation: "Acme".into(),
            site_address: "https://support.acme.example".into(),
            session_type: "Support".into(),
            tools,
            issued_unix_s: 1,
            expires_unix_s: 2_000_000,
        },
    )
}

fn main() {
    let hello = Hello {
        version: PROTOCOL_VERSION,
        session: SessionId([7; 16]),
        secret: [1; 16],
        name: "Ana López".into(),
        app: AppKind::Agent,
        preview: false,
        resume: false,
    };
    put("hello", vec![enc(&hello), enc(&Hello { preview: true, ..hello.clone() })]);

    let moved = MovedFile { file: FileId(3), path: vec!["Photos".into(), "a.jpg".into()], size: 10, sha256: [1; 32] };
    let summary = MoveSummary { name: "Photos".into(), dir: true, files: 1, bytes: 10 };
    let listing = FolderListing {
        path: "/home/ana".into(),
        parent: Some("/home".into()),
        entries: vec![FolderEntry { name: "Music".into(), dir: true, size: 0 }],
        truncated: false,
    };
    let to_host = vec![
        ToHost::Chat { to: ChatTarget::Everyone, text: "hello".into() },
        ToHost::ConsentAnswer { request: 1, allowed: true },
        ToHost::Grants(Grants { view: true, ..Grants::default() }),
        ToHost::InputRefused,
        ToHost::Leave,
        ToHost::End { notes: "done".into() },
        ToHost::Monitors(vec![MonitorInfo {
            name: "DP-1".into(),
            x: 0,
            y: 0,
            width: 1920,
            height: 1080,
            primary: true,
        }]),
        ToHost::FetchFile { file: FileId(1), offset: 0, prefix_sha256: [0; 32] },
        ToHost::Request { to: ParticipantId(1), capability: Capability::View },
        ToHost::TransferControl { to: ParticipantId(2) },
        ToHost::Promote { to: ParticipantId(2) },
        ToHost::FileDone { file: FileId(1), outcome: FileOutcome::Failed(FileProblem::DiskFull) },
        ToHost::Folder { req: 1, listing: Ok(listing.clone()) },
        ToHost::PushAnswer { push: MoveId(1), allowed: true, reason: None },
        ToHost::PullFiles { pull: MoveId(1), summary: summary.clone(), files: vec![moved.clone()], last: true },
        ToHost::HostReady {
            host: deskside_proto::HostAddr {
                id: [2; 32],
                relays: vec![],
                relay_token: String::new(),
                addrs: vec!["127.0.0.1:9".parse().expect("addr")],
            },
        },
        ToHost::PullRefused { pull: MoveId(1), reason: FileProblem::Refused },
        ToHost::PushAnswer { push: MoveId(1), allowed: false, reason: Some(FileProblem::BadName(NameError::Device)) },
        ToHost::Folder { req: 2, listing: Err(FileProblem::Rule(Rule::AppSharing)) },
        ToHost::MakeInvite { role: InviteRole::Customer },
        ToHost::RevokeInvite { secret: [1; 16] },
        ToHost::OfferFile(OfferedFile { id: FileId(7), name: "notes.txt".into(), size: 100, sha256: [3; 32] }),
        ToHost::WithdrawFile { file: FileId(7) },
        ToHost::ListFolder {
            with: ParticipantId(1),
            at: FolderAt::Child { folder: "/home/ana".into(), name: "Music".into() },
        },
        ToHost::Pull { tag: MoveId(3), from: ParticipantId(1), folder: "/home/ana".into(), name: "Music".into() },
        ToHost::Push {
            tag: MoveId(4),
            to: ParticipantId(1),
            summary: summary.clone(),
            folder: "/home/ana".into(),
            on_conflict: OnConflict::KeepBoth,
        },
        ToHost::PushFiles { tag: MoveId(4), files: vec![moved.clone()], last: true },
        ToHost::CancelMove { id: MoveId(3) },
    ];
    put("to_host", to_host.iter().map(enc).collect());

    let line = ChatLine {
        from: ParticipantId(0),
        from_name: "Sam".into(),
        at_unix_ms: 5,
        to: ChatTarget::Everyone,
        text: "hi".into(),
    };
    let info = ParticipantInfo {
        id: ParticipantId(1),
        name: "Ana".into(),
        role: Role::PrimaryCustomer,
        grants: Grants::default(),
        present: true,
        away: false,
    };
    let to_guest = vec![
        ToGuest::Welcome(Welcome {
            you: ParticipantId(1),
            role: Role::PrimaryCustomer,
            csr_name: "Sam".into(),
            organisation: "Acme".into(),
            session_type: "Support".into(),
            tracking_code: "T-1".into(),
            started_unix_ms: 1,
            participants: vec![info.clone()],
            certificate: Some(certificate(cert::Tools::ALL)),
        }),
        ToGuest::Participants(vec![info]),
        ToGuest::Chat(line.clone()),
        ToGuest::ChatBacklog(vec![line.clone(), line.clone()]),
        ToGuest::ConsentRequest { request: 1, capability: Capability::Files, from_name: "Sam".into() },
        ToGuest::Refused { rule: Rule::TooFast },
        ToGuest::SessionEnded { by: "Sam".into() },
        ToGuest::FilesOffered {
            files: vec![OfferedFile { id: FileId(1), name: "a.pdf".into(), size: 3, sha256: [0; 32] }],
            last: true,
        },
        ToGuest::ListFolder { req: 1, at: FolderAt::Child { folder: "/home/ana".into(), name: "Music".into() } },
        ToGuest::PushAsk {
            push: MoveId(1),
            from_name: "Sam".into(),
            summary: summary.clone(),
            folder: "/home/ana".into(),
            on_conflict: OnConflict::Replace,
        },
        ToGuest::PushFiles { push: MoveId(1), files: vec![moved.clone()], last: true },
        ToGuest::PullAsk { pull: MoveId(2), from_name: "Sam".into(), folder: "/home/ana".into(), name: "Music".into() },
        ToGuest::MoveTo {
            host: deskside_proto::HostAddr {
                id: [3; 32],
                relays: vec![],
                relay_token: String::new(),
                addrs: vec!["127.0.0.1:9".parse().expect("addr")],
            },
            ticket: [4; 16],
        },
        ToGuest::SelectMonitor { index: Some(1) },
        ToGuest::ConsentAnswered { participant: ParticipantId(1), capability: Capability::View, allowed: true },
        ToGuest::InviteUsed([5; 16]),
        ToGuest::FileDoneFor { participant: ParticipantId(1), file: FileId(2), outcome: FileOutcome::Done },
        ToGuest::FolderListed { participant: ParticipantId(1), listing: Ok(listing.clone()) },
        ToGuest::MoveMade { tag: MoveId(3), id: MoveId(9) },
        ToGuest::Moves(vec![deskside_proto::MoveInfo::new(
            MoveId(9),
            ParticipantId(1),
            deskside_proto::Direction::Pull,
            "Music".into(),
            deskside_proto::MoveState::Moving,
            1,
        )]),
        ToGuest::PulledFiles { pull: MoveId(9), summary: summary.clone(), files: vec![moved.clone()], last: true },
    ];
    put("to_guest", to_guest.iter().map(enc).collect());
    // The customer's side: each message, then an Allow, a Stop and a drop with its way back.
    let mut guest_seeds: Vec<Vec<u8>> = to_guest
        .iter()
        .map(|m| {
            let mut msg = vec![0u8];
            msg.extend(enc(m));
            pieces(&[msg, vec![2, 0], vec![3, 1], vec![5], vec![6], vec![0x47]])
        })
        .collect();
    let ask = |cap: Capability| {
        let mut msg = vec![0u8];
        msg.extend(enc(&ToGuest::ConsentRequest { request: 1, capability: cap, from_name: "Sam".into() }));
        msg
    };
    guest_seeds.push(pieces(&[ask(Capability::Control), vec![2, 0], vec![3, 0], vec![7]]));
    guest_seeds.push(pieces(&[ask(Capability::ViewApp), vec![2, 0], ask(Capability::ControlApp), vec![2, 0]]));
    put("guest", guest_seeds);
    put(
        "uni_header",
        vec![enc(&UniHeader::Screen), enc(&UniHeader::Input), enc(&UniHeader::File { file: FileId(1), offset: 2 })],
    );
    put(
        "input",
        vec![
            enc(&InputEvent::MouseMove { x: 10, y: 20 }),
            enc(&InputEvent::Wheel { dx: 0, dy: -3 }),
            enc(&InputEvent::Key { key: Key::Char('a'), down: true, modifiers: Modifiers::default() }),
            enc(&InputEvent::Text("hola".into())),
        ],
    );

    // A screen: text-like tiles, then content that moves (copies, then video), then stillness.
    let (w, h) = (128u32, 128u32);
    let mut encoder = Encoder::default().with_video(VideoConfig::default());
    let mut stream = Vec::new();
    let mut video = 0;
    for f in 0..40u32 {
        let frame: Vec<u8> = (0..w * h)
            .flat_map(|i| {
                let (x, y) = (i % w, i / w);
                let moving = f < 30 && y > 8;
                // Moving: a smooth ramp of many colours (the video path's kind); still: stripes.
                let v = if moving { ((x + y + f * 5) % 64 * 4) as u8 } else { ((x / 8) % 2 * 200) as u8 };
                [v, v.wrapping_mul(3), v.wrapping_add(40), 255]
            })
            .collect();
        let frame = FrameRef { width: w, height: h, stride: w as usize * 4, data: &frame };
        if let Ok(Some(update)) = encoder.encode_at(&frame, None, u64::from(f) * 33) {
            video += usize::from(update.video);
            stream.extend(update.batches.iter().map(enc));
        }
    }
    assert!(video > 0, "the screen seeds hold video pictures");
    let cursor = ScreenMsg::Cursor { x: 3, y: 4, shape: None };
    let mut screens: Vec<Vec<u8>> = (1..=4).map(|n| pieces(&stream[..stream.len() * n / 4])).collect();
    screens.push(pieces(&[enc(&cursor)]));
    put("screen", screens);

    let inventory = Inventory {
        collected_unix_ms: 1,
        sections: vec![Section { kind: SectionKind::Software, rows: vec![vec!["vim".into(), "9.0".into()]] }],
    };
    put("inventory", vec![enc(&inventory)]);

    let invite = Invite {
        host: deskside_proto::HostAddr {
            id: [5; 32],
            relays: vec![],
            relay_token: String::new(),
            addrs: vec!["192.0.2.7:4433".parse().expect("addr")],
        },
        session: SessionId([6; 16]),
        role: InviteRole::Customer,
        secret: [8; 16],
        expires_unix_s: 1_800_000_000,
    };
    put("invite", vec![invite.to_code().into_bytes(), invite.to_link().into_bytes()]);
    put(
        "certificate",
        vec![enc(&certificate(cert::Tools::ALL)), enc(&certificate(cert::Tools::of(&[cert::Tool::View])))],
    );

    let report = deskside_proto::report::Report {
        uid: "00112233445566778899aabbccddeeff".into(),
        session_type: "Support".into(),
        tracking_code: "T-1".into(),
        started_ms: 1_000,
        ended_ms: 2_000,
        outcome: deskside_proto::report::ReportOutcome::Ended,
        participants: vec![deskside_proto::report::ParticipantRecord {
            participant: 2,
            name: "Ana".into(),
            role: "primary customer".into(),
            joined_ms: 1_100,
            left_ms: Some(1_900),
        }],
        consents: vec![deskside_proto::report::ConsentRecord {
            participant: 2,
            capability: "view screen".into(),
            granted: true,
            at_ms: 1_200,
        }],
        chat: vec![deskside_proto::report::ChatRecord {
            at_ms: 1_300,
            from_name: "Ana".into(),
            to_label: "everyone".into(),
            text: "hi".into(),
        }],
        files: vec![],
        notes: "n".into(),
        end_notes: "done".into(),
    };
    put("report", vec![serde_json::to_vec(&report).expect("json")]);

    put(
        "files",
        vec![pieces(&[
            enc(&listing),
            enc(&summary),
            enc(&vec![moved.clone()]),
            b"report.pdf".to_vec(),
            b"..".to_vec(),
        ])],
    );

    // A real hand-over, from a session with a customer and chat.
    let mut s = Session::new(
        0,
        SessionConfig {
            id: SessionId([7; 16]),
            csr_name: "Sam".into(),
            organisation: "Acme".into(),
            session_type: "Support".into(),
            tracking_code: "T-1".into(),
        },
    );
    s.add_invite(0, InviteRole::Customer, [1; 16], 60_000).expect("invite");
    s.add_invite(0, InviteRole::Csr, [2; 16], 60_000).expect("invite");
    let ana = s.handle_hello(1, &hello).expect("admitted");
    let kim = s
        .handle_hello(1, &Hello { secret: [2; 16], name: "Kim".into(), app: AppKind::Console, ..hello.clone() })
        .expect("admitted");
    s.chat(2, HOST_CSR, ChatTarget::Participant(ana), "hi").expect("chat");
    s.transfer_control(HOST_CSR, kim).expect("control");
    let state = s.hand_over(kim, "notes", || Some([9; 16])).expect("hand-over");
    put("hand_over", vec![enc(&state)]);

    // The session: two customers and a CSR join, talk, are asked, allow, leave.
    let op = |op: u8, who: u8, body: Vec<u8>| [vec![op, who], body].concat();
    put(
        "session",
        vec![pieces(&[
            op(0, 0, b"Ana".to_vec()),
            op(0, 1, b"Bo".to_vec()),
            op(0, 4, b"Kim".to_vec()),
            op(7, 1, b"hello".to_vec()),
            op(6, 1, vec![0, 0]),
            op(1, 1, enc(&ToHost::ConsentAnswer { request: 1, allowed: true })),
            op(1, 1, enc(&ToHost::Grants(Grants { view: true, ..Grants::default() }))),
            op(6, 3, vec![0, 1]),
            op(
                1,
                3,
                enc(&ToHost::HostReady {
                    host: deskside_proto::HostAddr {
                        id: [1; 32],
                        relays: vec![],
                        relay_token: String::new(),
                        addrs: vec!["127.0.0.1:9".parse().expect("addr")],
                    },
                }),
            ),
            op(2, 1, vec![]),
            op(0x54, 0, vec![]),
        ])],
    );
    println!("seeds written under {}", Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").display());
}
