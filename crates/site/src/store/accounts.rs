//! The team's accounts: added by an administrator (or `init`), every change in the audit log.

use sqlx::Row;

use super::{NewAccount, Store, StoreError, audit_in, to_i64};

impl Store {
    /// Adds an account, by the administrator `by` (none: the command line). Returns its id, or
    /// [`StoreError::Refused`] when the e-mail address has an account already.
    ///
    /// # Errors
    /// The address is taken, or the database failed.
    pub async fn add_account(&self, new: &NewAccount<'_>, by: Option<i64>, now_s: u64) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let email = new.email.trim().to_lowercase();
        let row = sqlx::query(
            "INSERT INTO accounts (email, display_name, password_hash, role, disabled, created_at) VALUES ($1, $2, $3, $4, 0, $5)
             ON CONFLICT (email) DO NOTHING RETURNING id",
        )
        .bind(&email)
        .bind(new.display_name)
        .bind(new.password_hash)
        .bind(new.role.as_str())
        .bind(to_i64(now_s))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Err(StoreError::Refused("an account with this e-mail address exists")) };
        let id: i64 = row.try_get(0)?;
        let detail = format!("{email} ({}, {})", new.display_name, new.role.as_str());
        audit_in(&mut tx, now_s, by, "account added", &detail).await?;
        tx.commit().await?;
        Ok(id)
    }
}
