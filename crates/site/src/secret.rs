//! Passwords (argon2id, with the crate's recommended parameters) and sign-in tokens (32 random
//! bytes, of which the store keeps only the SHA-256).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::Digest;

/// Shortest password an account may have.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password read: hashing is work, and a megabyte password is an attack.
pub const MAX_PASSWORD_BYTES: usize = 256;

/// Why a password or token could not be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    /// Shorter than [`MIN_PASSWORD_CHARS`].
    #[error("the password must have at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    /// Longer than [`MAX_PASSWORD_BYTES`].
    #[error("the password may have at most {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
    /// The system's random source failed.
    #[error("no randomness from the system: {0}")]
    Random(String),
    /// argon2 refused (it does not, for these parameters).
    #[error("password hashing: {0}")]
    Hash(String),
}

/// Random bytes from the system.
///
/// # Errors
/// The system's random source failed.
pub fn random<const N: usize>() -> Result<[u8; N], SecretError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| SecretError::Random(e.to_string()))?;
    Ok(b)
}

/// The argon2id hash of `password` (a PHC string), after checking its length.
///
/// # Errors
/// Too short, too long, or no randomness for the salt.
pub fn hash_password(password: &str) -> Result<String, SecretError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(SecretError::TooShort);
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(SecretError::TooLong);
    }
    let salt = SaltString::encode_b64(&random::<16>()?).map_err(|e| SecretError::Hash(e.to_string()))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| SecretError::Hash(e.to_string()))
}

/// Whether `password` matches `phc`. A malformed hash or an overlong password never matches.
#[must_use]
pub fn password_matches(password: &str, phc: &str) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    PasswordHash::new(phc).is_ok_and(|h| argon2::Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash to check against when the account does not exist, so that an unknown e-mail address
/// takes as long to refuse as a wrong password.
pub static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("not the password of anyone").unwrap_or_default());

/// A new sign-in token (64 hex digits) and the hash the store keeps.
///
/// # Errors
/// No randomness.
pub fn new_token() -> Result<(String, String), SecretError> {
    let token = hex::encode(random::<32>()?);
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// What the store keeps of `token`.
#[must_use]
pub fn token_hash(token: &str) -> String {
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(password_matches("correct horse battery", &h));
        assert!(!password_matches("correct horse batterY", &h));
        assert!(!password_matches("correct horse battery", "not a hash"));
        assert_eq!(hash_password("short"), Err(SecretError::TooShort));
        assert_eq!(hash_password(&"x".repeat(MAX_PASSWORD_BYTES + 1)), Err(SecretError::TooLong));
        assert!(!password_matches(&"x".repeat(1 << 20), &h));
    }

    #[test]
    fn tokens_are_kept_as_hashes() {
        let (t, h) = new_token().unwrap();
        assert_eq!(t.len(), 64);
        assert_eq!(token_hash(&t), h);
        assert_ne!(t, h);
    }
}
