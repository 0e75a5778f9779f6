//! The agent's command line. The invite may come as an argument (a link or a code) or in the
//! program's own file name (`deskside-agent-<code>`), so a double click joins.

/// What the command line asked for.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Args {
    /// The invite link or code.
    pub invite: Option<String>,
    /// The customer's name.
    pub name: Option<String>,
    /// Join at once without waiting for a click (scripted demos).
    pub join_now: bool,
    /// Share a generated test picture instead of the real screen (demos without a desktop).
    pub synthetic_screen: bool,
    /// Make this program the handler of `deskside://` links, then exit.
    pub register_links: bool,
    /// Certificates (PEM) trusted for the relays instead of the public web roots.
    pub relay_ca: Option<std::path::PathBuf>,
    /// The support team's site, which turns a 9-digit code into its invite.
    pub site: Option<String>,
}

/// Usage text.
pub const USAGE: &str = "Usage: deskside-agent [INVITE] [--name NAME] [--join-now] [--synthetic-screen]
                      [--relay-ca FILE] [--site URL]
       deskside-agent --register-links

  INVITE               a deskside://join/... link, the text code, or a 9-digit code (with --site)
  --join-now           join without waiting for the Join button
  --register-links     make this program open deskside:// links (Linux desktops), then exit
  --relay-ca FILE      trust the certificates in FILE (PEM) for the support team's relays,
                       instead of the public web's (a team with its own certificate authority)
  --site URL           the support team's site (https://support.example), which looks up
                       9-digit codes";

/// Parses `args` (without the program name); `program` is the program's path, whose file name
/// may carry the invite.
pub fn parse(program: Option<&str>, args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Args, lexopt::Error> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut a = Args::default();
    while let Some(arg) = p.next()? {
        match arg {
            Long("name") => a.name = Some(p.value()?.string()?),
            Long("join-now") => a.join_now = true,
            Long("synthetic-screen") => a.synthetic_screen = true,
            Long("register-links") => a.register_links = true,
            Long("relay-ca") => a.relay_ca = Some(p.value()?.into()),
            Long("site") => a.site = Some(p.value()?.string()?),
            Value(v) if a.invite.is_none() => a.invite = Some(v.string()?),
            _ => return Err(arg.unexpected()),
        }
    }
    if a.invite.is_none() {
        a.invite = program.and_then(code_in_file_name);
    }
    Ok(a)
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
