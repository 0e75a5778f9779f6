//! What each fuzz target does with its bytes: decode them as the network's peers would send them,
//! then use what decoded the way the apps do, checking the invariants that must hold whatever
//! arrives. A panic, an abort, a leak or an allocation past libFuzzer's limit is a bug.

use deskside_codec::Decoder;
use deskside_proto::{
    AppKind, Capability, ChatTarget, FolderListing, HandOverState, Hello, InputEvent, Inventory, Invite, InviteRole,
    MAX_CONTROL_MSG_BYTES, MoveSummary, MovedFile, PROTOCOL_VERSION, ParticipantId, Role, ScreenMsg, SessionId,
    ToGuest, ToHost, UniHeader, decode, encode_frame, peek_hello_version, safe_file_name,
};
use deskside_session::guest::{Guest, Local};
use deskside_session::host::{HOST_CSR, Session};
use deskside_session::{Output, SessionConfig, SessionEvent};

/// Splits `data` into pieces, each a 2-byte little-endian length then that many bytes (what is
/// left when a length runs past the end is the last piece).
pub fn pieces(mut data: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        if data.len() < 2 {
            return None;
        }
        let n = usize::from(u16::from_le_bytes([data[0], data[1]])).min(data.len() - 2);
        let (piece, rest) = data[2..].split_at(n);
        data = rest;
        Some(piece)
    })
}

/// A hello, as the host reads it: the version first, then the whole.
pub fn hello(data: &[u8]) {
    let _ = peek_hello_version(data);
    if let Ok(h) = decode::<Hello>(data) {
        let _ = h.is_valid();
    }
}

/// A participant's control message, as the host reads it.
pub fn to_host(data: &[u8]) {
    if let Ok(m) = decode::<ToHost>(data) {
        let _ = m.is_valid();
    }
}

/// A host's control message, as a guest reads it; what passes the check must encode again
/// within the control bound.
pub fn to_guest(data: &[u8]) {
    if let Ok(m) = decode::<ToGuest>(data)
        && m.is_valid()
    {
        assert!(encode_frame(&m, MAX_CONTROL_MSG_BYTES + 4).is_ok());
    }
}

/// The header opening a unidirectional stream.
pub fn uni_header(data: &[u8]) {
    let _ = decode::<UniHeader>(data);
}

/// One input event, as the agent reads it before the input thread sees it.
pub fn input(data: &[u8]) {
    if let Ok(ev) = decode::<InputEvent>(data) {
        let _ = ev.is_valid();
    }
}

/// A screen stream: messages one after another into one decoder (tiles, copies, cursor pictures,
/// and video rectangles through OpenH264). The picture never exceeds its bounds.
pub fn screen(data: &[u8]) {
    let mut dec = Decoder::new();
    for piece in pieces(data) {
        let Ok(msg) = decode::<ScreenMsg>(piece) else { continue };
        if let ScreenMsg::Cursor { shape: Some(shape), .. } = &msg {
            let _ = deskside_codec::CursorImage::unpack(shape);
            continue;
        }
        let _ = dec.apply(&msg);
        assert!(dec.width() <= deskside_proto::MAX_SCREEN_SIDE && dec.height() <= deskside_proto::MAX_SCREEN_SIDE);
        assert_eq!(dec.rgba().len(), dec.width() as usize * dec.height() as usize * 4);
    }
}

/// An inventory, as the host reads it (bounded as it is decoded), against the general decoder:
/// what the bounded reader returns is valid, and every valid inventory it reads the same.
pub fn inventory(data: &[u8]) {
    let bounded = deskside_proto::decode_inventory(data);
    if let Ok(inv) = &bounded {
        assert!(inv.is_valid());
    }
    if let Ok(inv) = decode::<Inventory>(data)
        && inv.is_valid()
    {
        assert_eq!(bounded.as_ref().ok(), Some(&inv));
    }
}

/// An invite as a customer pastes it (a link or a code).
pub fn invite(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(inv) = Invite::parse(text) {
        // What parses comes back the same from its own code and link.
        assert_eq!(Invite::parse(&inv.to_code()).ok(), Some(inv.clone()));
        assert_eq!(Invite::parse(&inv.to_link()).ok(), Some(inv));
    }
}

