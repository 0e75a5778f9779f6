//! The team's accounts: added by an administrator (or `init`), disabled and enabled, their role
//! changed, their password reset through a one-time link; every change in the audit log. The
//! site always keeps one enabled administrator: the statements that could remove the last one
//! check it themselves, so two administrators acting at once on two site instances cannot.

use sqlx::Row;

use super::{NewAccount, Role, Store, StoreError, audit_in, to_i64, to_u64};

/// What an unusable password hash is: no password matches it (a new account whose person has
/// not set theirs yet, or one being reset).
pub const NO_PASSWORD: &str = "!";

/// An account as the accounts page lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRow {
    /// Its id.
    pub id: i64,
    /// Its sign-in name.
    pub email: String,
    /// The name customers see.
    pub display_name: String,
    /// Its role.
    pub role: Role,
    /// Whether it is disabled.
    pub disabled: bool,
    /// Whether its person has a password (none yet: their link is not used).
    pub has_password: bool,
    /// When it was made.
    pub created_s: u64,
}

/// A change to an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// It can sign in no more; its sign-ins end.
    Disable,
    /// It can sign in again.
    Enable,
    /// It gets this role.
    Role(Role),
}

/// The administrators left enabled if account `$1` were not one.
const OTHER_ADMINS: &str = "(SELECT COUNT(*) FROM accounts WHERE role = 'admin' AND disabled = 0 AND id != $1)";

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

    /// Every account, by name.
    ///
    /// # Errors
    /// The database failed.
    pub async fn accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, email, display_name, role, disabled, password_hash, created_at FROM accounts ORDER BY display_name, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let role: String = r.try_get(3)?;
                let disabled: i64 = r.try_get(4)?;
                let hash: String = r.try_get(5)?;
                Ok(AccountRow {
                    id: r.try_get(0)?,
                    email: r.try_get(1)?,
                    display_name: r.try_get(2)?,
                    role: Role::parse(&role)?,
                    disabled: disabled != 0,
                    has_password: hash != NO_PASSWORD,
                    created_s: to_u64(r.try_get(6)?),
                })
            })
            .collect()
    }

    /// Changes account `id`, by the administrator `by`. A change that would leave the site
    /// without an enabled administrator is refused; disabling ends the account's sign-ins.
    ///
    /// # Errors
    /// [`StoreError::Refused`] (no such account, or the last administrator), or the database
    /// failed.
    pub async fn change_account(&self, id: i64, change: Change, by: i64, now_s: u64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let Some(email) = email_of(&mut tx, id).await? else {
            return Err(StoreError::Refused("there is no such account"));
        };
        let (sql, what) = match change {
            Change::Disable => (
                format!("UPDATE accounts SET disabled = 1 WHERE id = $1 AND (role != 'admin' OR {OTHER_ADMINS} > 0)"),
                "account disabled".to_owned(),
            ),
            Change::Enable => {
                ("UPDATE accounts SET disabled = 0 WHERE id = $1".to_owned(), "account enabled".to_owned())
            }
            Change::Role(Role::Admin) => {
                ("UPDATE accounts SET role = 'admin' WHERE id = $1".to_owned(), "made an administrator".to_owned())
            }
            Change::Role(Role::Csr) => (
                format!("UPDATE accounts SET role = 'csr' WHERE id = $1 AND (disabled = 1 OR {OTHER_ADMINS} > 0)"),
                "made a CSR".to_owned(),
            ),
        };
        let done = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Refused("the site must keep one enabled administrator"));
        }
        if change == Change::Disable {
            end_sign_ins(&mut tx, id).await?;
        }
        audit_in(&mut tx, now_s, Some(by), &what, &email).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Keeps a one-time link (its token's hash) for account `id`'s person to set a password
    /// with, until `expires_s`. With `reset`, the account's password stops working at once and
    /// its sign-ins end (it is being reset); earlier links of the account stop working.
    ///
    /// # Errors
    /// [`StoreError::Refused`] (no such account), or the database failed.
    pub async fn add_link(
        &self,
        id: i64,
        token_hash: &str,
        reset: bool,
        by: Option<i64>,
        now_s: u64,
        expires_s: u64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let Some(email) = email_of(&mut tx, id).await? else {
            return Err(StoreError::Refused("there is no such account"));
        };
        sqlx::query("UPDATE account_links SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL")
            .bind(id)
            .bind(to_i64(now_s))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO account_links (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(id)
        .bind(to_i64(now_s))
        .bind(to_i64(expires_s))
        .execute(&mut *tx)
        .await?;
        if reset {
            sqlx::query("UPDATE accounts SET password_hash = $2 WHERE id = $1")
                .bind(id)
                .bind(NO_PASSWORD)
                .execute(&mut *tx)
                .await?;
            end_sign_ins(&mut tx, id).await?;
            audit_in(&mut tx, now_s, by, "password reset", &email).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The e-mail address and name of the account whose live, unused link hashes to
    /// `token_hash`.
    ///
    /// # Errors
    /// The database failed.
    pub async fn link(&self, token_hash: &str, now_s: u64) -> Result<Option<(String, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT a.email, a.display_name FROM account_links l JOIN accounts a ON a.id = l.account_id
             WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2",
        )
        .bind(token_hash)
        .bind(to_i64(now_s))
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(Some((r.try_get(0)?, r.try_get(1)?))),
            None => Ok(None),
        }
    }

    /// Sets the password (`password_hash`) of the account whose live, unused link hashes to
    /// `token_hash`, once: the link is used up in the same statement, so two tabs cannot both
    /// use it. Returns whether it was set. Every sign-in of the account ends.
    ///
    /// # Errors
    /// The database failed.
    pub async fn use_link(&self, token_hash: &str, password_hash: &str, now_s: u64) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE account_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING account_id",
        )
        .bind(token_hash)
        .bind(to_i64(now_s))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(false) };
        let id: i64 = row.try_get(0)?;
        sqlx::query("UPDATE accounts SET password_hash = $2 WHERE id = $1")
            .bind(id)
            .bind(password_hash)
            .execute(&mut *tx)
            .await?;
        end_sign_ins(&mut tx, id).await?;
        let email = email_of(&mut tx, id).await?.unwrap_or_default();
        audit_in(&mut tx, now_s, Some(id), "password set", &email).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// The e-mail address of account `id`, if there is one.
async fn email_of(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: i64) -> Result<Option<String>, StoreError> {
    match sqlx::query("SELECT email FROM accounts WHERE id = $1").bind(id).fetch_optional(&mut **tx).await? {
        Some(r) => Ok(Some(r.try_get(0)?)),
        None => Ok(None),
    }
}

/// Ends every sign-in of account `id`, the consoles' and the pages'.
async fn end_sign_ins(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM api_tokens WHERE account_id = $1").bind(id).execute(&mut **tx).await?;
    sqlx::query("DELETE FROM web_sessions WHERE account_id = $1").bind(id).execute(&mut **tx).await?;
    Ok(())
}
