//! What the organiser console needs beyond the API's reads: its sessions
//! (spec: api §4.1), the hash of each session secret with its expiry (the
//! secret itself is never stored), and entry times for the turnout chart.

use sqlx::Row;

use crate::{to_hash, to_i64, to_u64, Result, Store};

impl Store {
    /// Stores a new session (its secret's hash), valid until `expires_at`;
    /// sessions already expired at `now` are removed first.
    pub async fn add_console_session(&self, id_hash: &[u8; 32], now: u64, expires_at: u64) -> Result<()> {
        sqlx::query("DELETE FROM console_sessions WHERE expires_at <= $1")
            .bind(to_i64(now)?)
            .execute(&self.pool)
            .await?;
        sqlx::query("INSERT INTO console_sessions (id_hash, created_at, expires_at) VALUES ($1, $2, $3)")
            .bind(id_hash.as_slice())
            .bind(to_i64(now)?)
            .bind(to_i64(expires_at)?)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The stored hash and expiry of the session whose secret hashes to
    /// `id_hash`, if it is stored and not expired at `now`.
    pub async fn console_session(&self, id_hash: &[u8; 32], now: u64) -> Result<Option<([u8; 32], u64)>> {
        let row = sqlx::query(
            "SELECT id_hash, expires_at FROM console_sessions WHERE id_hash = $1 AND expires_at > $2",
        )
        .bind(id_hash.as_slice())
        .bind(to_i64(now)?)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((to_hash(r.try_get("id_hash")?)?, to_u64(r.try_get("expires_at")?)?))).transpose()
    }

    /// Ends a session (signing out); `false` if there was none.
    pub async fn end_console_session(&self, id_hash: &[u8; 32]) -> Result<bool> {
        let done = sqlx::query("DELETE FROM console_sessions WHERE id_hash = $1")
            .bind(id_hash.as_slice())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The append times of a poll's entries of one kind, in board order.
    pub async fn entry_times(&self, poll: &str, kind: u8) -> Result<Vec<u64>> {
        let rows = sqlx::query("SELECT time FROM entries WHERE poll_id = $1 AND kind = $2 ORDER BY idx")
            .bind(poll)
            .bind(i64::from(kind))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(|r| to_u64(r.try_get("time")?)).collect()
    }
}