/// A console's certificate as an agent receives it (in a preview or a welcome), checked against
/// the organisation's key: whatever the bytes, no panic, and only what the key signed for this
/// console is believed; a certificate the site's API carries as text reads back the same.
pub fn certificate(data: &[u8]) {
    let key = deskside_proto::cert::public_key(&[3; 32]);
    let Ok(cert) = postcard::from_bytes::<deskside_proto::cert::Certificate>(data) else { return };
    if let Ok(body) = cert.verify(&[key], &[1; 32], 1_000_000) {
        assert_eq!(body.endpoint, [1; 32]);
        assert!(body.issued_unix_s <= body.expires_unix_s);
    }
    if cert.is_bounded() {
        assert_eq!(deskside_proto::cert::Certificate::from_hex(&cert.to_hex()), Some(cert));
    }
}

/// A session's report as the site receives it (JSON from a console): whatever the bytes, no
/// panic; a report that passes its check reads back the same and names its customers.
pub fn report(data: &[u8]) {
    let Ok(report) = serde_json::from_slice::<deskside_proto::report::Report>(data) else { return };
    if report.check().is_ok() {
        let again = serde_json::to_vec(&report).expect("a checked report is written");
        assert_eq!(serde_json::from_slice::<deskside_proto::report::Report>(&again).ok(), Some(report.clone()));
        assert!(report.customers().len() <= report.participants.len());
    }
}

/// File listings and moves, and the one rule every received name passes.
pub fn files(data: &[u8]) {
    let mut parts = pieces(data);
    if let Some(p) = parts.next()
        && let Ok(l) = decode::<FolderListing>(p)
    {
        let _ = l.is_valid();
    }
    if let (Some(s), Some(f)) = (parts.next(), parts.next())
        && let (Ok(summary), Ok(files)) = (decode::<MoveSummary>(s), decode::<Vec<MovedFile>>(f))
    {
        let exact = summary.admits(&files);
        assert!(!exact || summary.admits_part(&files));
        for file in &files {
            for part in &file.path {
                check_name(part);
            }
        }
    }
    for p in parts {
        if let Ok(name) = std::str::from_utf8(p) {
            check_name(name);
        }
    }
}

fn check_name(raw: &str) {
    if let Ok(safe) = safe_file_name(raw) {
        assert!(!safe.is_empty() && !safe.starts_with('.'));
        assert!(!safe.contains('/') && !safe.contains('\\'));
        assert!(!safe.chars().any(char::is_control));
        assert_eq!(safe_file_name(&safe).as_deref(), Ok(safe.as_str()), "safe names stay as they are");
    }
}

/// A session handed over by another console, as the taking console reads it and hosts it.
pub fn hand_over(data: &[u8]) {
    let Ok(state) = decode::<HandOverState>(data) else { return };
    if state.is_valid() {
        let mut s = Session::from_hand_over(1, &state);
        s.handle_timeout(120_000);
        drain(&mut s);
    }
}

/// Drains the session's outputs, checking that everything it sends is a message its own guests
/// accept: valid, and within the control bound.
fn drain(s: &mut Session) {
    let mut n = 0u8;
    while let Some(out) = s.poll_output() {
        match out {
            Output::Send { msg, .. } => {
                assert!(msg.is_valid(), "the host sends what its guests refuse: {msg:?}");
                assert!(encode_frame(&msg, MAX_CONTROL_MSG_BYTES).is_ok(), "too large to send: {msg:?}");
            }
            // The driver's part of an invite a colleague asked for, as the hub does it.
            Output::Event(SessionEvent::InviteAsked { by, role }) => {
                n = n.wrapping_add(1);
                let secret = [n; 16];
                if s.add_invite_for(1, by, role, secret, 60_000).is_ok() {
                    let addrs = vec![std::net::SocketAddr::from(([127, 0, 0, 1], 9))];
                    let host =
                        deskside_proto::HostAddr { id: [1; 32], relays: Vec::new(), relay_token: String::new(), addrs };
                    let session = SessionId([7; 16]);
                    let invite = Invite { host, session, role, secret, expires_unix_s: 60 };
                    s.give_invite(by, invite);
                }
            }
            // The driver's part of a file a colleague shares: fetched, arrived, offered.
            Output::Event(SessionEvent::UploadOffered { from, file }) => {
                let _ = s.fetch_upload(from, file.id, 0, [0; 32]);
                if let Some(f) = s.uploaded(from, file.id) {
                    let id = s.reserve_file();
                    let _ = s.offer_file(from, deskside_proto::OfferedFile { id, ..f });
                }
            }
            Output::Close { .. } | Output::Event(_) => {}
        }
    }
}

