//! The host's TLS identity: a self-signed certificate made once per installation and kept in the
//! user's config directory. Its SHA-256 fingerprint goes into every invite.

use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

const CERT_FILE: &str = "host-cert.der";
const KEY_FILE: &str = "host-key.der";

/// A certificate, its private key (PKCS#8 DER) and the certificate's fingerprint.
#[derive(Clone)]
pub struct Identity {
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
    /// The private key, PKCS#8 DER.
    pub key_der: Vec<u8>,
    /// SHA-256 of `cert_der`.
    pub fingerprint: [u8; 32],
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity").field("fingerprint", &hex(&self.fingerprint)).finish_non_exhaustive()
    }
}

/// Why the identity could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// Reading or writing the files failed.
    #[error("cannot use the certificate in {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// Making a certificate failed.
    #[error("cannot create a certificate: {0}")]
    Generate(#[from] rcgen::Error),
}

impl Identity {
    /// A fresh self-signed identity, kept only in memory.
    pub fn generate() -> Result<Identity, IdentityError> {
        let ck = rcgen::generate_simple_self_signed(vec!["deskside".to_owned()])?;
        Ok(Identity::from_parts(ck.cert.der().to_vec(), ck.signing_key.serialize_der()))
    }

    /// Loads the identity kept in `dir`, making and saving one the first time. The key file is
    /// written to a temporary name and renamed, so a crash never leaves half a key.
    pub fn load_or_create(dir: &Path) -> Result<Identity, IdentityError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| IdentityError::Io { path, source }
        };
        let cert_path = dir.join(CERT_FILE);
        let key_path = dir.join(KEY_FILE);
        if let (Ok(cert), Ok(key)) = (fs::read(&cert_path), fs::read(&key_path)) {
            return Ok(Identity::from_parts(cert, key));
        }
        fs::create_dir_all(dir).map_err(io(dir))?;
        let id = Identity::generate()?;
        write_private(&key_path, &id.key_der).map_err(io(&key_path))?;
        write_private(&cert_path, &id.cert_der).map_err(io(&cert_path))?;
        Ok(id)
    }

    fn from_parts(cert_der: Vec<u8>, key_der: Vec<u8>) -> Identity {
        let fingerprint = Sha256::digest(&cert_der).into();
        Identity { cert_der, key_der, fingerprint }
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
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
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_eq!(a.cert_der, b.cert_der);
        assert_ne!(Identity::generate().unwrap().fingerprint, a.fingerprint);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the key is private to the user");
        }
    }
}
