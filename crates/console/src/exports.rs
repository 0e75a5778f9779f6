//! What the History and System info views share: dates and times for people, and writing an
//! export whole.

use std::path::Path;

/// A date and time for people, at `offset_s` from UTC: `2026-11-25 14:05`.
#[must_use]
pub fn date_time(ms: u64, offset_s: i32) -> String {
    use chrono::Offset as _;
    let offset = chrono::FixedOffset::east_opt(offset_s).unwrap_or_else(|| chrono::Utc.fix());
    i64::try_from(ms)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map_or_else(|| "?".into(), |d| d.with_timezone(&offset).format("%Y-%m-%d %H:%M").to_string())
}

/// Writes `bytes` to `path` through a temporary file beside it, so no half-written report is
/// ever left (an existing file of that name is replaced only once the new one is complete).
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_shown_in_local_time() {
        assert_eq!(date_time(1_795_615_500_000, 0), "2026-11-25 14:05");
        assert_eq!(date_time(1_795_615_500_000, 3600), "2026-11-25 15:05");
    }

    #[test]
    fn an_export_is_written_whole_and_replaces_only_when_complete() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reports/a.html");
        write_new(&path, b"first").unwrap();
        write_new(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        assert_eq!(std::fs::read_dir(dir.path().join("reports")).unwrap().count(), 1, "no partial file left");
    }
}