/// The host's session driven by a stream of hostile events: hellos with the session's own
/// invites (so the fuzzer gets in), decoded messages from any participant, drops, time, and the
/// host CSR's own actions. After each: what it sends is valid, and the roles stay coherent.
pub fn session(data: &[u8]) {
    let mut s = Session::new(
        0,
        SessionConfig {
            id: SessionId([7; 16]),
            csr_name: "Sam".into(),
            organisation: "Acme".into(),
            session_type: "Support".into(),
            tracking_code: String::new(),
        },
    );
    for i in 0..4u8 {
        let _ = s.add_invite(0, InviteRole::Customer, [i; 16], 3_600_000);
        let _ = s.add_invite(0, InviteRole::Csr, [i + 100; 16], 3_600_000);
    }
    let mut now = 1;
    for piece in pieces(data) {
        let Some((&op, rest)) = piece.split_first() else { continue };
        let n = u32::from(rest.first().copied().unwrap_or(0) % 8);
        let who = deskside_proto::ParticipantId(n);
        let body = rest.get(1..).unwrap_or_default();
        now += u64::from(op >> 4) * 1_000;
        match op % 8 {
            0 => {
                let secret = [if n < 4 { n as u8 } else { n as u8 + 96 }; 16];
                let app = if n < 4 { AppKind::Agent } else { AppKind::Console };
                let hello = Hello {
                    version: PROTOCOL_VERSION,
                    session: SessionId([7; 16]),
                    secret,
                    name: String::from_utf8_lossy(body).into_owned(),
                    app,
                    preview: false,
                    resume: false,
                };
                if let Ok(id) = s.handle_hello(now, &hello) {
                    s.issue_ticket(id, [id.0 as u8 + 1; 16]);
                }
            }
            1 => {
                if let Ok(msg) = decode::<ToHost>(body) {
                    let _ = s.handle_message(now, who, msg);
                }
            }
            2 => s.handle_drop(now, who),
            3 => s.handle_disconnect(now, who),
            4 => s.handle_timeout(now),
            5 => {
                if let Ok(inv) = decode::<Inventory>(body) {
                    let _ = s.handle_inventory(who, inv);
                }
            }
            6 => {
                let cap = Capability::ALL[usize::from(body.first().copied().unwrap_or(0)) % Capability::ALL.len()];
                let by = s.in_control().unwrap_or(HOST_CSR);
                let _ = match body.get(1).copied().unwrap_or(0) % 7 {
                    0 => s.request(by, who, cap).map(|_| ()),
                    1 => s.transfer_control(by, who),
                    2 => s.promote(by, who),
                    3 => s.hand_over(who, "notes", || Some([9; 16])).map(|_| ()),
                    4 => s.pull(now, by, who, "/home/x".into(), "y".into()).map(|_| ()),
                    5 => s.begin_push(now, by, who, "p".into()).map(|_| ()),
                    _ => s.end(now, by, ""),
                };
            }
            _ => {
                let text = String::from_utf8_lossy(body).into_owned();
                let _ = s.chat(now, who, ChatTarget::Everyone, &text);
            }
        }
        drain(&mut s);
        if !s.is_ended() {
            let present: Vec<_> = s.participants().filter(|p| p.left_ms.is_none()).collect();
            assert!(present.iter().filter(|p| p.role == Role::PrimaryCustomer).count() <= 1);
            assert!(present.iter().filter(|p| p.role == Role::CsrInControl).count() <= 1);
            for p in &present {
                if p.role.is_csr() {
                    assert!(p.grants.is_empty(), "a CSR holds no grants");
                }
            }
        }
    }
}

