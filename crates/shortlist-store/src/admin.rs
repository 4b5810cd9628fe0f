//! The organiser's side tables: the member roll with eligibility-token
//! hashes, candidate tokens and expressions of interest. None of these is on
//! the board; tokens are stored only as hashes (spec: api §4).

use sqlx::Row;

use crate::{to_hash, to_i64, to_u64, Result, Store};

/// One member of the roll, as imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRow {
    /// The organisation's member id.
    pub member_id: String,
    /// The member's name.
    pub name: String,
    /// The member's e-mail address.
    pub email: String,
}

/// Counts over the roll.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Roll {
    /// Members on the roll.
    pub members: u64,
    /// Members issued a token.
    pub tokens_issued: u64,
    /// Tokens redeemed for a credential.
    pub redeemed: u64,
}

/// An expression of interest to store.
#[derive(Clone, Debug)]
pub struct NewNomination<'a> {
    /// Hash of the candidate token it came with.
    pub token_hash: [u8; 32],
    /// The contest.
    pub contest_id: u32,
    /// The would-be candidate's name.
    pub name: &'a str,
    /// Their statement.
    pub statement: &'a str,
    /// Their attributes, as JSON.
    pub attributes_json: &'a str,
    /// When it arrived.
    pub submitted_at: u64,
}

/// An expression of interest as stored.
#[derive(Clone, Debug)]
pub struct NominationRow {
    /// Hash of its candidate token (its id).
    pub token_hash: [u8; 32],
    /// The contest.
    pub contest_id: u32,
    /// Name.
    pub name: String,
    /// Statement.
    pub statement: String,
    /// Attributes, as JSON.
    pub attributes_json: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    /// The candidate id once approved.
    pub candidate_id: Option<u32>,
    /// The label the organiser issued its candidate token to (e.g. an e-mail address).
    pub label: String,
    /// When it arrived (its latest version), Unix seconds.
    pub submitted_at: u64,
}

