//! The host's identity: an ed25519 secret key made once per installation and kept in the user's
//! config directory (readable by that user only). Its public half is the host's iroh endpoint id,
//! which every invite carries and every QUIC handshake proves.

use std::fs;
use std::path::{Path, PathBuf};

const KEY_FILE: &str = "host-key.ed25519";

/// The host's secret key and its public endpoint id.
#[derive(Clone)]
pub struct Identity {
    /// The secret key.
    pub secret: iroh::SecretKey,
    /// The endpoint id (the public key's 32 bytes).
    pub id: [u8; 32],
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity").field("id", &hex(&self.id)).finish_non_exhaustive()
    }
}

/// Why the identity could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// Reading or writing the key failed.
    #[error("cannot use the key in {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The system gave no random bytes to make a key from.
    #[error("cannot make a key: {0}")]
    Random(std::io::Error),
}

impl Identity {
    /// A fresh identity, kept only in memory.
    pub fn generate() -> Result<Identity, IdentityError> {
        let bytes = crate::random_bytes::<32>().map_err(IdentityError::Random)?;
        Ok(Identity::from_secret(iroh::SecretKey::from_bytes(&bytes)))
    }

    /// Loads the identity kept in `dir`, making and saving one the first time. The key file is
    /// written to a temporary name and renamed, so a crash never leaves half a key.
    pub fn load_or_create(dir: &Path) -> Result<Identity, IdentityError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| IdentityError::Io { path, source }
        };
        let key_path = dir.join(KEY_FILE);
        if let Ok(bytes) = fs::read(&key_path)
            && let Ok(bytes) = <[u8; 32]>::try_from(bytes.as_slice())
        {
            return Ok(Identity::from_secret(iroh::SecretKey::from_bytes(&bytes)));
        }
        fs::create_dir_all(dir).map_err(io(dir))?;
        let id = Identity::generate()?;
        write_private(&key_path, &id.secret.to_bytes()).map_err(io(&key_path))?;
        Ok(id)
    }

    fn from_secret(secret: iroh::SecretKey) -> Identity {
        let id = *secret.public().as_bytes();
        Identity { secret, id }
    }
}

/// Writes `bytes` to `path` whole (beside it, then renamed), readable and writable by this user
/// only: the identity key, and the console's sign-in to the team's site.
///
/// # Errors
/// The file cannot be written or renamed.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&tmp)?;
        std::io::Write::write_all(&mut f, bytes)?;
        f.sync_all()?;
    }
    fs::rename(tmp, path)
}

/// Lower-case hex of `bytes`.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let a = Identity::load_or_create(dir.path()).unwrap();
        let b = Identity::load_or_create(dir.path()).unwrap();
        assert_eq!(a.id, b.id);
        assert_eq!(a.secret.to_bytes(), b.secret.to_bytes());
        assert_ne!(Identity::generate().unwrap().id, a.id);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the key is private to the user");
        }
    }
}