/// The customer's side fed a hostile host's messages mixed with the customer's own answers,
/// stops and the link's ups and downs. Whatever arrives: nothing is granted that the customer did
/// not allow (control allowed counts for the view it needs), nothing is shared once the session is
/// over, and every message it writes back is one an honest host would accept.
pub fn guest(data: &[u8]) {
    let welcome = deskside_proto::Welcome {
        you: ParticipantId(1),
        role: Role::PrimaryCustomer,
        csr_name: "Sam".into(),
        organisation: "Acme".into(),
        session_type: "Support".into(),
        tracking_code: String::new(),
        started_unix_ms: 0,
        participants: Vec::new(),
        // Certified for seeing and chat only: the agent's own refusals are fuzzed too.
        certificate: Some(deskside_proto::cert::Certificate::sign(
            &[3; 32],
            &deskside_proto::cert::CertBody {
                endpoint: [1; 32],
                csr_name: "Sam".into(),
                organisation: "Acme".into(),
                site_address: "https://support.acme.example".into(),
                session_type: "Support".into(),
                tools: deskside_proto::cert::Tools::of(&[
                    deskside_proto::cert::Tool::View,
                    deskside_proto::cert::Tool::Chat,
                ]),
                issued_unix_s: 0,
                expires_unix_s: u64::MAX / 2,
            },
        )),
    };
    let invite = Invite {
        host: deskside_proto::HostAddr {
            id: [1; 32],
            relays: Vec::new(),
            relay_token: String::new(),
            addrs: vec![std::net::SocketAddr::from(([127, 0, 0, 1], 9))],
        },
        session: SessionId([7; 16]),
        role: InviteRole::Customer,
        secret: [2; 16],
        expires_unix_s: u64::MAX,
    };
    let trust = deskside_proto::cert::Trust {
        site: "support.acme.example".into(),
        keys: vec![deskside_proto::cert::public_key(&[3; 32])],
    };
    let mut g = Guest::new(invite, &welcome, Some(trust), 1);
    let mut allowed = deskside_proto::Grants::default();
    let mut now = 1;
    for piece in pieces(data) {
        let Some((&op, body)) = piece.split_first() else { continue };
        now += u64::from(op >> 4) * 1_000;
        let cap = Capability::ALL[usize::from(body.first().copied().unwrap_or(0)) % Capability::ALL.len()];
        match op % 8 {
            0 | 1 => {
                if let Ok(msg) = decode::<ToGuest>(body) {
                    g.handle_message(now, msg);
                }
            }
            2 => {
                if let Some(p) = g.pending().cloned() {
                    let yes = body.first().is_some_and(|b| b % 2 == 0);
                    if yes {
                        allowed.set(p.capability, true);
                        if p.capability == Capability::Control {
                            allowed.view = true;
                        }
                    }
                    if p.capability == Capability::ViewApp && yes {
                        g.handle_local(now, Local::AllowWindow { request: p.request, window: 7 });
                    } else {
                        g.handle_local(now, Local::Answer { request: p.request, allowed: yes });
                    }
                }
            }
            3 => g.handle_local(now, Local::Stop(cap)),
            4 => g.handle_timeout(now),
            5 => g.handle_local(now, Local::LinkEnded(None)),
            6 => g.handle_local(now, Local::Resumed(Box::new(welcome.clone()))),
            _ => g.handle_local(now, if body.is_empty() { Local::Leave } else { Local::InputRefused }),
        }
        let grants = g.grants();
        for c in Capability::ALL {
            assert!(!grants.has(c) || allowed.has(c), "{c:?} granted without the customer's Allow");
        }
        if g.is_over() {
            assert_eq!(g.sharing(), deskside_session::Sharing::Nothing);
            assert!(!g.may_inject());
        }
        while let Some(out) = g.poll_output() {
            assert!(out.is_valid(), "the agent would write {out:?}");
        }
        while g.poll_task().is_some() {}
        while g.poll_event().is_some() {}
    }
}
