//! The console's command line.

use std::path::PathBuf;

/// What the command line asked for.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Args {
    /// Start a session at once (one click for on-demand CSRs).
    pub start: bool,
    /// The CSR's display name.
    pub name: Option<String>,
    /// The organisation.
    pub organisation: Option<String>,
    /// The session type.
    pub session_type: Option<String>,
    /// The tracking code.
    pub tracking_code: Option<String>,
    /// The UDP port to listen on.
    pub port: Option<u16>,
    /// Where to write the first invite link.
    pub invite_file: Option<PathBuf>,
    /// A relay for this run only (the settings' relays otherwise).
    pub relay: Option<String>,
    /// Its token.
    pub relay_token: Option<String>,
    /// Certificates (PEM) trusted for the relays instead of the public web roots.
    pub relay_ca: Option<PathBuf>,
    /// The team's site for this run only (the settings' site otherwise).
    pub site: Option<String>,
    /// Sign in to the site as this e-mail address at once...
    pub site_email: Option<String>,
    /// ...with the password in this file (its first line).
    pub site_password_file: Option<PathBuf>,
    /// Where to write the first customer invite's 9-digit code, once the site gave it.
    pub code_file: Option<PathBuf>,
}

/// Usage text.
pub const USAGE: &str = "Usage: deskside-console [--start] [--name NAME] [--organisation ORG]
                        [--session-type TYPE] [--tracking-code CODE] [--port PORT]
                        [--invite-file PATH] [--relay URL --relay-token TOKEN]
                        [--relay-ca FILE] [--site URL] [--site-email EMAIL
                        --site-password-file FILE] [--code-file PATH]

  --start              start a session as soon as the window opens
  --invite-file PATH   write the first customer invite link to PATH
  --relay URL          go through this relay for this run (instead of the settings' relays)
  --relay-token TOKEN  the token that relay admits
  --relay-ca FILE      trust the certificates in FILE (PEM) for the relays, instead of the
                       public web's (a team whose relays use its own certificate authority)
  --site URL           use this support site for this run (instead of the settings' site)
  --site-email EMAIL   sign in to the site at once, with the password in
  --site-password-file FILE  (its first line)
  --code-file PATH     write the first customer invite's 9-digit code to PATH";

impl Args {
    /// What is wrong with the relay given, if anything.
    #[must_use]
    pub fn relay_problem(&self) -> Option<String> {
        match (&self.relay, &self.relay_token) {
            (None, None) => None,
            (None, Some(_)) => Some("--relay-token needs --relay".into()),
            (Some(url), _) if !deskside_proto::invite::is_valid_relay_url(url) => {
                Some(format!("--relay {url}: not an https:// (or http://) address"))
            }
            (Some(_), Some(t)) if deskside_proto::invite::is_valid_relay_token(t) => None,
            (Some(_), _) => Some("--relay needs --relay-token: 16 to 128 letters, digits, '-', '_' or '.'".into()),
        }
    }
}

/// Parses `args` (without the program name).
pub fn parse(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Args, lexopt::Error> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut a = Args::default();
    while let Some(arg) = p.next()? {
        match arg {
            Long("start") => a.start = true,
            Long("name") => a.name = Some(p.value()?.string()?),
            Long("organisation" | "organization") => a.organisation = Some(p.value()?.string()?),
            Long("session-type") => a.session_type = Some(p.value()?.string()?),
            Long("tracking-code") => a.tracking_code = Some(p.value()?.string()?),
            Long("port") => a.port = Some(p.value()?.parse()?),
            Long("invite-file") => a.invite_file = Some(p.value()?.into()),
            Long("relay") => a.relay = Some(p.value()?.string()?),
            Long("relay-token") => a.relay_token = Some(p.value()?.string()?),
            Long("relay-ca") => a.relay_ca = Some(p.value()?.into()),
            Long("site") => a.site = Some(p.value()?.string()?),
            Long("site-email") => a.site_email = Some(p.value()?.string()?),
            Long("site-password-file") => a.site_password_file = Some(p.value()?.into()),
            Long("code-file") => a.code_file = Some(p.value()?.into()),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_flags() {
        let a =
            parse(["--start", "--name", "Sam", "--port", "4433", "--invite-file", "/tmp/i"].map(Into::into)).unwrap();
        assert!(a.start);
        assert_eq!(a.name.as_deref(), Some("Sam"));
        assert_eq!(a.port, Some(4433));
        assert_eq!(a.invite_file, Some(PathBuf::from("/tmp/i")));
        assert_eq!(parse(["--relay-ca", "/etc/ca.pem"].map(Into::into)).unwrap().relay_ca, Some("/etc/ca.pem".into()));
        let a = parse(
            ["--site", "https://s.example", "--site-email", "a@b", "--site-password-file", "/p", "--code-file", "/c"]
                .map(Into::into),
        )
        .unwrap();
        assert_eq!((a.site.as_deref(), a.site_email.as_deref()), (Some("https://s.example"), Some("a@b")));
        assert_eq!((a.site_password_file, a.code_file), (Some("/p".into()), Some("/c".into())));
        assert!(parse(["--port", "x"].map(Into::into)).is_err());
        assert!(parse(["--bogus"].map(Into::into)).is_err());
    }
}
