//! The site's database: SQLite in one file by default, PostgreSQL for a team that runs several
//! site instances (every piece of state is here, none in a process, so any instance answers any
//! request). One set of queries for both, through sqlx's `Any` driver; the schema's migrations
//! are per database (`migrations/sqlite`, `migrations/postgres`), run at open.
//!
//! Placeholders are `$1`, `$2`, ... in the order they first appear: PostgreSQL numbers them,
//! SQLite binds them in that order.

use sqlx::AnyPool;
use sqlx::Row;
use sqlx::any::AnyPoolOptions;

mod accounts;
mod policy;
mod reports;
mod web;
pub use accounts::{AccountRow, Change, NO_PASSWORD};
pub use policy::{KeyInfo, KeyState, SessionType, SigningKey};
pub use reports::{ReportQuery, ReportRow};

/// The session type a new site offers: every tool, tracking code optional.
pub const FIRST_SESSION_TYPE: &str = "Remote support";

/// What went wrong with the database. Shown to the administrator, logged for requests.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The address is neither `sqlite:` nor `postgres:`.
    #[error("the database address must start with sqlite: or postgres: (got {0:?})")]
    Scheme(String),
    /// The database could not be reached or answered with an error.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// `init` on a site that already has its organisation.
    #[error("this site already has its organisation and first administrator")]
    AlreadyInitialised,
    /// The change is refused as the site stands (why, for the administrator).
    #[error("{0}")]
    Refused(&'static str),
    /// A stored value is not what this program writes (a hand-edited database).
    #[error("the database holds an unexpected value in {0}")]
    Corrupt(&'static str),
}

/// Which database holds the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One file.
    Sqlite,
    /// A server, shared by several site instances.
    Postgres,
}

/// An account's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Manages the organisation, accounts and policies; also a CSR.
    Admin,
    /// Runs support sessions.
    Csr,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Csr => "csr",
        }
    }

    fn parse(s: &str) -> Result<Role, StoreError> {
        match s {
            "admin" => Ok(Role::Admin),
            "csr" => Ok(Role::Csr),
            _ => Err(StoreError::Corrupt("accounts.role")),
        }
    }
}

/// Who the site's customers are told they talk to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organisation {
    /// The name customers see ("Acme Support").
    pub name: String,
    /// The site's public address (`https://support.acme.example`).
    pub site_address: String,
}

/// A CSR or administrator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Its id in the store.
    pub id: i64,
    /// Its sign-in name, lower case.
    pub email: String,
    /// The name customers see ("Sam Rivera").
    pub display_name: String,
    /// The argon2 hash of its password (PHC string).
    pub password_hash: String,
    /// Its role.
    pub role: Role,
    /// A disabled account cannot sign in, and its tokens stop working.
    pub disabled: bool,
}

/// A new account, its password already hashed.
#[derive(Clone, Debug)]
pub struct NewAccount<'a> {
    /// Sign-in name (stored lower case).
    pub email: &'a str,
    /// The name customers see.
    pub display_name: &'a str,
    /// argon2 PHC string.
    pub password_hash: &'a str,
    /// Its role.
    pub role: Role,
}

/// What attempts are counted for (`attempts.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    /// A wrong code, counted per address.
    WrongCodeFromAddress,
    /// A wrong code, counted per network.
    WrongCodeFromNetwork,
    /// A wrong password, counted per account.
    WrongPasswordForAccount,
    /// A wrong password, counted per address.
    WrongPasswordFromAddress,
    /// A code asked for, counted per CSR.
    CodeAskedByCsr,
    /// A certificate issued, counted per CSR.
    CertificateForCsr,
    /// A session report received, counted per CSR.
    ReportFromCsr,
    /// A wrong link to set a password with, counted per address.
    WrongLinkFromAddress,
}

impl Counted {
    fn as_str(self) -> &'static str {
        match self {
            Counted::WrongCodeFromAddress => "code-address",
            Counted::WrongCodeFromNetwork => "code-network",
            Counted::WrongPasswordForAccount => "password-account",
            Counted::WrongPasswordFromAddress => "password-address",
            Counted::CodeAskedByCsr => "code-asked",
            Counted::CertificateForCsr => "certificate",
            Counted::ReportFromCsr => "report",
            Counted::WrongLinkFromAddress => "link-address",
        }
    }
}

