//! Bad input gets a clear refusal, never a crash, and never breaks the session for others:
//! wrong endpoint id, expired, reused and revoked invites, unknown protocol version, garbage and
//! oversized bytes on every stream, and a host that sends input without a grant.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use deskside_agent::engine::Event;
use deskside_agent::engine::{AgentEvent, CloseReason, serve};
use deskside_net::framed::{read_msg, write_msg};
use deskside_net::guest::{join_with_version, refusal_of};
use deskside_net::host::{HostCommand, HostEvent};
use deskside_net::{Identity, JoinError, now_ms};
use deskside_platform::{RecordingSink, SyntheticSource};
use deskside_proto::{
    AppKind, ChatTarget, Hello, InputEvent, Invite, MAX_CONTROL_MSG_BYTES, PROTOCOL_VERSION, ParticipantId, Refusal,
    Role, ToGuest, ToHost, UniHeader, Welcome,
};

fn opts(name: &str) -> deskside_agent::engine::AgentOptions {
    synthetic_options(name, &SyntheticSource::new(32, 32, pattern(0)), &RecordingSink::default())
}

/// A good customer can still join and chat: the refusal broke nothing for others.
async fn session_still_works(host: &mut deskside_net::HostHandle) {
    let mut agent = join(&invite(host), opts("Good")).await.unwrap();
    host.send(HostCommand::Chat { to: ChatTarget::Everyone, text: "still here".into() }).unwrap();
    agent_event(&mut agent, |e| {
        matches!(e, AgentEvent::Session(Event::Chat(l)) if l.text == "still here").then_some(())
    })
    .await;
}

/// Connects to the host's endpoint id with a bare endpoint and no Deskside logic above it.
async fn raw_connect(invite: &Invite) -> (iroh::Endpoint, iroh::endpoint::Connection) {
    let ep = deskside_net::transport::client_endpoint(&deskside_net::transport::Relays::default()).await.unwrap();
    let to = iroh::EndpointAddr::new(iroh::EndpointId::from_bytes(&invite.host.id).unwrap())
        .with_ip_addr(invite.host.addrs[invite.host.addrs.len() - 1]);
    let conn = ep.connect(to, deskside_proto::ALPN).await.unwrap();
    (ep, conn)
}

