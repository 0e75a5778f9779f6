//! The agent's command line. The invite may come as an argument (a link or a code) or in the
//! program's own file name (`deskside-agent-<code>`), so a double click joins. The site that
//! looks a 9-digit code up comes from `--site`, from a `deskside://code/` link, or from the
//! program itself: the site it was downloaded from names itself at the program's end.

/// What the command line asked for. Its fields' comments are the `--help` text, shown as
/// written (so addresses stay plain, not Markdown).
#[allow(clippy::doc_markdown)]
#[derive(clap::Parser, Debug, Default, PartialEq, Eq)]
#[command(
    name = "deskside-agent",
    version,
    about = "Deskside: let a support representative you called help you on this computer.",
    long_about = "Deskside: let a support representative you called help you on this computer. Open it \
                  with the invite (a link, a code, or the nine digits they read you); you see who they \
                  are and decide what they may see and do."
)]
pub struct Args {
    /// A deskside://join/... link, the text code, a 9-digit code, or a deskside://code/... link
    /// (a code and its site). Without it, the program's own name may carry the code
    /// (deskside-agent-123456789).
    #[arg(value_name = "INVITE")]
    pub invite: Option<String>,
    /// Your name, as the support representative sees it.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Join without waiting for the Join button (scripted demos).
    #[arg(long)]
    pub join_now: bool,
    /// Share a generated test picture instead of the real screen (demos without a desktop).
    #[arg(long)]
    pub synthetic_screen: bool,
    /// Make this program open deskside:// links for this user (a desktop entry on Linux, the
    /// user's registry on Windows), then exit.
    #[arg(long)]
    pub register_links: bool,
    /// Trust the certificates in FILE (PEM) for the support team's relays instead of the public
    /// web's (a team with its own certificate authority).
    #[arg(long, value_name = "FILE")]
    pub relay_ca: Option<std::path::PathBuf>,
    /// The support team's site (https://support.example), which looks up 9-digit codes (an
    /// agent downloaded from the site knows it already).
    #[arg(long, value_name = "URL")]
    pub site: Option<String>,
}

/// Parses `args` (without the program name); `program` is the program's path, whose file name
/// may carry the invite. `--help` and `--version` come back as errors whose `exit` prints them
/// and ends the program with success.
///
/// # Errors
/// An unknown option, a missing value, `--help` or `--version`.
pub fn parse(program: Option<&str>, args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Args, clap::Error> {
    let mut a = <Args as clap::Parser>::try_parse_from(
        std::iter::once(std::ffi::OsString::from("deskside-agent")).chain(args),
    )?;
    if let Some((code, site)) = a.invite.as_deref().and_then(deskside_proto::site::parse_code_link) {
        a.invite = Some(code.digits());
        a.site = a.site.or(Some(site));
    }
    if a.invite.is_none() {
        a.invite = program.and_then(code_in_file_name);
    }
    Ok(a)
}

/// The site the program at `path` names at its end (the site it was downloaded from), if any.
#[must_use]
pub fn site_in_program(path: &std::path::Path) -> Option<String> {
    use std::io::{Read as _, Seek as _};
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let take = len.min(deskside_proto::site::MAX_TRAILER_BYTES as u64);
    f.seek(std::io::SeekFrom::Start(len - take)).ok()?;
    let mut tail = Vec::with_capacity(deskside_proto::site::MAX_TRAILER_BYTES);
    f.take(take).read_to_end(&mut tail).ok()?;
    deskside_proto::site::site_in_trailer(&tail)
}

/// The code carried by a program path like `.../deskside-agent-<code>[.exe]`, if any.
#[must_use]
pub fn code_in_file_name(program: &str) -> Option<String> {
    let name = program.rsplit(['/', '\\']).next()?;
    let lower = name.to_ascii_lowercase();
    lower.starts_with(deskside_proto::invite::FILE_PREFIX).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_link_gives_the_code_and_its_site_and_a_downloaded_program_its_site() {
        let a = parse(None, ["deskside://code/012345678?site=https%3A%2F%2Fsupport.acme.example".into()]).unwrap();
        assert_eq!((a.invite.as_deref(), a.site.as_deref()), (Some("012345678"), Some("https://support.acme.example")));
        let given =
            ["deskside://code/012345678?site=https%3A%2F%2Fevil.example", "--site", "https://support.acme.example"];
        let a = parse(None, given.map(Into::into)).unwrap();
        assert_eq!(a.site.as_deref(), Some("https://support.acme.example"), "--site wins");
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("deskside-agent-012345678");
        let bytes = [
            vec![0x7f, b'E', b'L', b'F'],
            vec![1; 4096],
            deskside_proto::site::site_trailer("https://support.acme.example"),
        ];
        std::fs::write(&program, bytes.concat()).unwrap();
        assert_eq!(site_in_program(&program).as_deref(), Some("https://support.acme.example"));
        std::fs::write(&program, b"tiny").unwrap();
        assert_eq!(site_in_program(&program), None);
        assert_eq!(site_in_program(&dir.path().join("missing")), None);
    }

    #[test]
    fn help_and_version_are_answered() {
        let help = parse(None, ["--help".into()]).unwrap_err();
        assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
        assert!(help.to_string().contains("[INVITE]") && help.to_string().contains("--site <URL>"), "{help}");
        assert_eq!(parse(None, ["--version".into()]).unwrap_err().kind(), clap::error::ErrorKind::DisplayVersion);
        assert!(parse(None, ["a", "b"].map(Into::into)).is_err(), "one invite");
    }

    #[test]
    fn invite_from_argument_or_file_name() {
        let a = parse(Some("deskside-agent"), ["ABC", "--name", "Ana"].map(Into::into)).unwrap();
        assert_eq!(a.invite.as_deref(), Some("ABC"));
        assert_eq!(a.name.as_deref(), Some("Ana"));
        let a = parse(Some("/home/ana/Downloads/deskside-agent-XYZ12"), Vec::<std::ffi::OsString>::new()).unwrap();
        assert_eq!(a.invite.as_deref(), Some("deskside-agent-XYZ12"));
        let a = parse(Some("/usr/bin/deskside-agent"), Vec::<std::ffi::OsString>::new()).unwrap();
        assert_eq!(a.invite, None);
        let a = parse(None, ["--relay-ca", "/etc/team-ca.pem"].map(Into::into)).unwrap();
        assert_eq!(a.relay_ca, Some("/etc/team-ca.pem".into()));
        let a = parse(None, ["123 456 789", "--site", "https://support.acme.example"].map(Into::into)).unwrap();
        assert_eq!(a.site.as_deref(), Some("https://support.acme.example"));
        assert!(parse(None, ["a", "b"].map(Into::into)).is_err());
    }
}