/// The site's database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl Store {
    /// Opens the database at `url` (`sqlite:///path/site.db`, created if missing, or
    /// `postgres://user@host/db`) and brings its schema up to date. Several instances may open
    /// one PostgreSQL database at once; the migrations take a lock.
    ///
    /// # Errors
    /// A wrong address, an unreachable database or a failed migration.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            let url = if url.contains('?') { url.to_owned() } else { format!("{url}?mode=rwc") };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            (Backend::Postgres, url.to_owned())
        } else {
            return Err(StoreError::Scheme(url.chars().take(40).collect()));
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(&url)
            .await?;
        if backend == Backend::Sqlite {
            // Readers do not wait for the writer; kept in the file, so set once is enough.
            sqlx::query("PRAGMA journal_mode = WAL").execute(&pool).await?;
            sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        } else {
            sqlx::migrate!("migrations/postgres").run(&pool).await?;
        }
        Ok(Store { pool, backend })
    }

    /// Which database this is.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Answers when the database does (the health endpoint).
    ///
    /// # Errors
    /// The database does not answer.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Makes the organisation, its first signing key and its first administrator, in one
    /// transaction, and records it in the audit log. Only once: a second call changes nothing.
    ///
    /// # Errors
    /// [`StoreError::AlreadyInitialised`], or the database failed.
    pub async fn init(
        &self,
        org: &Organisation,
        key: (&[u8; 32], &[u8; 32]),
        admin: &NewAccount<'_>,
        now_s: u64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO organisation (id, name, site_address, created_at) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&org.name)
        .bind(&org.site_address)
        .bind(to_i64(now_s))
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StoreError::AlreadyInitialised);
        }
        sqlx::query("INSERT INTO org_keys (secret, public_key, state, created_at) VALUES ($1, $2, 'current', $3)")
            .bind(key.0.to_vec())
            .bind(key.1.to_vec())
            .bind(to_i64(now_s))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO session_types (name, tracking_required, tools, archived, created_at) VALUES ($1, 0, $2, 0, $3)",
        )
        .bind(FIRST_SESSION_TYPE)
        .bind(i64::from(deskside_proto::cert::Tools::ALL.bits()))
        .bind(to_i64(now_s))
        .execute(&mut *tx)
        .await?;
        let id: i64 = sqlx::query(
            "INSERT INTO accounts (email, display_name, password_hash, role, disabled, created_at) VALUES ($1, $2, $3, $4, 0, $5) RETURNING id",
        )
        .bind(admin.email.to_lowercase())
        .bind(admin.display_name)
        .bind(admin.password_hash)
        .bind(admin.role.as_str())
        .bind(to_i64(now_s))
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        audit_in(
            &mut tx,
            now_s,
            None,
            "site initialised",
            &format!("organisation {:?}, administrator {}", org.name, admin.email),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The organisation, once `init` made it.
    ///
    /// # Errors
    /// The database failed.
    pub async fn organisation(&self) -> Result<Option<Organisation>, StoreError> {
        let row =
            sqlx::query("SELECT name, site_address FROM organisation WHERE id = 1").fetch_optional(&self.pool).await?;
        Ok(match row {
            Some(r) => Some(Organisation { name: r.try_get(0)?, site_address: r.try_get(1)? }),
            None => None,
        })
    }

    /// Changes the organisation's name and address (what customers are shown from now on) and
    /// how many days session reports are kept (0: always), by the administrator `by`.
    ///
    /// # Errors
    /// The database failed.
    pub async fn set_organisation(
        &self,
        org: &Organisation,
        retention_days: u32,
        relays: &deskside_proto::site::RelayList,
        by: i64,
        now_s: u64,
    ) -> Result<(), StoreError> {
        let before = self.relays().await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE organisation SET name = $1, site_address = $2, retention_days = $3, relays = $4, relay_token = $5 WHERE id = 1",
        )
        .bind(&org.name)
        .bind(&org.site_address)
        .bind(i64::from(retention_days))
        .bind(relays.urls.join("\n"))
        .bind(&relays.token)
        .execute(&mut *tx)
        .await?;
        let kept = if retention_days == 0 { "always".to_owned() } else { format!("{retention_days} days") };
        // The token itself is not written in the log, only whether it changed.
        let token = if before.token == relays.token { "kept" } else { "changed" };
        let detail = format!(
            "{:?} at {}, reports kept {kept}, relays [{}], relay token {token}",
            org.name,
            org.site_address,
            relays.urls.join(" ")
        );
        audit_in(&mut tx, now_s, Some(by), "organisation changed", &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The team's relays, which consoles name in their invites.
    ///
    /// # Errors
    /// The database failed.
    pub async fn relays(&self) -> Result<deskside_proto::site::RelayList, StoreError> {
        let row =
            sqlx::query("SELECT relays, relay_token FROM organisation WHERE id = 1").fetch_optional(&self.pool).await?;
        let Some(row) = row else { return Ok(deskside_proto::site::RelayList::default()) };
        let urls: String = row.try_get(0)?;
        Ok(deskside_proto::site::RelayList {
            urls: urls.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect(),
            token: row.try_get(1)?,
        })
    }

    /// How many days session reports are kept (0: always).
    ///
    /// # Errors
    /// The database failed.
    pub async fn retention_days(&self) -> Result<u32, StoreError> {
        let row =
            sqlx::query("SELECT retention_days FROM organisation WHERE id = 1").fetch_optional(&self.pool).await?;
        let days: i64 = match row {
            Some(r) => r.try_get(0)?,
            None => 0,
        };
        Ok(u32::try_from(days).unwrap_or(0))
    }

    /// Removes the session reports older than the organisation keeps them (begun more than its
    /// retention before `now_s`); returns how many.
    ///
    /// # Errors
    /// The database failed.
    pub async fn apply_retention(&self, now_s: u64) -> Result<u64, StoreError> {
        let days = self.retention_days().await?;
        if days == 0 {
            return Ok(0);
        }
        let before_ms = now_s.saturating_sub(u64::from(days) * 86_400).saturating_mul(1000);
        let done = sqlx::query("DELETE FROM reports WHERE started_ms < $1")
            .bind(to_i64(before_ms))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// The account signing in as `email` (any case).
    ///
    /// # Errors
    /// The database failed.
    pub async fn account_by_email(&self, email: &str) -> Result<Option<Account>, StoreError> {
        let row =
            sqlx::query("SELECT id, email, display_name, password_hash, role, disabled FROM accounts WHERE email = $1")
                .bind(email.to_lowercase())
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| account(&r)).transpose()
    }

    /// Keeps a sign-in token (only its hash) for `account` until `expires_s`.
    ///
    /// # Errors
    /// The database failed.
    pub async fn add_token(
        &self,
        token_hash: &str,
        account: i64,
        now_s: u64,
        expires_s: u64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO api_tokens (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(account)
            .bind(to_i64(now_s))
            .bind(to_i64(expires_s))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The enabled account whose live token hashes to `token_hash`.
    ///
    /// # Errors
    /// The database failed.
    pub async fn account_by_token(&self, token_hash: &str, now_s: u64) -> Result<Option<Account>, StoreError> {
        let row = sqlx::query(
            "SELECT a.id, a.email, a.display_name, a.password_hash, a.role, a.disabled FROM api_tokens t JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = $1 AND t.expires_at > $2 AND a.disabled = 0",
        )
        .bind(token_hash)
        .bind(to_i64(now_s))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| account(&r)).transpose()
    }

    /// Ends a sign-in: its token stops working at once.
    ///
    /// # Errors
    /// The database failed.
    pub async fn remove_token(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM api_tokens WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    /// How many attempts of `what` under `key` were counted after `since_s`, and when the
    /// oldest of them was.
    ///
    /// # Errors
    /// The database failed.
    pub async fn attempts(&self, what: Counted, key: &str, since_s: u64) -> Result<(u32, Option<u64>), StoreError> {
        let row = sqlx::query("SELECT COUNT(*), MIN(at) FROM attempts WHERE kind = $1 AND key = $2 AND at > $3")
            .bind(what.as_str())
            .bind(key)
            .bind(to_i64(since_s))
            .fetch_one(&self.pool)
            .await?;
        let count: i64 = row.try_get(0)?;
        let oldest: Option<i64> = row.try_get(1)?;
        Ok((u32::try_from(count).unwrap_or(u32::MAX), oldest.map(to_u64)))
    }

    /// Counts one attempt of `what` under `key` at `at_s`, and forgets attempts older than a
    /// day (no window is longer).
    ///
    /// # Errors
    /// The database failed.
    pub async fn add_attempt(&self, what: Counted, key: &str, at_s: u64) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO attempts (kind, key, at) VALUES ($1, $2, $3)")
            .bind(what.as_str())
            .bind(key)
            .bind(to_i64(at_s))
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM attempts WHERE at < $1")
            .bind(to_i64(at_s.saturating_sub(86_400)))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Keeps `invite` under `code` until `expires_s`, unless the code is taken by an invite that
    /// has not expired (used or not: a customer who types an old code must not reach another
    /// session while the first could still be typed). Returns whether it was kept.
    ///
    /// # Errors
    /// The database failed.
    pub async fn add_code(
        &self,
        code: &str,
        account: i64,
        invite: &str,
        now_s: u64,
        expires_s: u64,
    ) -> Result<bool, StoreError> {
        sqlx::query("DELETE FROM short_codes WHERE expires_at <= $1").bind(to_i64(now_s)).execute(&self.pool).await?;
        let done = sqlx::query(
            "INSERT INTO short_codes (code, account_id, invite, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING",
        )
        .bind(code)
        .bind(account)
        .bind(invite)
        .bind(to_i64(now_s))
        .bind(to_i64(expires_s))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The invite behind `code`, if it is live and unused; it is used from now on (one
    /// statement, so two instances resolving at once cannot both get it).
    ///
    /// # Errors
    /// The database failed.
    pub async fn take_code(&self, code: &str, now_s: u64) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "UPDATE short_codes SET used_at = $1 WHERE code = $2 AND used_at IS NULL AND expires_at > $1 RETURNING invite",
        )
        .bind(to_i64(now_s))
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(r) => Some(r.try_get(0)?),
            None => None,
        })
    }

    /// Whether `code` is live and unused at `now_s` (the code page asks; only the agent's
    /// resolution uses it up).
    ///
    /// # Errors
    /// The database failed.
    pub async fn code_is_live(&self, code: &str, now_s: u64) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM short_codes WHERE code = $1 AND used_at IS NULL AND expires_at > $2")
            .bind(code)
            .bind(to_i64(now_s))
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Appends to the audit log.
    ///
    /// # Errors
    /// The database failed.
    pub async fn audit(&self, at_s: u64, account: Option<i64>, action: &str, detail: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        audit_in(&mut tx, at_s, account, action, detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The audit log, newest first: time, account, action, detail.
    ///
    /// # Errors
    /// The database failed.
    pub async fn audit_log(&self, limit: u32) -> Result<Vec<(u64, Option<i64>, String, String)>, StoreError> {
        let rows = sqlx::query("SELECT at, account_id, action, detail FROM audit_log ORDER BY id DESC LIMIT $1")
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((to_u64(r.try_get(0)?), r.try_get(1)?, r.try_get(2)?, r.try_get(3)?))).collect()
    }

    /// Runs `sql` as is (tests check that the audit log refuses changes).
    ///
    /// # Errors
    /// The database refused it.
    pub async fn execute_raw(&self, sql: &'static str) -> Result<u64, StoreError> {
        Ok(sqlx::query(sql).execute(&self.pool).await?.rows_affected())
    }
}

async fn audit_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    at_s: u64,
    account: Option<i64>,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO audit_log (at, account_id, action, detail) VALUES ($1, $2, $3, $4)")
        .bind(to_i64(at_s))
        .bind(account)
        .bind(action)
        .bind(detail)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn account(r: &sqlx::any::AnyRow) -> Result<Account, StoreError> {
    let role: String = r.try_get(4)?;
    let disabled: i64 = r.try_get(5)?;
    Ok(Account {
        id: r.try_get(0)?,
        email: r.try_get(1)?,
        display_name: r.try_get(2)?,
        password_hash: r.try_get(3)?,
        role: Role::parse(&role)?,
        disabled: disabled != 0,
    })
}
