//! The machine's file system roots, for browsing: the drives on Windows, the root folder
//! elsewhere.

/// The name a listing of the drives goes by (not a real folder).
pub const DRIVES: &str = "::drives";

/// The drives that are there ("C:", "D:"...) on Windows; `None` elsewhere (one root folder).
#[must_use]
pub fn drives() -> Option<Vec<String>> {
    #[cfg(target_os = "windows")]
    {
        Some(
            (b'A'..=b'Z')
                .map(|l| format!("{}:", char::from(l)))
                .filter(|d| std::path::Path::new(&format!("{d}\\")).exists())
                .collect(),
        )
    }
    #[cfg(not(target_os = "windows"))]
    {
        None
    }
}

/// The folder entry `name` of the listing `folder` stands for: a drive's root in the drives
/// listing, else `name` inside `folder`.
#[must_use]
pub fn child(folder: &str, name: &str) -> std::path::PathBuf {
    if folder == DRIVES {
        std::path::PathBuf::from(format!("{name}\\"))
    } else {
        std::path::Path::new(folder).join(name)
    }
}
