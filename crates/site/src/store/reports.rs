//! The sessions' reports: kept once per session and reporting account (a resend after a lost
//! answer changes nothing), searched by CSR, customer, tracking code, type and date, and counted
//! per CSR and per type.

use deskside_proto::report::Report;
use sqlx::Row;

use super::{Store, StoreError, to_i64, to_u64};

/// A report as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportRow {
    /// Its number on the site.
    pub id: i64,
    /// The session's id.
    pub uid: String,
    /// The CSR who reported it (the account's name when it was received).
    pub csr_name: String,
    /// The session type.
    pub session_type: String,
    /// The tracking code.
    pub tracking_code: String,
    /// The customers' names, in order of joining.
    pub customers: Vec<String>,
    /// When it began, milliseconds since the Unix epoch.
    pub started_ms: u64,
    /// When it ended.
    pub ended_ms: u64,
    /// `ended` or `ended_unexpectedly`.
    pub outcome: String,
}

/// What to look for; every part set must match (texts: a part of it, any case).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportQuery {
    /// Part of the CSR's name.
    pub csr: String,
    /// Part of a customer's name.
    pub customer: String,
    /// Part of the tracking code.
    pub tracking: String,
    /// Part of the session type's name.
    pub session_type: String,
    /// Sessions begun at or after this time (ms).
    pub from_ms: Option<u64>,
    /// Sessions begun before this time (ms).
    pub until_ms: Option<u64>,
}

/// `%part%` for a `LIKE ... ESCAPE '\'`, lower case, with `%`, `_` and `\` taken literally.
fn pattern(part: &str) -> String {
    let mut out = String::from("%");
    for c in part.trim().to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The filter every query over reports shares, `$1` to `$6`.
const WHERE: &str = "LOWER(csr_name) LIKE $1 ESCAPE '\\' AND LOWER(customers) LIKE $2 ESCAPE '\\'
     AND LOWER(tracking_code) LIKE $3 ESCAPE '\\' AND LOWER(session_type) LIKE $4 ESCAPE '\\'
     AND started_ms >= $5 AND started_ms < $6";

fn bind<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    f: &ReportQuery,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    q.bind(pattern(&f.csr))
        .bind(pattern(&f.customer))
        .bind(pattern(&f.tracking))
        .bind(pattern(&f.session_type))
        .bind(to_i64(f.from_ms.unwrap_or(0)))
        .bind(to_i64(f.until_ms.unwrap_or(u64::MAX)))
}

/// A query made of this module's constant pieces only (values are always bound, never written in).
fn query(sql: String) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    sqlx::query(sqlx::AssertSqlSafe(sql))
}

fn row(r: &sqlx::any::AnyRow) -> Result<ReportRow, StoreError> {
    let customers: String = r.try_get(5)?;
    Ok(ReportRow {
        id: r.try_get(0)?,
        uid: r.try_get(1)?,
        csr_name: r.try_get(2)?,
        session_type: r.try_get(3)?,
        tracking_code: r.try_get(4)?,
        customers: customers.lines().map(str::to_owned).collect(),
        started_ms: to_u64(r.try_get(6)?),
        ended_ms: to_u64(r.try_get(7)?),
        outcome: r.try_get(8)?,
    })
}

const COLUMNS: &str = "id, uid, csr_name, session_type, tracking_code, customers, started_ms, ended_ms, outcome";

impl Store {
    /// Keeps `report` (checked, and `body` its JSON) from the CSR `account` named `csr_name`,
    /// once: returns its number and whether it is new (false: this account had reported this
    /// session already, and nothing changed).
    ///
    /// # Errors
    /// The database failed.
    pub async fn add_report(
        &self,
        account: i64,
        csr_name: &str,
        report: &Report,
        body: &str,
        now_s: u64,
    ) -> Result<(i64, bool), StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO reports (uid, account_id, csr_name, session_type, tracking_code, customers, started_ms, ended_ms, outcome, received_at, body)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (uid, account_id) DO NOTHING RETURNING id",
        )
        .bind(report.uid.to_lowercase())
        .bind(account)
        .bind(csr_name)
        .bind(&report.session_type)
        .bind(&report.tracking_code)
        .bind(report.customers().join("\n"))
        .bind(to_i64(report.started_ms))
        .bind(to_i64(report.ended_ms))
        .bind(report.outcome.key())
        .bind(to_i64(now_s))
        .bind(body)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(r) = inserted {
            return Ok((r.try_get(0)?, true));
        }
        let id: i64 = sqlx::query("SELECT id FROM reports WHERE uid = $1 AND account_id = $2")
            .bind(report.uid.to_lowercase())
            .bind(account)
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?;
        Ok((id, false))
    }

    /// The reports matching `q`, newest first, at most `limit`, and how many match in all.
    ///
    /// # Errors
    /// The database failed.
    pub async fn reports(&self, q: &ReportQuery, limit: u32) -> Result<(Vec<ReportRow>, u64), StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM reports WHERE {WHERE} ORDER BY started_ms DESC, id DESC LIMIT $7");
        let rows = bind(query(sql), q).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        let sql = format!("SELECT COUNT(*) FROM reports WHERE {WHERE}");
        let total: i64 = bind(query(sql), q).fetch_one(&self.pool).await?.try_get(0)?;
        Ok((rows.iter().map(row).collect::<Result<_, _>>()?, to_u64(total)))
    }

    /// The reports matching `q` with their whole JSON bodies, newest first, at most `limit`.
    ///
    /// # Errors
    /// The database failed.
    pub async fn report_bodies(&self, q: &ReportQuery, limit: u32) -> Result<Vec<(ReportRow, String)>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS}, body FROM reports WHERE {WHERE} ORDER BY started_ms DESC, id DESC LIMIT $7");
        let rows = bind(query(sql), q).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter().map(|r| Ok((row(r)?, r.try_get(9)?))).collect()
    }

    /// Report `id` and its JSON body.
    ///
    /// # Errors
    /// The database failed.
    pub async fn report(&self, id: i64) -> Result<Option<(ReportRow, String)>, StoreError> {
        let sql = format!("SELECT {COLUMNS}, body FROM reports WHERE id = $1");
        match query(sql).bind(id).fetch_optional(&self.pool).await? {
            Some(r) => Ok(Some((row(&r)?, r.try_get(9)?))),
            None => Ok(None),
        }
    }

    /// How many reports matching `q` each CSR and each session type has, most first.
    ///
    /// # Errors
    /// The database failed.
    pub async fn report_counts(&self, q: &ReportQuery) -> Result<(Vec<(String, u64)>, Vec<(String, u64)>), StoreError> {
        let mut out = Vec::new();
        for column in ["csr_name", "session_type"] {
            let sql = format!(
                "SELECT {column}, COUNT(*) AS n FROM reports WHERE {WHERE} GROUP BY {column} ORDER BY n DESC, {column} LIMIT 100"
            );
            let rows = bind(query(sql), q).fetch_all(&self.pool).await?;
            out.push(
                rows.iter()
                    .map(|r| Ok((r.try_get(0)?, to_u64(r.try_get(1)?))))
                    .collect::<Result<Vec<_>, StoreError>>()?,
            );
        }
        let types = out.pop().unwrap_or_default();
        let csrs = out.pop().unwrap_or_default();
        Ok((csrs, types))
    }
}