impl Store {
    /// Moves the poll from phase `from` to `to`; `false` if it was not in `from`.
    pub async fn set_phase_if(&self, poll: &str, from: &str, to: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE polls SET phase = $3 WHERE poll_id = $1 AND phase = $2")
            .bind(poll)
            .bind(from)
            .bind(to)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Imports members; `Err(Some(id))` if a member id is already on the
    /// roll (nothing is then imported).
    pub async fn import_roll(&self, poll: &str, members: &[MemberRow]) -> Result<Result<u64, String>> {
        let mut tx = self.pool.begin().await?;
        // Take the write lock first (SQLite), then check.
        sqlx::query("UPDATE polls SET phase = phase WHERE poll_id = $1").bind(poll).execute(&mut *tx).await?;
        for m in members {
            let seen = sqlx::query("SELECT 1 FROM roll WHERE poll_id = $1 AND member_id = $2")
                .bind(poll)
                .bind(&m.member_id)
                .fetch_optional(&mut *tx)
                .await?;
            if seen.is_some() {
                return Ok(Err(m.member_id.clone()));
            }
            sqlx::query("INSERT INTO roll (poll_id, member_id, name, email) VALUES ($1, $2, $3, $4)")
                .bind(poll)
                .bind(&m.member_id)
                .bind(&m.name)
                .bind(&m.email)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Ok(u64::try_from(members.len()).unwrap_or(u64::MAX)))
    }

    /// Members of the poll's roll matching `condition` (a fixed SQL
    /// condition, never input), in member-id order.
    async fn members_where(&self, poll: &str, condition: &'static str) -> Result<Vec<MemberRow>> {
        let sql = format!(
            "SELECT member_id, name, email FROM roll WHERE poll_id = $1 AND {condition} ORDER BY member_id"
        );
        let rows = sqlx::query(&sql).bind(poll).fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(|r| {
                Ok(MemberRow {
                    member_id: r.try_get("member_id")?,
                    name: r.try_get("name")?,
                    email: r.try_get("email")?,
                })
            })
            .collect()
    }

    /// Members who hold no token yet, in member-id order.
    pub async fn members_without_token(&self, poll: &str) -> Result<Vec<MemberRow>> {
        self.members_where(poll, "token_hash IS NULL").await
    }

    /// Stores token hashes for members that still hold none; returns the
    /// member ids whose token was stored (a concurrent issue may win others).
    pub async fn set_token_hashes(&self, poll: &str, tokens: &[(String, [u8; 32])]) -> Result<Vec<String>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE polls SET phase = phase WHERE poll_id = $1").bind(poll).execute(&mut *tx).await?;
        let mut stored = Vec::new();
        for (member, hash) in tokens {
            if set_token_hash_where(&mut tx, poll, member, hash, "token_hash IS NULL").await? {
                stored.push(member.clone());
            }
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// Members who have not redeemed a token (issued one or not), in
    /// member-id order (spec: api §4, "Re-issue").
    pub async fn members_with_unredeemed_token(&self, poll: &str) -> Result<Vec<MemberRow>> {
        self.members_where(poll, "redeemed_idx IS NULL").await
    }

    /// Sets new token hashes for members who have not redeemed a token (any
    /// old token stops working); returns the member ids set. Under
    /// the poll's lock, like a redemption: a token redeemed meanwhile is
    /// kept, and its member left out.
    pub async fn replace_unredeemed_token_hashes(
        &self,
        poll: &str,
        tokens: &[(String, [u8; 32])],
    ) -> Result<Vec<String>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE polls SET phase = phase WHERE poll_id = $1").bind(poll).execute(&mut *tx).await?;
        let mut stored = Vec::new();
        for (member, hash) in tokens {
            if set_token_hash_where(&mut tx, poll, member, hash, "redeemed_idx IS NULL").await? {
                stored.push(member.clone());
            }
        }
        tx.commit().await?;
        Ok(stored)
    }

    /// Counts over the roll.
    pub async fn roll_counts(&self, poll: &str) -> Result<Roll> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS members, COUNT(token_hash) AS issued, COUNT(redeemed_idx) AS redeemed \
             FROM roll WHERE poll_id = $1",
        )
        .bind(poll)
        .fetch_one(&self.pool)
        .await?;
        Ok(Roll {
            members: to_u64(row.try_get("members")?)?,
            tokens_issued: to_u64(row.try_get("issued")?)?,
            redeemed: to_u64(row.try_get("redeemed")?)?,
        })
    }

    /// Whether an unredeemed eligibility token with this hash exists.
    pub async fn token_is_open(&self, poll: &str, token_hash: &[u8; 32]) -> Result<bool> {
        let row =
            sqlx::query("SELECT 1 FROM roll WHERE poll_id = $1 AND token_hash = $2 AND redeemed_idx IS NULL")
                .bind(poll)
                .bind(token_hash.as_slice())
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.is_some())
    }

    /// Stores candidate-token hashes with their labels.
    pub async fn add_candidate_tokens(&self, poll: &str, tokens: &[([u8; 32], String)]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for (hash, label) in tokens {
            sqlx::query("INSERT INTO candidate_tokens (token_hash, poll_id, label) VALUES ($1, $2, $3)")
                .bind(hash.as_slice())
                .bind(poll)
                .bind(label)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Whether a candidate token with this hash was issued for `poll`.
    pub async fn candidate_token_exists(&self, poll: &str, token_hash: &[u8; 32]) -> Result<bool> {
        let row = sqlx::query("SELECT 1 FROM candidate_tokens WHERE poll_id = $1 AND token_hash = $2")
            .bind(poll)
            .bind(token_hash.as_slice())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Stores or replaces a pending expression of interest; `false` if the
    /// token's nomination was already approved or rejected.
    pub async fn put_nomination(&self, poll: &str, n: &NewNomination<'_>) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE polls SET phase = phase WHERE poll_id = $1").bind(poll).execute(&mut *tx).await?;
        let row = sqlx::query("SELECT status FROM nominations WHERE poll_id = $1 AND token_hash = $2")
            .bind(poll)
            .bind(n.token_hash.as_slice())
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(r) = row {
            let status: String = r.try_get("status")?;
            if status != "pending" {
                return Ok(false);
            }
            sqlx::query("DELETE FROM nominations WHERE poll_id = $1 AND token_hash = $2")
                .bind(poll)
                .bind(n.token_hash.as_slice())
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO nominations \
             (poll_id, token_hash, contest_id, name, statement, attributes, status, submitted_at, arrival) \
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, \
             (SELECT COALESCE(MAX(arrival), 0) + 1 FROM nominations WHERE poll_id = $1))",
        )
        .bind(poll)
        .bind(n.token_hash.as_slice())
        .bind(i64::from(n.contest_id))
        .bind(n.name)
        .bind(n.statement)
        .bind(n.attributes_json)
        .bind(to_i64(n.submitted_at)?)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Every expression of interest, in arrival order.
    pub async fn nominations(&self, poll: &str) -> Result<Vec<NominationRow>> {
        let rows = sqlx::query(
            "SELECT n.token_hash, n.contest_id, n.name, n.statement, n.attributes, n.status, n.candidate_id, \
             n.submitted_at, COALESCE(t.label, '') AS label \
             FROM nominations n LEFT JOIN candidate_tokens t ON t.token_hash = n.token_hash \
             WHERE n.poll_id = $1 ORDER BY n.submitted_at, n.arrival, n.token_hash",
        )
        .bind(poll)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let contest: i64 = r.try_get("contest_id")?;
                let cand: Option<i64> = r.try_get("candidate_id")?;
                Ok(NominationRow {
                    token_hash: to_hash(r.try_get("token_hash")?)?,
                    contest_id: u32::try_from(contest)
                        .map_err(|_| crate::StoreError::Corrupt("contest id"))?,
                    name: r.try_get("name")?,
                    statement: r.try_get("statement")?,
                    attributes_json: r.try_get("attributes")?,
                    status: r.try_get("status")?,
                    candidate_id: cand
                        .map(|c| u32::try_from(c).map_err(|_| crate::StoreError::Corrupt("candidate id")))
                        .transpose()?,
                    label: r.try_get("label")?,
                    submitted_at: to_u64(r.try_get("submitted_at")?)?,
                })
            })
            .collect()
    }

    /// Rejects a pending nomination; `false` if it is not pending.
    pub async fn reject_nomination(&self, poll: &str, token_hash: &[u8; 32]) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE nominations SET status = 'rejected' WHERE poll_id = $1 AND token_hash = $2 AND status = 'pending'",
        )
        .bind(poll)
        .bind(token_hash.as_slice())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

/// Sets a member's token hash if their roll row meets `condition` (a fixed
/// SQL condition, never input); whether it did. Token issue, re-issue and
/// the mail queue all set hashes through this.
pub(crate) async fn set_token_hash_where(
    conn: &mut sqlx::AnyConnection,
    poll: &str,
    member: &str,
    hash: &[u8; 32],
    condition: &'static str,
) -> Result<bool> {
    let sql =
        format!("UPDATE roll SET token_hash = $3 WHERE poll_id = $1 AND member_id = $2 AND {condition}");
    let done = sqlx::query(&sql).bind(poll).bind(member).bind(hash.as_slice()).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}
