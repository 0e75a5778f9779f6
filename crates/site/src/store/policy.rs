//! Session types (what each allows) and the organisation's signing keys with their rotation: a
//! next key is published before it signs anything, so agents that fetch the keys meanwhile
//! already trust it; once promoted it signs, and the retired key stays published until every
//! certificate it signed has expired.

use deskside_proto::cert::Tools;
use sqlx::Row;

use super::{Store, StoreError, audit_in, to_i64, to_u64};

/// A session type as the admin set it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionType {
    /// Its id in the store.
    pub id: i64,
    /// Its name ("Remote support").
    pub name: String,
    /// Whether a session of this type needs a tracking code.
    pub tracking_required: bool,
    /// What it allows.
    pub tools: Tools,
    /// No longer offered (kept for the records of past sessions).
    pub archived: bool,
}

/// An organisation signing key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningKey {
    /// Its id in the store.
    pub id: i64,
    /// The ed25519 secret (seed).
    pub secret: [u8; 32],
    /// Its public key.
    pub public: [u8; 32],
}

/// Where a key is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    /// Published, not signing yet.
    Next,
    /// Signing.
    Current,
    /// No longer signing; published while its certificates may still be valid.
    Retired,
}

/// A key as `deskside-site keys` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    /// Its id.
    pub id: i64,
    /// Its public key.
    pub public: [u8; 32],
    /// Its state.
    pub state: KeyState,
    /// When it was made.
    pub created_s: u64,
    /// When it was retired.
    pub retired_s: Option<u64>,
}

fn key32(bytes: Vec<u8>, what: &'static str) -> Result<[u8; 32], StoreError> {
    bytes.try_into().map_err(|_| StoreError::Corrupt(what))
}

fn session_type(r: &sqlx::any::AnyRow) -> Result<SessionType, StoreError> {
    let tracking: i64 = r.try_get(2)?;
    let tools: i64 = r.try_get(3)?;
    let archived: i64 = r.try_get(4)?;
    let tools =
        u16::try_from(tools).ok().and_then(Tools::from_bits).ok_or(StoreError::Corrupt("session_types.tools"))?;
    Ok(SessionType {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        tracking_required: tracking != 0,
        tools,
        archived: archived != 0,
    })
}

