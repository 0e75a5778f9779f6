//! The CSR's settings, kept as a small JSON file in the user's configuration directory: display
//! name, organisation, the session types the team offers, language, theme and listen port.
//!
//! A file that cannot be read is never overwritten silently: the console says so, runs with
//! defaults, and moves the old file aside (`settings.json.unreadable`) the first time it saves.

use std::path::{Path, PathBuf};

use deskside_i18n::Lang;
use serde::{Deserialize, Serialize};

use crate::theme::ThemeChoice;

/// Largest settings file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 256 * 1024;
/// Most session types kept.
pub const MAX_SESSION_TYPES: usize = 50;
/// Longest session type name, in characters.
pub const MAX_TYPE_CHARS: usize = 64;

/// One kind of session the team offers.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SessionType {
    /// The name the CSR picks from.
    pub name: String,
    /// Whether a session of this type cannot start without a tracking code.
    #[serde(default)]
    pub tracking_code_required: bool,
}

impl SessionType {
    /// A type with `name`; `required`: needs a tracking code.
    #[must_use]
    pub fn new(name: &str, required: bool) -> SessionType {
        SessionType { name: name.to_owned(), tracking_code_required: required }
    }
}

/// Everything the CSR can set.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(default)]
pub struct Settings {
    /// The name customers see.
    pub display_name: String,
    /// The organisation customers see.
    pub organisation: String,
    /// The session types offered when starting a session.
    pub session_types: Vec<SessionType>,
    /// The language (`None`: the system's).
    pub language: Option<Lang>,
    /// The theme.
    pub theme: ThemeChoice,
    /// The UDP port sessions listen on (0: any free port).
    pub port: u16,
    /// The team's relays (`https://...`), through which customers reach this console when no
    /// direct path exists; none: direct paths only.
    pub relays: Vec<String>,
    /// The token the team's relays admit.
    pub relay_token: String,
    /// The team's support site (`https://support.acme.example`), where the CSR signs in and
    /// which gives each customer invite a 9-digit code; empty: none (a lone technician).
    pub site: String,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            display_name: String::new(),
            organisation: String::new(),
            session_types: vec![
                SessionType::new("General support", false),
                SessionType::new("Hardware", false),
                SessionType::new("Software installation", false),
                SessionType::new("Account and billing", true),
            ],
            language: None,
            theme: ThemeChoice::System,
            port: 0,
            relays: Vec::new(),
            relay_token: String::new(),
            site: String::new(),
        }
    }
}

/// Why settings could not be read, checked or saved.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    /// The file could not be read.
    #[error("cannot read {path}: {why}")]
    Read {
        /// Which file.
        path: PathBuf,
        /// Why.
        why: String,
    },
    /// The file is not settings.
    #[error("{path} is not a Deskside settings file: {why}")]
    Invalid {
        /// Which file.
        path: PathBuf,
        /// Why.
        why: String,
    },
    /// The file could not be written.
    #[error("cannot save {path}: {why}")]
    Write {
        /// Which file.
        path: PathBuf,
        /// Why.
        why: String,
    },
}

/// Something wrong with settings a CSR typed (each maps to a sentence in the window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The display name is empty, too long or has control characters.
    Name,
    /// The organisation is too long or has control characters.
    Organisation,
    /// No session type at all.
    NoTypes,
    /// A session type without a name, too long, or with control characters.
    TypeName,
    /// Two session types with the same name.
    DuplicateType,
    /// More than [`MAX_SESSION_TYPES`].
    TooManyTypes,
    /// A relay that is not an `https://` (or `http://`) URL, or more than an invite carries.
    Relay,
    /// A relay token that is too short, too long, or has other characters than letters, digits,
    /// `-`, `_` and `.`; or relays without a token.
    RelayToken,
    /// A site address that is not an `https://` (or `http://`) address.
    Site,
}

