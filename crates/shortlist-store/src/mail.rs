//! The email-delivery queue (spec: api §4.2): one row per member mailed,
//! holding the generation of the member's token (never the token), its
//! state (`queued`, `sending`, `sent`, `failed`) and a lease, so that a
//! crashed sender's rows are claimed again and two instances on one
//! PostgreSQL never hold the same row at once.

use sqlx::Row;

use crate::{to_i64, to_u64, Backend, Result, Store, StoreError};

/// A row claimed for sending, with the member's roll entry.
#[derive(Clone, Debug)]
pub struct MailJob {
    /// The row id.
    pub id: i64,
    /// The poll.
    pub poll_id: String,
    /// The member.
    pub member_id: String,
    /// The member's name.
    pub name: String,
    /// The member's e-mail address.
    pub email: String,
    /// The token's generation.
    pub generation: u64,
    /// Attempts before this one.
    pub attempts: u64,
    /// When the row was queued (Unix seconds): the message's `Date`.
    pub queued_at: u64,
    /// The hash the roll holds now for the member's token, if any.
    pub roll_token_hash: Option<Vec<u8>>,
    /// Whether the member has redeemed a token.
    pub redeemed: bool,
}

/// A member's row in the queue, as the organiser sees it.
#[derive(Clone, Debug)]
pub struct MailRow {
    /// The member.
    pub member_id: String,
    /// `queued`, `sending`, `sent` or `failed`.
    pub state: String,
    /// Attempts made.
    pub attempts: u64,
    /// The token's generation.
    pub generation: u64,
    /// Why the last attempt failed, if it did.
    pub error: Option<String>,
}

/// Counts over a poll's queue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MailCounts {
    /// Waiting (including those waiting to retry).
    pub queued: u64,
    /// Claimed by a sender now.
    pub sending: u64,
    /// Accepted by the SMTP server.
    pub sent: u64,
    /// Given up on.
    pub failed: u64,
    /// Claims of rows a sender had left in `sending` (a crash): each may
    /// have sent a second copy of the same message.
    pub resumed: u64,
}

/// What became of a claimed row.
#[derive(Clone, Debug)]
pub enum MailOutcome {
    /// Accepted by the SMTP server at this time (Unix seconds).
    Sent(u64),
    /// To try again at this time (Unix milliseconds), with the reason.
    Retry(u64, String),
    /// Given up on, with the reason.
    Failed(String),
}

impl Store {
    /// Records outcomes of claimed rows (row id, claim id) in one
    /// transaction: a group commit, so that several connections' messages
    /// share one fsync. A row whose claim was lost (a resend re-queued it)
    /// is left alone.
    pub async fn mail_outcomes(&self, outcomes: &[(i64, String, MailOutcome)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (id, claim, outcome) in outcomes {
            let q = match outcome {
                MailOutcome::Sent(at) => sqlx::query(
                    "UPDATE mail_queue SET state = 'sent', sent_at = $3, lease_until = NULL, claim = NULL, \
                     error = NULL WHERE id = $1 AND claim = $2",
                )
                .bind(*id)
                .bind(claim)
                .bind(to_i64(*at)?),
                MailOutcome::Retry(next, why) => sqlx::query(
                    "UPDATE mail_queue SET state = 'queued', next_at = $3, lease_until = NULL, claim = NULL, \
                     error = $4 WHERE id = $1 AND claim = $2",
                )
                .bind(*id)
                .bind(claim)
                .bind(to_i64(*next)?)
                .bind(why),
                MailOutcome::Failed(why) => sqlx::query(
                    "UPDATE mail_queue SET state = 'failed', lease_until = NULL, claim = NULL, error = $3 \
                     WHERE id = $1 AND claim = $2",
                )
                .bind(*id)
                .bind(claim)
                .bind(why),
            };
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Members to mail a first token: those holding none and not queued yet,
    /// in member-id order, with the generation their first token gets.
    pub async fn mail_candidates(&self, poll: &str) -> Result<Vec<crate::MemberRow>> {
        let rows = sqlx::query(
            "SELECT r.member_id, r.name, r.email FROM roll r WHERE r.poll_id = $1 AND r.token_hash IS NULL \
             AND NOT EXISTS (SELECT 1 FROM mail_queue q WHERE q.poll_id = r.poll_id AND q.member_id = r.member_id) \
             ORDER BY r.member_id",
        )
        .bind(poll)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(crate::MemberRow {
                    member_id: r.try_get("member_id")?,
                    name: r.try_get("name")?,
                    email: r.try_get("email")?,
                })
            })
            .collect()
    }

    /// Queues generation 0 for members that still hold no token, storing the
    /// token hash in the roll in the same transaction; returns how many were
    /// queued (a concurrent issue may have given others a token first).
    pub async fn mail_enqueue(&self, poll: &str, tokens: &[(String, [u8; 32])], now: u64) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE polls SET phase = phase WHERE poll_id = $1").bind(poll).execute(&mut *tx).await?;
        let mut queued = 0;
        let now_ms = to_i64(now.saturating_mul(1000))?;
        for (member, hash) in tokens {
            if !crate::admin::set_token_hash_where(&mut tx, poll, member, hash, "token_hash IS NULL").await? {
                continue;
            }
            sqlx::query(
                "INSERT INTO mail_queue (poll_id, member_id, generation, state, next_at, queued_at) \
                 VALUES ($1, $2, 0, 'queued', $3, $4)",
            )
            .bind(poll)
            .bind(member)
            .bind(now_ms)
            .bind(to_i64(now)?)
            .execute(&mut *tx)
            .await?;
            queued += 1;
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// Whether the member is on the roll (`None` if not) and has redeemed a token.
    pub async fn member_redeemed(&self, poll: &str, member: &str) -> Result<Option<bool>> {
        let row = sqlx::query("SELECT redeemed_idx FROM roll WHERE poll_id = $1 AND member_id = $2")
            .bind(poll)
            .bind(member)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(r.try_get::<Option<i64>, _>("redeemed_idx")?.is_some())).transpose()
    }

    /// The generation of the member's queued token, if the member has a row.
    pub async fn mail_generation(&self, poll: &str, member: &str) -> Result<Option<u64>> {
        let row = sqlx::query("SELECT generation FROM mail_queue WHERE poll_id = $1 AND member_id = $2")
            .bind(poll)
            .bind(member)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| to_u64(r.try_get("generation")?)).transpose()
    }