impl Store {
    /// Adds a session type and records who did it.
    ///
    /// # Errors
    /// The database failed, or an offered type has that name already.
    pub async fn add_session_type(
        &self,
        name: &str,
        tracking_required: bool,
        tools: Tools,
        by: Option<i64>,
        now_s: u64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO session_types (name, tracking_required, tools, archived, created_at) VALUES ($1, $2, $3, 0, $4) RETURNING id",
        )
        .bind(name)
        .bind(i64::from(tracking_required))
        .bind(i64::from(tools.bits()))
        .bind(to_i64(now_s))
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        let allowed: Vec<&str> = tools.iter().map(deskside_proto::cert::Tool::key).collect();
        let detail = format!(
            "{name:?}, tracking code {}, tools {}",
            if tracking_required { "required" } else { "optional" },
            allowed.join(" ")
        );
        audit_in(&mut tx, now_s, by, "session type added", &detail).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Offers session type `id` no more (reports of past sessions keep its name), by `by`. The
    /// last offered type is kept: a console must have one to start a session.
    ///
    /// # Errors
    /// [`StoreError::Refused`] (not offered, or the last one), or the database failed.
    pub async fn archive_session_type(&self, id: i64, by: Option<i64>, now_s: u64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE session_types SET archived = 1 WHERE id = $1 AND archived = 0
             AND (SELECT COUNT(*) FROM session_types WHERE archived = 0 AND id != $1) > 0 RETURNING name",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Err(StoreError::Refused("the last offered session type is kept")) };
        let name: String = row.try_get(0)?;
        audit_in(&mut tx, now_s, by, "session type archived", &format!("{name:?}")).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session types, offered ones only unless `archived` too, by name.
    ///
    /// # Errors
    /// The database failed or holds an unknown tool.
    pub async fn session_types(&self, archived: bool) -> Result<Vec<SessionType>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, tracking_required, tools, archived FROM session_types WHERE archived = 0 OR $1 = 1 ORDER BY name, id",
        )
        .bind(i64::from(archived))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(session_type).collect()
    }

    /// The session type `id`, offered or not.
    ///
    /// # Errors
    /// The database failed.
    pub async fn session_type(&self, id: i64) -> Result<Option<SessionType>, StoreError> {
        let row = sqlx::query("SELECT id, name, tracking_required, tools, archived FROM session_types WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(session_type).transpose()
    }

    /// The key that signs certificates now.
    ///
    /// # Errors
    /// The database failed or holds a key of the wrong size.
    pub async fn signing_key(&self) -> Result<Option<SigningKey>, StoreError> {
        let row =
            sqlx::query("SELECT id, secret, public_key FROM org_keys WHERE state = 'current' ORDER BY id DESC LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        match row {
            Some(r) => Ok(Some(SigningKey {
                id: r.try_get(0)?,
                secret: key32(r.try_get(1)?, "org_keys.secret")?,
                public: key32(r.try_get(2)?, "org_keys.public_key")?,
            })),
            None => Ok(None),
        }
    }

    /// Every key, newest first.
    ///
    /// # Errors
    /// The database failed.
    pub async fn keys(&self) -> Result<Vec<KeyInfo>, StoreError> {
        let rows = sqlx::query("SELECT id, public_key, state, created_at, retired_at FROM org_keys ORDER BY id DESC")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let state: String = r.try_get(2)?;
                let state = match state.as_str() {
                    "next" => KeyState::Next,
                    "current" => KeyState::Current,
                    "retired" => KeyState::Retired,
                    _ => return Err(StoreError::Corrupt("org_keys.state")),
                };
                let retired: Option<i64> = r.try_get(4)?;
                Ok(KeyInfo {
                    id: r.try_get(0)?,
                    public: key32(r.try_get(1)?, "org_keys.public_key")?,
                    state,
                    created_s: to_u64(r.try_get(3)?),
                    retired_s: retired.map(to_u64),
                })
            })
            .collect()
    }

    /// The keys agents should trust at `now_s`: the current and next ones, and those retired
    /// less than `cert_lifetime_s` ago (certificates they signed may still be valid).
    ///
    /// # Errors
    /// The database failed.
    pub async fn published_keys(&self, now_s: u64, cert_lifetime_s: u64) -> Result<Vec<[u8; 32]>, StoreError> {
        let still = now_s.saturating_sub(cert_lifetime_s);
        Ok(self
            .keys()
            .await?
            .into_iter()
            .filter(|k| k.state != KeyState::Retired || k.retired_s.is_some_and(|at| at > still))
            .take(deskside_proto::cert::MAX_KEYS)
            .map(|k| k.public)
            .collect())
    }

    /// [`Store::published_keys`], as the API carries them (hex).
    ///
    /// # Errors
    /// The database failed.
    pub async fn published_hex(&self, now_s: u64, cert_lifetime_s: u64) -> Result<Vec<String>, StoreError> {
        Ok(self.published_keys(now_s, cert_lifetime_s).await?.iter().map(hex::encode).collect())
    }

    /// Publishes a next key (`secret`, `public`), which signs nothing until promoted.
    ///
    /// # Errors
    /// A next key is published already, or the database failed.
    pub async fn add_next_key(
        &self,
        secret: &[u8; 32],
        public: &[u8; 32],
        by: Option<i64>,
        now_s: u64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let waiting: i64 =
            sqlx::query("SELECT COUNT(*) FROM org_keys WHERE state = 'next'").fetch_one(&mut *tx).await?.try_get(0)?;
        if waiting > 0 {
            return Err(StoreError::Refused("a next key is published already: promote it first"));
        }
        sqlx::query("INSERT INTO org_keys (secret, public_key, state, created_at) VALUES ($1, $2, 'next', $3)")
            .bind(secret.to_vec())
            .bind(public.to_vec())
            .bind(to_i64(now_s))
            .execute(&mut *tx)
            .await?;
        audit_in(&mut tx, now_s, by, "next signing key published", &hex::encode(public)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The next key signs from now on; the current one is retired.
    ///
    /// # Errors
    /// No next key is published, or the database failed.
    pub async fn promote_next_key(&self, by: Option<i64>, now_s: u64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let next = sqlx::query("SELECT id, public_key FROM org_keys WHERE state = 'next' ORDER BY id LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::Refused("no next key is published: publish one first"))?;
        let (id, public): (i64, Vec<u8>) = (next.try_get(0)?, next.try_get(1)?);
        sqlx::query("UPDATE org_keys SET state = 'retired', retired_at = $1 WHERE state = 'current'")
            .bind(to_i64(now_s))
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE org_keys SET state = 'current' WHERE id = $1").bind(id).execute(&mut *tx).await?;
        audit_in(&mut tx, now_s, by, "signing key promoted", &hex::encode(public)).await?;
        tx.commit().await?;
        Ok(())
    }
}