impl Settings {
    /// Reads settings from `path`: `Ok(None)` when there is no file yet.
    pub fn load(path: &Path) -> Result<Option<Settings>, SettingsError> {
        let read = |why: std::io::Error| SettingsError::Read { path: path.to_owned(), why: why.to_string() };
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(read(e)),
        };
        if meta.len() > MAX_FILE_BYTES {
            return Err(SettingsError::Invalid { path: path.to_owned(), why: "the file is too large".into() });
        }
        let text = std::fs::read(path).map_err(read)?;
        let settings: Settings = serde_json::from_slice(&text)
            .map_err(|e| SettingsError::Invalid { path: path.to_owned(), why: e.to_string() })?;
        if let Some(p) = settings.problem() {
            return Err(SettingsError::Invalid { path: path.to_owned(), why: format!("{p:?}") });
        }
        Ok(Some(settings))
    }

    /// Writes the settings to `path` whole (beside it, then renamed). With `keep_old`, an
    /// existing file is first moved to `<path>.unreadable`.
    pub fn save(&self, path: &Path, keep_old: bool) -> Result<(), SettingsError> {
        let write = |why: std::io::Error| SettingsError::Write { path: path.to_owned(), why: why.to_string() };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(write)?;
        }
        if keep_old && path.exists() {
            let mut aside = path.as_os_str().to_owned();
            aside.push(".unreadable");
            std::fs::rename(path, PathBuf::from(aside)).map_err(write)?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(|e| write(std::io::Error::other(e)))?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".new");
        let tmp = PathBuf::from(tmp);
        std::fs::write(&tmp, json).map_err(write)?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            write(e)
        })
    }

    /// The first thing wrong with these settings, if any.
    #[must_use]
    pub fn problem(&self) -> Option<Problem> {
        if !deskside_proto::is_valid_name(&self.display_name) {
            return Some(Problem::Name);
        }
        // Within what every participant's app accepts (bytes, not letters).
        if self.organisation.chars().count() > 100 || !deskside_proto::is_valid_label(&self.organisation) {
            return Some(Problem::Organisation);
        }
        if self.session_types.is_empty() {
            return Some(Problem::NoTypes);
        }
        if self.session_types.len() > MAX_SESSION_TYPES {
            return Some(Problem::TooManyTypes);
        }
        for (i, t) in self.session_types.iter().enumerate() {
            let name = t.name.trim();
            if name.is_empty() || name.chars().count() > MAX_TYPE_CHARS || !deskside_proto::is_valid_label(name) {
                return Some(Problem::TypeName);
            }
            if self.session_types[..i].iter().any(|o| o.name.trim().eq_ignore_ascii_case(name)) {
                return Some(Problem::DuplicateType);
            }
        }
        if self.relays.len() > deskside_proto::invite::MAX_RELAYS
            || !self.relays.iter().all(|r| deskside_proto::invite::is_valid_relay_url(r))
        {
            return Some(Problem::Relay);
        }
        let token_ok = if self.relays.is_empty() {
            self.relay_token.is_empty() || deskside_proto::invite::is_valid_relay_token(&self.relay_token)
        } else {
            deskside_proto::invite::is_valid_relay_token(&self.relay_token)
        };
        if !token_ok {
            return Some(Problem::RelayToken);
        }
        if !self.site.is_empty() && deskside_net::site::SiteClient::new(&self.site, &[]).is_err() {
            return Some(Problem::Site);
        }
        None
    }

    /// The relays sessions go through, as the host takes them.
    #[must_use]
    pub fn relays(&self) -> deskside_net::transport::Relays {
        deskside_net::transport::Relays {
            urls: self.relays.clone(),
            token: self.relay_token.clone(),
            roots: Vec::new(),
        }
    }

    /// The session type called `name`.
    #[must_use]
    pub fn session_type(&self, name: &str) -> Option<&SessionType> {
        self.session_types.iter().find(|t| t.name == name)
    }

    /// The language to show: the chosen one, or the system's.
    #[must_use]
    pub fn lang(&self, system: Lang) -> Lang {
        self.language.unwrap_or(system)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> Settings {
        Settings { display_name: "Sam Rivera".into(), ..Settings::default() }
    }

    #[test]
    fn round_trip_and_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep/settings.json");
        assert_eq!(Settings::load(&path), Ok(None));
        let mut s = valid();
        s.language = Some(Lang::Es);
        s.theme = ThemeChoice::Dark;
        s.port = 47_000;
        s.session_types.push(SessionType::new("Onboarding", true));
        s.save(&path, false).unwrap();
        assert_eq!(Settings::load(&path), Ok(Some(s)));
        assert!(!dir.path().join("deep/settings.json.new").exists());
    }

    #[test]
    fn an_unreadable_file_is_refused_and_kept_aside_on_save() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, b"{ not json").unwrap();
        assert!(matches!(Settings::load(&path), Err(SettingsError::Invalid { .. })));
        valid().save(&path, true).unwrap();
        assert_eq!(std::fs::read(dir.path().join("settings.json.unreadable")).unwrap(), b"{ not json");
        assert_eq!(Settings::load(&path), Ok(Some(valid())));
        // Too large and invalid values are refused too.
        std::fs::write(&path, vec![b' '; MAX_FILE_BYTES as usize + 1]).unwrap();
        assert!(matches!(Settings::load(&path), Err(SettingsError::Invalid { .. })));
        std::fs::write(&path, br#"{"display_name":"Sam","session_types":[]}"#).unwrap();
        assert!(matches!(Settings::load(&path), Err(SettingsError::Invalid { .. })));
    }

    #[test]
    fn problems_are_found() {
        assert_eq!(valid().problem(), None);
        let mut s = valid();
        s.display_name = " ".into();
        assert_eq!(s.problem(), Some(Problem::Name));
        let mut s = valid();
        s.organisation = "a\u{7}".into();
        assert_eq!(s.problem(), Some(Problem::Organisation));
        // Fewer than 100 letters, but more bytes than any participant's app accepts.
        let mut s = valid();
        s.organisation = "ñ".repeat(70);
        assert_eq!(s.problem(), Some(Problem::Organisation));
        let mut s = valid();
        s.session_types.push(SessionType::new(&"€".repeat(50), false));
        assert_eq!(s.problem(), Some(Problem::TypeName));
        let mut s = valid();
        s.session_types.clear();
        assert_eq!(s.problem(), Some(Problem::NoTypes));
        let mut s = valid();
        s.session_types.push(SessionType::new("  ", false));
        assert_eq!(s.problem(), Some(Problem::TypeName));
        let mut s = valid();
        s.session_types.push(SessionType::new("hardware", true));
        assert_eq!(s.problem(), Some(Problem::DuplicateType));
        let mut s = valid();
        s.session_types = (0..=MAX_SESSION_TYPES).map(|i| SessionType::new(&format!("T{i}"), false)).collect();
        assert_eq!(s.problem(), Some(Problem::TooManyTypes));
    }

    #[test]
    fn relays_need_https_addresses_and_a_token() {
        let mut s = valid();
        s.relays = vec!["https://relay.acme.example".into()];
        assert_eq!(s.problem(), Some(Problem::RelayToken), "a relay without a token");
        s.relay_token = "acme-support-7Gf2kQ9xLm4Rt8Wz".into();
        assert_eq!(s.problem(), None);
        assert_eq!(s.relays().urls, s.relays);
        s.relay_token = "short".into();
        assert_eq!(s.problem(), Some(Problem::RelayToken));
        s.relay_token = "acme-support-7Gf2kQ9xLm4Rt8Wz".into();
        s.relays.push("relay.acme.example".into());
        assert_eq!(s.problem(), Some(Problem::Relay), "not a URL");
        s.relays = vec!["https://a.example".into(); 4];
        assert_eq!(s.problem(), Some(Problem::Relay), "more than an invite carries");
        // An old settings file, without relays, still reads.
        let old: Settings = serde_json::from_str(r#"{ "display_name": "Sam", "port": 0 }"#).unwrap();
        assert!(old.relays.is_empty() && old.relay_token.is_empty());
    }
}
