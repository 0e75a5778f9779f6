//! Making `deskside://join/...` links open the agent: the platform's handler for the URL scheme.
//!
//! On Linux (freedesktop) a desktop entry declares the agent a handler of
//! `x-scheme-handler/deskside` and `xdg-mime` makes it the default; installers do the same
//! system-wide. On Windows the agent writes `HKCU\Software\Classes\deskside` for the user who
//! runs it (a portable agent needs no installer for it); macOS registers `CFBundleURLTypes` from
//! the app bundle's `Info.plist` (see `docs/INSTALLING.md`). [`register_for_user`] does what this
//! system needs.

use std::path::{Path, PathBuf};

/// The desktop entry's file name.
pub const DESKTOP_FILE: &str = "deskside-agent.desktop";
/// The MIME type of `deskside://` links.
pub const SCHEME_MIME: &str = "x-scheme-handler/deskside";

/// Where a user's desktop entries and MIME defaults live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XdgDirs {
    /// `$XDG_DATA_HOME` (`~/.local/share`): desktop entries go in its `applications`.
    pub data_home: PathBuf,
    /// `$XDG_CONFIG_HOME` (`~/.config`): `mimeapps.list`.
    pub config_home: PathBuf,
}

impl XdgDirs {
    /// The user's, from the environment and the freedesktop defaults.
    #[must_use]
    pub fn from_env() -> Option<XdgDirs> {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let dir = |var: &str, default: &str| {
            std::env::var_os(var)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .or_else(|| home.as_ref().map(|h| h.join(default)))
        };
        Some(XdgDirs {
            data_home: dir("XDG_DATA_HOME", ".local/share")?,
            config_home: dir("XDG_CONFIG_HOME", ".config")?,
        })
    }
}

/// The desktop entry that opens `deskside://` links with the agent at `exe`.
#[must_use]
pub fn desktop_entry(exe: &Path) -> String {
    // Two levels, as the Desktop Entry specification has them: the Exec key's quoting (inside
    // double quotes, `"`, `` ` ``, `$` and `\` get a backslash, and a literal `%` is `%%`), then
    // the escaping of every string value (each backslash doubled again).
    let mut quoted = String::from("\"");
    for c in exe.to_string_lossy().chars() {
        match c {
            '"' | '`' | '$' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            '%' => quoted.push_str("%%"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    let quoted = quoted.replace('\\', "\\\\");
    format!(
        "[Desktop Entry]\nType=Application\nName=Deskside\nComment=Join a remote support session\n\
         Exec={quoted} %u\nIcon=deskside\nTerminal=false\nNoDisplay=true\nMimeType={SCHEME_MIME};\n\
         Categories=Network;RemoteAccess;\n"
    )
}

/// Makes the agent at `exe` the user's handler of `deskside://` links: writes the desktop
/// entry into `dirs` and makes it the default with `xdg-mime`. Returns the entry's path.
pub fn register(exe: &Path, dirs: &XdgDirs) -> std::io::Result<PathBuf> {
    // A line break in the path would end the Exec line and start a key of its own.
    if exe.to_string_lossy().chars().any(char::is_control) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the program's path holds control characters",
        ));
    }
    let apps = dirs.data_home.join("applications");
    std::fs::create_dir_all(&apps)?;
    let path = apps.join(DESKTOP_FILE);
    let tmp = apps.join(format!("{DESKTOP_FILE}.new"));
    std::fs::write(&tmp, desktop_entry(exe))?;
    std::fs::rename(&tmp, &path)?;
    std::fs::create_dir_all(&dirs.config_home)?;
    let status = std::process::Command::new("xdg-mime")
        .args(["default", DESKTOP_FILE, SCHEME_MIME])
        .env("XDG_DATA_HOME", &dirs.data_home)
        .env("XDG_CONFIG_HOME", &dirs.config_home)
        .status()
        .map_err(|e| {
            std::io::Error::new(e.kind(), format!("xdg-mime could not be run ({e}); is xdg-utils installed?"))
        })?;
    if !status.success() {
        return Err(std::io::Error::other(format!("xdg-mime failed ({status})")));
    }
    Ok(path)
}

/// Makes `deskside://` links open `exe` for the user who runs it: [`register`] with the user's
/// XDG folders on Linux, the user's registry on Windows. Says where it was written, or why not.
pub fn register_for_user(exe: &Path) -> Result<String, String> {
    #[cfg(windows)]
    {
        crate::windows::register_link_handler(exe)?;
        Ok(r"HKEY_CURRENT_USER\Software\Classes\deskside".to_owned())
    }
    #[cfg(not(windows))]
    {
        let dirs = XdgDirs::from_env().ok_or("no home folder")?;
        register(exe, &dirs).map(|p| p.display().to_string()).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_quotes_the_program_and_declares_the_scheme() {
        let e = desktop_entry(Path::new("/opt/My \"Apps\"/deskside-agent"));
        // `"` is `\"` for the Exec quoting, and that backslash is doubled for the string value.
        assert!(e.contains("Exec=\"/opt/My \\\\\"Apps\\\\\"/deskside-agent\" %u\n"), "{e}");
        // A literal `%` is doubled (a lone one would be a field code); a backslash becomes four.
        let e = desktop_entry(Path::new("/opt/100%/a\\b/$x/deskside-agent"));
        assert!(e.contains("Exec=\"/opt/100%%/a\\\\\\\\b/\\\\$x/deskside-agent\" %u\n"), "{e}");
        let nowhere = XdgDirs { data_home: "/nonexistent/data".into(), config_home: "/nonexistent/config".into() };
        assert!(register(Path::new("/tmp/a\nb"), &nowhere).is_err(), "a line break would start a key");
        assert!(e.contains("MimeType=x-scheme-handler/deskside;\n"));
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn registering_makes_the_agent_the_default_handler() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = XdgDirs { data_home: dir.path().join("data"), config_home: dir.path().join("config") };
        let path = register(Path::new("/usr/bin/deskside-agent"), &dirs).unwrap();
        assert!(std::fs::read_to_string(path).unwrap().contains("Exec=\"/usr/bin/deskside-agent\" %u"));
        let out = std::process::Command::new("xdg-mime")
            .args(["query", "default", SCHEME_MIME])
            .env("XDG_DATA_HOME", &dirs.data_home)
            .env("XDG_CONFIG_HOME", &dirs.config_home)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), DESKTOP_FILE);
    }
}
