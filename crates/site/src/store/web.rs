//! Sign-ins to the site's pages (the admin pages, later the reports): a random token in a
//! cookie, of which only the hash is kept, and the form token every page's forms carry.

use sqlx::Row;

use super::{Account, Store, StoreError, account, to_i64};

impl Store {
    /// Keeps a page sign-in for `account` until `expires_s` (and forgets those expired).
    ///
    /// # Errors
    /// The database failed.
    pub async fn add_web_session(
        &self,
        token_hash: &str,
        account: i64,
        csrf: &str,
        now_s: u64,
        expires_s: u64,
    ) -> Result<(), StoreError> {
        // Sign-ins that ran out are forgotten as new ones come.
        sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1").bind(to_i64(now_s)).execute(&self.pool).await?;
        sqlx::query(
            "INSERT INTO web_sessions (token_hash, account_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(account)
        .bind(csrf)
        .bind(to_i64(now_s))
        .bind(to_i64(expires_s))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The enabled account and form token of the live page sign-in whose token hashes to
    /// `token_hash`.
    ///
    /// # Errors
    /// The database failed.
    pub async fn web_session(&self, token_hash: &str, now_s: u64) -> Result<Option<(Account, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT a.id, a.email, a.display_name, a.password_hash, a.role, a.disabled, w.csrf FROM web_sessions w JOIN accounts a ON a.id = w.account_id WHERE w.token_hash = $1 AND w.expires_at > $2 AND a.disabled = 0",
        )
        .bind(token_hash)
        .bind(to_i64(now_s))
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(Some((account(&r)?, r.try_get(6)?))),
            None => Ok(None),
        }
    }

    /// Ends a page sign-in, and forgets those that have expired.
    ///
    /// # Errors
    /// The database failed.
    pub async fn remove_web_session(&self, token_hash: &str, now_s: u64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1 OR expires_at <= $2")
            .bind(token_hash)
            .bind(to_i64(now_s))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The audit log, newest first: time, the name of who did it (none: the command line),
    /// action, detail.
    ///
    /// # Errors
    /// The database failed.
    pub async fn audit_entries(&self, limit: u32) -> Result<Vec<(u64, Option<String>, String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT l.at, a.display_name, l.action, l.detail FROM audit_log l LEFT JOIN accounts a ON a.id = l.account_id ORDER BY l.id DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((super::to_u64(r.try_get(0)?), r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))).collect()
    }
}