async fn closed_with(conn: &iroh::endpoint::Connection) -> Option<Refusal> {
    let err = tokio::time::timeout(WAIT, conn.closed()).await.expect("the host did not close the connection");
    refusal_of(&err)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_endpoint_id_is_refused() {
    let mut host = host();
    let mut inv = invite(&host);
    inv.host.id = Identity::generate().unwrap().id;
    let err = join(&inv, opts("Ana")).await.err().unwrap();
    assert_eq!(err, JoinError::IdentityMismatch);
    assert!(err.to_string().contains("not the one in the invite"));
    session_still_works(&mut host).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_reused_and_revoked_invites_are_refused() {
    let mut host = host();
    // Expired: the agent says so without dialling; the host refuses it too.
    let inv = host.invite(deskside_proto::InviteRole::Customer, 1).unwrap();
    assert_eq!(join(&inv, opts("Ana")).await.err().unwrap(), JoinError::Expired);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let mut late = inv.clone();
    late.expires_unix_s = u64::MAX; // lie about it: the host keeps its own record
    assert_eq!(join(&late, opts("Ana")).await.err().unwrap(), JoinError::Refused(Refusal::InviteExpired));

    // Reused: a second agent with the same secret.
    let inv = invite(&host);
    let _first = join(&inv, opts("Bo")).await.unwrap();
    let err = join(&inv, opts("Mallory")).await.err().unwrap();
    assert_eq!(err, JoinError::Refused(Refusal::InviteUsed));
    assert!(err.to_string().contains("already been used"));

    // Revoked.
    let inv = invite(&host);
    host.send(HostCommand::RevokeInvite(inv.secret)).unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(join(&inv, opts("Cy")).await.err().unwrap(), JoinError::Refused(Refusal::InviteRevoked));

    // An invite for another session on the same host.
    let mut other = invite(&host);
    other.session.0[0] ^= 1;
    assert_eq!(join(&other, opts("Di")).await.err().unwrap(), JoinError::Refused(Refusal::InviteInvalid));
    session_still_works(&mut host).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_protocol_version_is_refused() {
    let mut host = host();
    let inv = invite(&host);
    let err =
        join_with_version(&inv, "Future", AppKind::Agent, now_ms() / 1000, PROTOCOL_VERSION + 1).await.err().unwrap();
    assert_eq!(err, JoinError::Refused(Refusal::UnsupportedVersion));
    assert!(err.to_string().contains("update"));
    session_still_works(&mut host).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_before_hello_is_refused() {
    let mut host = host();
    let inv = invite(&host);
    let (_ep, conn) = raw_connect(&inv).await;
    let (mut send, _recv) = conn.open_bi().await.unwrap();
    send.write_all(&[5, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).await.unwrap();
    assert_eq!(closed_with(&conn).await, Some(Refusal::Malformed));

    let (_ep, conn) = raw_connect(&inv).await;
    let (mut send, _recv) = conn.open_bi().await.unwrap();
    send.write_all(&u32::MAX.to_le_bytes()).await.unwrap(); // a 4 GiB message, announced
    assert_eq!(closed_with(&conn).await, Some(Refusal::Malformed));
    session_still_works(&mut host).await;
}

/// Admits a raw connection with a real hello.
async fn raw_admitted(
    inv: &Invite,
    name: &str,
) -> (iroh::Endpoint, iroh::endpoint::Connection, iroh::endpoint::SendStream, iroh::endpoint::RecvStream) {
    let (ep, conn) = raw_connect(inv).await;
    let (mut send, mut recv) = conn.open_bi().await.unwrap();
    let hello = Hello {
        version: PROTOCOL_VERSION,
        session: inv.session,
        secret: inv.secret,
        name: name.into(),
        app: AppKind::Agent,
        preview: false,
        resume: false,
    };
    write_msg(&mut send, &hello, MAX_CONTROL_MSG_BYTES).await.unwrap();
    assert!(matches!(read_msg::<ToGuest>(&mut recv, MAX_CONTROL_MSG_BYTES).await.unwrap(), ToGuest::Welcome(_)));
    (ep, conn, send, recv)
}

/// Admits a raw connection and has it allow viewing, asked for by the host's CSR: its screen
/// streams are read from then on.
async fn raw_viewing(
    host: &mut deskside_net::HostHandle,
    name: &str,
) -> (iroh::Endpoint, iroh::endpoint::Connection, iroh::endpoint::SendStream, iroh::endpoint::RecvStream) {
    let (ep, conn, mut send, mut recv) = raw_admitted(&invite(host), name).await;
    let me = participants(host, |p| p.iter().any(|p| p.name == name)).await.iter().find(|p| p.name == name).unwrap().id;
    host.send(HostCommand::Request { to: me, capability: deskside_proto::Capability::View }).unwrap();
    let request = loop {
        if let ToGuest::ConsentRequest { request, .. } = read_msg(&mut recv, MAX_CONTROL_MSG_BYTES).await.unwrap() {
            break request;
        }
    };
    write_msg(&mut send, &ToHost::ConsentAnswer { request, allowed: true }, MAX_CONTROL_MSG_BYTES).await.unwrap();
    let view = deskside_proto::Grants { view: true, ..deskside_proto::Grants::default() };
    write_msg(&mut send, &ToHost::Grants(view), MAX_CONTROL_MSG_BYTES).await.unwrap();
    participants(host, |p| p.iter().any(|p| p.id == me && p.grants.view)).await;
    (ep, conn, send, recv)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_and_oversized_bytes_after_admission_are_refused() {
    let mut host = host();
    // Garbage on the control stream.
    let (_ep, conn, mut send, _recv) = raw_admitted(&invite(&host), "Eve").await;
    send.write_all(&[3, 0, 0, 0, 0xEE, 0xEE, 0xEE]).await.unwrap();
    assert_eq!(closed_with(&conn).await, Some(Refusal::Malformed));
    participants(&mut host, |p| p.iter().any(|p| p.name == "Eve" && !p.present)).await;

    // Oversized control message.
    let (_ep, conn, mut send, _recv) = raw_admitted(&invite(&host), "Eve2").await;
    send.write_all(&(MAX_CONTROL_MSG_BYTES as u32 + 1).to_le_bytes()).await.unwrap();
    assert_eq!(closed_with(&conn).await, Some(Refusal::Malformed));

    // A valid message out of bounds: a chat over the size limit.
    let (_ep, conn, mut send, _recv) = raw_admitted(&invite(&host), "Eve3").await;
    let huge = ToHost::Chat { to: ChatTarget::Everyone, text: "x".repeat(deskside_proto::MAX_CHAT_BYTES + 1) };
    write_msg(&mut send, &huge, MAX_CONTROL_MSG_BYTES).await.unwrap();
    assert_eq!(closed_with(&conn).await, Some(Refusal::Malformed));

    // Garbage on a screen stream (of a customer who allowed viewing: no other's is even read).
    let (_ep, conn, _send, _recv) = raw_viewing(&mut host, "Eve4").await;
    let mut uni = conn.open_uni().await.unwrap();
    write_msg(&mut uni, &UniHeader::Screen, deskside_proto::MAX_UNI_HEADER_BYTES).await.unwrap();
    uni.write_all(&[9, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).await.unwrap();
    assert_eq!(closed_with(&conn).await, Some(Refusal::Malformed));

    // An oversized screen message.
    let (_ep, conn, _send, _recv) = raw_viewing(&mut host, "Eve5").await;
    let mut uni = conn.open_uni().await.unwrap();
    write_msg(&mut uni, &UniHeader::Screen, deskside_proto::MAX_UNI_HEADER_BYTES).await.unwrap();
    uni.write_all(&u32::MAX.to_le_bytes()).await.unwrap();
    assert_eq!(closed_with(&conn).await, Some(Refusal::Malformed));

    // A cursor picture whose size does not match its pixels.
    let (_ep, conn, _send, _recv) = raw_viewing(&mut host, "Eve7").await;
    let mut uni = conn.open_uni().await.unwrap();
    write_msg(&mut uni, &UniHeader::Screen, deskside_proto::MAX_UNI_HEADER_BYTES).await.unwrap();
    let lie = deskside_proto::CursorShape { width: 256, height: 256, hot_x: 0, hot_y: 0, rgba_lz4: vec![0; 16] };
    write_msg(&mut uni, &deskside_proto::ScreenMsg::Cursor { x: 0, y: 0, shape: Some(lie) }, 1 << 20).await.unwrap();
    assert_eq!(closed_with(&conn).await, Some(Refusal::Malformed));

    // An inventory nobody allowed.
    let (_ep, conn, _send, _recv) = raw_admitted(&invite(&host), "Eve8").await;
    let mut uni = conn.open_uni().await.unwrap();
    write_msg(&mut uni, &UniHeader::Inventory, deskside_proto::MAX_UNI_HEADER_BYTES).await.unwrap();
    let inv = deskside_proto::Inventory { collected_unix_ms: 1, sections: Vec::new() };
    write_msg(&mut uni, &inv, deskside_proto::MAX_INVENTORY_BYTES).await.unwrap();
    assert_eq!(closed_with(&conn).await, Some(Refusal::NotAllowed));
    assert!(
        !std::iter::from_fn(|| host.try_event()).any(|e| matches!(e, HostEvent::SystemInfo { .. })),
        "nothing reached the CSR"
    );

    // A stream kind a participant may not open.
    let (_ep, conn, _send, _recv) = raw_admitted(&invite(&host), "Eve6").await;
    let mut uni = conn.open_uni().await.unwrap();
    write_msg(&mut uni, &UniHeader::Input, deskside_proto::MAX_UNI_HEADER_BYTES).await.unwrap();
    assert_eq!(closed_with(&conn).await, Some(Refusal::NotAllowed));

    session_still_works(&mut host).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_cannot_end_the_session() {
    let mut host = host();
    let (_ep, _conn, mut send, mut recv) = raw_admitted(&invite(&host), "Fay").await;
    write_msg(&mut send, &ToHost::End { notes: String::new() }, MAX_CONTROL_MSG_BYTES).await.unwrap();
    let refused = tokio::time::timeout(WAIT, async {
        loop {
            if let ToGuest::Refused { rule } = read_msg::<ToGuest>(&mut recv, MAX_CONTROL_MSG_BYTES).await.unwrap() {
                return rule;
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(refused, deskside_proto::Rule::NotInControl);
    session_still_works(&mut host).await;
    assert!(!matches!(host.try_event(), Some(HostEvent::Ended { .. })));
}

/// A rogue "host": a real TLS endpoint that admits the agent, then sends input without any grant
/// and garbage. The agent must refuse the input, inject nothing, and close on the garbage.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_refuses_input_without_a_grant_whatever_the_host_sends() {
    let id = Identity::generate().unwrap();
    let server = deskside_net::transport::host_endpoint(
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
            addrs: server.bound_sockets(),
        },
        session: deskside_proto::SessionId([1; 16]),
        role: deskside_proto::InviteRole::Customer,
        secret: [2; 16],
        expires_unix_s: now_ms() / 1000 + 600,
    };
    let rogue = tokio::spawn(async move {
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
        let mut input = conn.open_uni().await.unwrap();
        write_msg(&mut input, &UniHeader::Input, deskside_proto::MAX_UNI_HEADER_BYTES).await.unwrap();
        for i in 0..50 {
            write_msg(&mut input, &InputEvent::MouseMove { x: i, y: i }, 64).await.unwrap();
        }
        // The agent answers with a refusal on the control stream.
        let refused: ToHost =
            tokio::time::timeout(WAIT, read_msg(&mut recv, MAX_CONTROL_MSG_BYTES)).await.unwrap().unwrap();
        // Then garbage on the input stream closes the connection as malformed.
        input.write_all(&[4, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]).await.unwrap();
        let closed = tokio::time::timeout(WAIT, conn.closed()).await.unwrap();
        (refused, refusal_of(&closed), server)
    });
    let sink = RecordingSink::default();
    let link = deskside_net::guest::join(&inv, "Ana", AppKind::Agent, now_ms() / 1000).await.unwrap();
    let mut agent =
        serve(link, inv, &synthetic_options("Ana", &SyntheticSource::new(8, 8, pattern(0)), &sink), Arc::new(|| {}));
    let (refused, closed, _server) = rogue.await.unwrap();
    assert_eq!(refused, ToHost::InputRefused);
    assert_eq!(closed, Some(Refusal::Malformed));
    assert!(sink.events().is_empty(), "nothing was injected");
    let why = agent_event(&mut agent, |e| match e {
        AgentEvent::Session(Event::Closed(why)) => Some(why.clone()),
        _ => None,
    })
    .await;
    assert_eq!(why, CloseReason::Refused(Refusal::Malformed));
}
