use super::*;
use crate::Refusal;
use crate::chat::{chat_batches, keep_chat};

#[test]
fn refusal_codes_round_trip() {
    for r in Refusal::ALL {
        assert_eq!(Refusal::from_code(u64::from(r.code())), Some(r));
    }
    assert_eq!(Refusal::from_code(0), None);
    assert_eq!(Refusal::from_code(999), None);
}

#[test]
fn version_is_readable_from_any_hello() {
    let hello = Hello {
        version: 77,
        session: SessionId([1; 16]),
        secret: [2; 16],
        name: "Ana".into(),
        app: AppKind::Agent,
        preview: false,
        resume: false,
    };
    let body = postcard::to_stdvec(&hello).unwrap();
    assert_eq!(peek_hello_version(&body), Some(77));
    assert_eq!(peek_hello_version(&[]), None);
}

#[test]
fn names_are_bounded_and_printable() {
    assert!(is_valid_name("Ana López"));
    assert!(!is_valid_name("   "));
    assert!(!is_valid_name("a\u{7}b"));
    assert!(!is_valid_name(&"x".repeat(MAX_NAME_BYTES + 1)));
}

#[test]
fn a_window_keeps_the_newest_chat_within_the_hosts_bounds() {
    let line = |text: String| ChatLine {
        from: ParticipantId(1),
        from_name: "Eve".into(),
        at_unix_ms: 0,
        to: ChatTarget::Everyone,
        text,
    };
    let mut kept = Vec::new();
    keep_chat(&mut kept, (0..MAX_CHAT_LINES + 50).map(|i| line(format!("{i}"))));
    assert_eq!(kept.len(), MAX_CHAT_LINES);
    assert_eq!(kept.last().map(|l| l.text.as_str()), Some("10049"), "the newest");
    let mut big = Vec::new();
    keep_chat(&mut big, (0..1_000).map(|_| line("x".repeat(MAX_CHAT_BYTES))));
    assert!(big.iter().map(ChatLine::weight).sum::<usize>() <= MAX_CHAT_KEPT_BYTES);
    assert!(big.len() > 400, "as many as fit: {}", big.len());
    // Batches for a late joiner each fit one message.
    for batch in chat_batches(big.clone()) {
        let msg = ToGuest::ChatBacklog(batch);
        assert!(msg.is_valid() && crate::encode_frame(&msg, crate::MAX_CONTROL_MSG_BYTES).is_ok());
    }
}

#[test]
fn chat_text_takes_line_breaks_and_tabs_but_no_other_control_character() {
    assert!(is_valid_chat_text("line one\r\nline two\tend"));
    assert!(!is_valid_chat_text("\u{1b}[2J cleared"));
    assert!(!is_valid_chat_text("bell\u{7}"));
}

#[test]
fn chat_bounds() {
    let ok = ToHost::Chat { to: ChatTarget::Everyone, text: "hi".into() };
    let empty = ToHost::Chat { to: ChatTarget::Everyone, text: " ".into() };
    let huge = ToHost::Chat { to: ChatTarget::Everyone, text: "x".repeat(MAX_CHAT_BYTES + 1) };
    assert!(ok.is_valid());
    assert!(!empty.is_valid());
    assert!(!huge.is_valid());
}

#[test]
fn a_listing_too_long_for_a_colleague_is_cut_to_fit_and_says_so() {
    let entries: Vec<crate::FolderEntry> =
        (0..2000).map(|i| crate::FolderEntry { name: format!("{i:0>200}"), dir: false, size: 1 }).collect();
    let big = crate::FolderListing { path: "/home/ana".into(), parent: None, entries, truncated: false };
    let msg = crate::ToGuest::folder_listed(crate::ParticipantId(1), Ok(big));
    let bytes = postcard::to_allocvec(&msg).unwrap();
    assert!(bytes.len() <= crate::MAX_CONTROL_MSG_BYTES, "{} bytes", bytes.len());
    let crate::ToGuest::FolderListed { listing: Ok(cut), .. } = msg else { panic!("a listing") };
    assert!(cut.truncated && !cut.entries.is_empty() && cut.entries.len() < 2000);
}