    /// Re-queues the member with token generation `generation` (one more
    /// than `previous`, the generation read before; `None` if the member had
    /// no row) and its hash, unless the member has redeemed a token. Returns
    /// `Ok(true)` when queued, `Ok(false)` if the member redeemed a token, is
    /// not on the roll, or another resend moved the generation meanwhile.
    pub async fn mail_requeue(
        &self,
        poll: &str,
        member: &str,
        previous: Option<u64>,
        generation: u64,
        hash: &[u8; 32],
        now: u64,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        // Under the poll's lock, like a redemption (spec: api §4, "Re-issue").
        sqlx::query("UPDATE polls SET phase = phase WHERE poll_id = $1").bind(poll).execute(&mut *tx).await?;
        let current = sqlx::query("SELECT generation FROM mail_queue WHERE poll_id = $1 AND member_id = $2")
            .bind(poll)
            .bind(member)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get::<i64, _>("generation"))
            .transpose()?
            .map(to_u64)
            .transpose()?;
        if current != previous {
            return Ok(false);
        }
        if !crate::admin::set_token_hash_where(&mut tx, poll, member, hash, "redeemed_idx IS NULL").await? {
            return Ok(false);
        }
        let now_ms = to_i64(now.saturating_mul(1000))?;
        if previous.is_some() {
            sqlx::query(
                "UPDATE mail_queue SET generation = $3, state = 'queued', attempts = 0, next_at = $4, \
                 lease_until = NULL, claim = NULL, queued_at = $5, sent_at = NULL, error = NULL \
                 WHERE poll_id = $1 AND member_id = $2",
            )
            .bind(poll)
            .bind(member)
            .bind(to_i64(generation)?)
            .bind(now_ms)
            .bind(to_i64(now)?)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO mail_queue (poll_id, member_id, generation, state, next_at, queued_at) \
                 VALUES ($1, $2, $3, 'queued', $4, $5)",
            )
            .bind(poll)
            .bind(member)
            .bind(to_i64(generation)?)
            .bind(now_ms)
            .bind(to_i64(now)?)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Claims up to `limit` rows that are due (queued with `next_at <= now`,
    /// or `sending` with a lapsed lease), marking them `sending` until
    /// `lease_until` under the claim id `claim`; returns them with their
    /// members. On PostgreSQL the rows are picked with `FOR UPDATE SKIP
    /// LOCKED`: two instances never claim one row; on SQLite the database's
    /// write lock serializes claims.
    pub async fn mail_claim(
        &self,
        now_ms: u64,
        lease_until: u64,
        limit: u32,
        claim: &str,
    ) -> Result<Vec<MailJob>> {
        let skip = if self.backend == Backend::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
        // Two statements, each served by the (state, next_at) index: rows
        // whose lease lapsed (a stopped sender's, few), then due rows in
        // order. One statement with an OR scanned and sorted the whole queue
        // on every claim (9 ms at 100,000 rows on SQLite, under the write
        // lock).
        let mut claimed: u64 = 0;
        for (cond, order) in [
            ("state = 'sending' AND lease_until < $3", "id"),
            ("state = 'queued' AND next_at <= $3", "next_at, id"),
        ] {
            let left = u64::from(limit).saturating_sub(claimed);
            if left == 0 {
                break;
            }
            let sql = format!(
                "UPDATE mail_queue SET state = 'sending', lease_until = $1, claim = $2, attempts = attempts + 1, \
                 resumed = resumed + (CASE WHEN state = 'sending' THEN 1 ELSE 0 END) \
                 WHERE id IN (SELECT id FROM mail_queue WHERE {cond} ORDER BY {order} LIMIT $4{skip})"
            );
            claimed += sqlx::query(&sql)
                .bind(to_i64(lease_until)?)
                .bind(claim)
                .bind(to_i64(now_ms)?)
                .bind(to_i64(left)?)
                .execute(&self.pool)
                .await?
                .rows_affected();
        }
        let rows = sqlx::query(
            "SELECT q.id, q.poll_id, q.member_id, q.generation, q.attempts, q.queued_at, r.name, r.email, \
             r.token_hash, r.redeemed_idx FROM mail_queue q JOIN roll r \
             ON r.poll_id = q.poll_id AND r.member_id = q.member_id WHERE q.claim = $1 AND q.state = 'sending' \
             ORDER BY q.id",
        )
        .bind(claim)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let redeemed: Option<i64> = r.try_get("redeemed_idx")?;
                Ok(MailJob {
                    id: r.try_get("id")?,
                    poll_id: r.try_get("poll_id")?,
                    member_id: r.try_get("member_id")?,
                    name: r.try_get("name")?,
                    email: r.try_get("email")?,
                    generation: to_u64(r.try_get("generation")?)?,
                    // The claim counted this attempt already.
                    attempts: to_u64(r.try_get("attempts")?)?.saturating_sub(1),
                    queued_at: to_u64(r.try_get("queued_at")?)?,
                    roll_token_hash: r.try_get("token_hash")?,
                    redeemed: redeemed.is_some(),
                })
            })
            .collect()
    }

    /// Gives back the rows of a claim still marked `sending` (never tried):
    /// they are due again at once, and this claim counted no attempt.
    pub async fn mail_release(&self, claim: &str) -> Result<()> {
        sqlx::query(
            "UPDATE mail_queue SET state = 'queued', lease_until = NULL, claim = NULL, attempts = attempts - 1 \
             WHERE claim = $1 AND state = 'sending'",
        )
        .bind(claim)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Counts over the poll's queue.
    pub async fn mail_counts(&self, poll: &str) -> Result<MailCounts> {
        let rows = sqlx::query(
            "SELECT state, COUNT(*) AS n, CAST(SUM(resumed) AS BIGINT) AS resumed FROM mail_queue WHERE poll_id = $1 GROUP BY state",
        )
        .bind(poll)
        .fetch_all(&self.pool)
        .await?;
        let mut c = MailCounts::default();
        for r in rows {
            let state: String = r.try_get("state")?;
            let n = to_u64(r.try_get("n")?)?;
            let resumed: Option<i64> = r.try_get("resumed")?;
            c.resumed += to_u64(resumed.unwrap_or(0))?;
            match state.as_str() {
                "queued" => c.queued = n,
                "sending" => c.sending = n,
                "sent" => c.sent = n,
                "failed" => c.failed = n,
                _ => return Err(StoreError::Corrupt("mail state")),
            }
        }
        Ok(c)
    }

    /// The poll's rows in `state`, or every row not sent when `state` is
    /// `None`, in member-id order (at most `limit`).
    pub async fn mail_rows(&self, poll: &str, state: Option<&str>, limit: u32) -> Result<Vec<MailRow>> {
        let rows = sqlx::query(
            "SELECT member_id, state, attempts, generation, error FROM mail_queue WHERE poll_id = $1 \
             AND (state = $2 OR ($3 = 1 AND state <> 'sent')) ORDER BY member_id LIMIT $4",
        )
        .bind(poll)
        .bind(state.unwrap_or(""))
        .bind(i64::from(state.is_none()))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(MailRow {
                    member_id: r.try_get("member_id")?,
                    state: r.try_get("state")?,
                    attempts: to_u64(r.try_get("attempts")?)?,
                    generation: to_u64(r.try_get("generation")?)?,
                    error: r.try_get("error")?,
                })
            })
            .collect()
    }

    /// The poll's template (subject, text, HTML), if the organiser set one.
    pub async fn mail_template(&self, poll: &str) -> Result<Option<(String, String, String)>> {
        let row = sqlx::query("SELECT subject, text_body, html_body FROM mail_templates WHERE poll_id = $1")
            .bind(poll)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.try_get("subject")?, r.try_get("text_body")?, r.try_get("html_body")?))).transpose()
    }

    /// Sets the poll's template.
    pub async fn set_mail_template(&self, poll: &str, subject: &str, text: &str, html: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM mail_templates WHERE poll_id = $1").bind(poll).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO mail_templates (poll_id, subject, text_body, html_body) VALUES ($1, $2, $3, $4)",
        )
        .bind(poll)
        .bind(subject)
        .bind(text)
        .bind(html)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
