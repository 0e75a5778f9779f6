//! The console's command line.

use std::path::PathBuf;

/// What the command line asked for.
#[derive(clap::Parser, Debug, Default, PartialEq, Eq)]
#[command(
    name = "deskside-console",
    version,
    about = "Deskside's console: the support representative's window.",
    long_about = "Deskside's console: the support representative's window. Without options it opens the \
                  start screen; the options below script a session (a demo, an on-demand start).",
    after_help = "The settings (Settings in the window) keep the rest: your name, the session types, the relays, \
                  the team's site."
)]
pub struct Args {
    /// Start a session as soon as the window opens.
    #[arg(long)]
    pub start: bool,
    /// Your name, as customers see it.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// The organisation, as customers see it.
    #[arg(long, alias = "organization", value_name = "ORG")]
    pub organisation: Option<String>,
    /// The session type.
    #[arg(long, value_name = "TYPE")]
    pub session_type: Option<String>,
    /// The tracking code.
    #[arg(long, value_name = "CODE")]
    pub tracking_code: Option<String>,
    /// The UDP port to listen on.
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Write the first customer invite link to PATH.
    #[arg(long, value_name = "PATH")]
    pub invite_file: Option<PathBuf>,
    /// Go through this relay for this run (instead of the settings' or the site's relays).
    #[arg(long, value_name = "URL")]
    pub relay: Option<String>,
    /// The token that relay admits.
    #[arg(long, value_name = "TOKEN")]
    pub relay_token: Option<String>,
    /// Trust the certificates in FILE (PEM) for the relays instead of the public web's (a team
    /// whose relays use its own certificate authority).
    #[arg(long, value_name = "FILE")]
    pub relay_ca: Option<PathBuf>,
    /// Use this support site for this run (instead of the settings' site).
    #[arg(long, value_name = "URL")]
    pub site: Option<String>,
    /// Sign in to the site at once as EMAIL, with the password in --site-password-file.
    #[arg(long, value_name = "EMAIL", requires = "site_password_file")]
    pub site_email: Option<String>,
    /// The file whose first line is the site password.
    #[arg(long, value_name = "FILE", requires = "site_email")]
    pub site_password_file: Option<PathBuf>,
    /// Write the first customer invite's 9-digit code to PATH, once the site gave it.
    #[arg(long, value_name = "PATH")]
    pub code_file: Option<PathBuf>,
}

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

/// Parses `args` (without the program name). `--help` and `--version` come back as errors
/// whose `exit` prints them and ends the program with success.
///
/// # Errors
/// An unknown option, a missing or malformed value, `--help` or `--version`.
pub fn parse(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Args, clap::Error> {
    <Args as clap::Parser>::try_parse_from(std::iter::once(std::ffi::OsString::from("deskside-console")).chain(args))
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
        assert!(parse(["--site-email", "a@b"].map(Into::into)).is_err(), "the password file is needed too");
        assert_eq!(parse(["--organization", "Acme"].map(Into::into)).unwrap().organisation.as_deref(), Some("Acme"));
        let help = parse(["--help"].map(Into::into)).unwrap_err();
        assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
        assert!(help.to_string().contains("--tracking-code <CODE>"), "{help}");
        assert_eq!(parse(["--version"].map(Into::into)).unwrap_err().kind(), clap::error::ErrorKind::DisplayVersion);
    }
}
