use super::*;
use deskside_proto::{FileId, FileOutcome, FileProblem, Hello, MoveId, OnConflict, PROTOCOL_VERSION};

const MIN: UnixMs = 60_000;

fn session() -> Session {
    session_at(0)
}

/// Sam's session, begun at `now`.
fn session_at(now: UnixMs) -> Session {
    Session::new(
        now,
        SessionConfig {
            id: SessionId([9; 16]),
            csr_name: "Sam".into(),
            organisation: "Acme Support".into(),
            session_type: "General support".into(),
            tracking_code: "T-1".into(),
        },
    )
}

fn hello(secret: u8, name: &str, app: AppKind) -> Hello {
    Hello {
        version: PROTOCOL_VERSION,
        session: SessionId([9; 16]),
        secret: [secret; 16],
        name: name.into(),
        app,
        preview: false,
        resume: false,
    }
}

fn join(s: &mut Session, secret: u8, name: &str) -> ParticipantId {
    s.add_invite(0, InviteRole::Customer, [secret; 16], 30 * MIN).unwrap();
    s.handle_hello(1, &hello(secret, name, AppKind::Agent)).unwrap()
}

fn drain(s: &mut Session) -> Vec<Output> {
    std::iter::from_fn(|| s.poll_output()).collect()
}

fn sent_to(outputs: &[Output], who: ParticipantId) -> Vec<&ToGuest> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Send { to, msg } if *to == who => Some(msg),
            _ => None,
        })
        .collect()
}

/// The CSR in control asks `who` for every capability in `grants` and they allow each, then
/// report `grants`: how an honest agent grants.
fn allow(s: &mut Session, now: UnixMs, who: ParticipantId, grants: Grants) {
    let csr = s.in_control().unwrap_or(HOST_CSR);
    for cap in Capability::ALL.into_iter().filter(|c| grants.has(*c)) {
        let request = s.request(csr, who, cap).unwrap();
        s.handle_message(now, who, ToHost::ConsentAnswer { request, allowed: true }).unwrap();
    }
    s.handle_message(now, who, ToHost::Grants(grants)).unwrap();
}

/// Every chat line `who` was sent: in the backlog after a welcome, and one by one.
fn chat_sent(outputs: &[Output], who: ParticipantId) -> Vec<String> {
    sent_to(outputs, who)
        .into_iter()
        .flat_map(|m| match m {
            ToGuest::ChatBacklog(lines) => lines.iter().map(|l| l.text.clone()).collect(),
            ToGuest::Chat(l) => vec![l.text.clone()],
            _ => vec![],
        })
        .collect()
}

mod board;
mod colleague;
mod files;
mod hostile;
mod relay;
mod rules;
mod seats;
