//! Appending to a poll's board: one transaction under the poll's sequencer
//! lock (spec: api §3). The server checks everything it can before it opens
//! one; what depends on the board's state (tokens, credentials, duplicates)
//! it checks here, under the lock, so that several instances agree.

use sqlx::{Any, Row, Transaction};

use crate::{to_hash, to_i64, to_u64, Result, Store, StoreError};

/// The board's head as the lock found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    /// The number of entries.
    pub size: u64,
    /// The last entry's hash (zeros when empty).
    pub head: [u8; 32],
    /// The last entry's time.
    pub time: u64,
}

/// An entry to insert.
#[derive(Clone, Debug)]
pub struct NewEntry<'a> {
    /// Its index.
    pub index: u64,
    /// Its kind code.
    pub kind: u8,
    /// Its time.
    pub time: u64,
    /// Its payload.
    pub payload: &'a [u8],
    /// The entry hash.
    pub hash: [u8; 32],
    /// SHA-256 of the payload.
    pub payload_hash: [u8; 32],
}

/// A transaction holding a poll's sequencer lock.
pub struct AppendTx {
    tx: Transaction<'static, Any>,
    poll: String,
}

impl Store {
    /// Creates a poll: its row, its empty head and nothing else. Returns
    /// `false` when the poll id is taken.
    pub async fn create_poll(
        &self,
        poll: &str,
        manifest: &[u8],
        manifest_hash: &[u8; 32],
        now: u64,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        // Write first: the insert takes the write lock (SQLite) before any read.
        let inserted = sqlx::query(
            "INSERT INTO polls (poll_id, manifest, manifest_hash, phase, created_at) \
             VALUES ($1, $2, $3, 'setup', $4) ON CONFLICT (poll_id) DO NOTHING",
        )
        .bind(poll)
        .bind(manifest)
        .bind(manifest_hash.as_slice())
        .bind(to_i64(now)?)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("INSERT INTO heads (poll_id, size, head, time) VALUES ($1, 0, $2, 0)")
            .bind(poll)
            .bind([0u8; 32].as_slice())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Opens an append transaction on `poll`, taking its sequencer lock.
    pub async fn begin_append(&self, poll: &str) -> Result<(AppendTx, Head)> {
        let mut tx = self.pool.begin().await?;
        // The lock: a write to the poll's head row, held until commit.
        let locked = sqlx::query("UPDATE heads SET size = size WHERE poll_id = $1")
            .bind(poll)
            .execute(&mut *tx)
            .await?;
        if locked.rows_affected() != 1 {
            return Err(StoreError::NoSuchPoll);
        }
        let row = sqlx::query("SELECT size, head, time FROM heads WHERE poll_id = $1")
            .bind(poll)
            .fetch_one(&mut *tx)
            .await?;
        let head = Head {
            size: to_u64(row.try_get("size")?)?,
            head: to_hash(row.try_get("head")?)?,
            time: to_u64(row.try_get("time")?)?,
        };
        Ok((AppendTx { tx, poll: poll.to_string() }, head))
    }
}

impl AppendTx {
    /// The hashes of entries `from..`, in order (to catch a cached Merkle
    /// log up with appends by another instance).
    pub async fn entry_hashes_from(&mut self, from: u64) -> Result<Vec<[u8; 32]>> {
        let rows = sqlx::query("SELECT hash FROM entries WHERE poll_id = $1 AND idx >= $2 ORDER BY idx")
            .bind(&self.poll)
            .bind(to_i64(from)?)
            .fetch_all(&mut *self.tx)
            .await?;
        rows.into_iter().map(|r| to_hash(r.try_get("hash")?)).collect()
    }

    /// The index of the entry with this payload hash, if any (idempotency).
    pub async fn find_payload(&mut self, payload_hash: &[u8; 32]) -> Result<Option<u64>> {
        let row = sqlx::query("SELECT idx FROM entries WHERE poll_id = $1 AND payload_hash = $2")
            .bind(&self.poll)
            .bind(payload_hash.as_slice())
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(|r| to_u64(r.try_get("idx")?)).transpose()
    }

    /// The poll's phase as this transaction sees it.
    pub async fn phase(&mut self) -> Result<String> {
        let row = sqlx::query("SELECT phase FROM polls WHERE poll_id = $1")
            .bind(&self.poll)
            .fetch_one(&mut *self.tx)
            .await?;
        Ok(row.try_get("phase")?)
    }

    /// Sets the poll's phase.
    pub async fn set_phase(&mut self, phase: &str) -> Result<()> {
        sqlx::query("UPDATE polls SET phase = $2 WHERE poll_id = $1")
            .bind(&self.poll)
            .bind(phase)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Records the definition hash.
    pub async fn set_definition_hash(&mut self, hash: &[u8; 32]) -> Result<()> {
        sqlx::query("UPDATE polls SET definition_hash = $2 WHERE poll_id = $1")
            .bind(&self.poll)
            .bind(hash.as_slice())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Records the joint election key.
    pub async fn set_joint_key(&mut self, key: &[u8; 32]) -> Result<()> {
        sqlx::query("UPDATE polls SET joint_key = $2 WHERE poll_id = $1")
            .bind(&self.poll)
            .bind(key.as_slice())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Inserts an entry.
    pub async fn insert_entry(&mut self, e: &NewEntry<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO entries (poll_id, idx, kind, time, payload, hash, payload_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&self.poll)
        .bind(to_i64(e.index)?)
        .bind(i64::from(e.kind))
        .bind(to_i64(e.time)?)
        .bind(e.payload)
        .bind(e.hash.as_slice())
        .bind(e.payload_hash.as_slice())
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Moves the head.
    pub async fn set_head(&mut self, head: &Head) -> Result<()> {
        sqlx::query("UPDATE heads SET size = $2, head = $3, time = $4 WHERE poll_id = $1")
            .bind(&self.poll)
            .bind(to_i64(head.size)?)
            .bind(head.head.as_slice())
            .bind(to_i64(head.time)?)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Stores a signed checkpoint of `size` entries.
    pub async fn insert_checkpoint(&mut self, size: u64, bytes: &[u8]) -> Result<()> {
        sqlx::query("INSERT INTO checkpoints (poll_id, size, bytes) VALUES ($1, $2, $3)")
            .bind(&self.poll)
            .bind(to_i64(size)?)
            .bind(bytes)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Marks the eligibility token with this hash redeemed by entry `index`.
    /// `false` if no member holds it or it was redeemed already.
    pub async fn redeem_token(&mut self, token_hash: &[u8; 32], index: u64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE roll SET redeemed_idx = $3 WHERE poll_id = $1 AND token_hash = $2 AND redeemed_idx IS NULL",
        )
        .bind(&self.poll)
        .bind(token_hash.as_slice())
        .bind(to_i64(index)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The entry index that redeemed this eligibility token, if it was.
    pub async fn token_redeemed_at(&mut self, token_hash: &[u8; 32]) -> Result<Option<u64>> {
        let row = sqlx::query("SELECT redeemed_idx FROM roll WHERE poll_id = $1 AND token_hash = $2")
            .bind(&self.poll)
            .bind(token_hash.as_slice())
            .fetch_optional(&mut *self.tx)
            .await?;
        match row {
            Some(r) => r.try_get::<Option<i64>, _>("redeemed_idx")?.map(to_u64).transpose(),
            None => Ok(None),
        }
    }

    /// Every entry of one kind as `(index, time, payload)`, in board order
    /// (for the few timetable amendments: spec: api §5).
    pub async fn payloads_of_kind(&mut self, kind: u8) -> Result<Vec<(u64, u64, Vec<u8>)>> {
        let rows = sqlx::query(
            "SELECT idx, time, payload FROM entries WHERE poll_id = $1 AND kind = $2 ORDER BY idx",
        )
        .bind(&self.poll)
        .bind(i64::from(kind))
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter()
            .map(|r| Ok((to_u64(r.try_get("idx")?)?, to_u64(r.try_get("time")?)?, r.try_get("payload")?)))
            .collect()
    }

    /// The number of entries of the given kinds.
    pub async fn count_kinds(&mut self, kinds: &[u8]) -> Result<u64> {
        let mut total = 0u64;
        for kind in kinds {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM entries WHERE poll_id = $1 AND kind = $2")
                .bind(&self.poll)
                .bind(i64::from(*kind))
                .fetch_one(&mut *self.tx)
                .await?;
            total = total.saturating_add(to_u64(row.try_get("n")?)?);
        }
        Ok(total)
    }

    /// Registers a credential at entry `index`; `false` if it already is.
    pub async fn add_credential(&mut self, key: &[u8; 32], index: u64) -> Result<bool> {
        if self.credential(key).await?.is_some() {
            return Ok(false);
        }
        sqlx::query("INSERT INTO credentials (poll_id, key, idx, ballots) VALUES ($1, $2, $3, 0)")
            .bind(&self.poll)
            .bind(key.as_slice())
            .bind(to_i64(index)?)
            .execute(&mut *self.tx)
            .await?;
        Ok(true)
    }

    /// A registered credential's entry index and the number of ballots it cast.
    pub async fn credential(&mut self, key: &[u8; 32]) -> Result<Option<(u64, u64)>> {
        let row = sqlx::query("SELECT idx, ballots FROM credentials WHERE poll_id = $1 AND key = $2")
            .bind(&self.poll)
            .bind(key.as_slice())
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(|r| Ok((to_u64(r.try_get("idx")?)?, to_u64(r.try_get("ballots")?)?))).transpose()
    }

    /// Registrar mode: whether any of `keys` is listed already (spec: V4.9).
    pub async fn any_credential(&mut self, keys: &[[u8; 32]]) -> Result<bool> {
        for chunk in keys.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT COUNT(*) AS n FROM credentials WHERE poll_id = $1 AND key IN ({})",
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql).bind(&self.poll);
            for k in chunk {
                q = q.bind(k.as_slice());
            }
            let row = q.fetch_one(&mut *self.tx).await?;
            if to_u64(row.try_get("n")?)? > 0 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Registrar mode: lists `keys` at entry `index`, many rows a statement
    /// (the caller checked that none is listed).
    pub async fn add_credentials(&mut self, keys: &[[u8; 32]], index: u64) -> Result<()> {
        let idx = to_i64(index)?;
        for chunk in keys.chunks(500) {
            let rows: Vec<String> = (0..chunk.len()).map(|i| format!("($1, ${}, $2, 0)", i + 3)).collect();
            let sql =
                format!("INSERT INTO credentials (poll_id, key, idx, ballots) VALUES {}", rows.join(", "));
            let mut q = sqlx::query(&sql).bind(&self.poll).bind(idx);
            for k in chunk {
                q = q.bind(k.as_slice());
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Registrar mode: the entry index that revoked `key`, if it is.
    pub async fn revoked_at(&mut self, key: &[u8; 32]) -> Result<Option<u64>> {
        let row = sqlx::query("SELECT revoked_idx FROM credentials WHERE poll_id = $1 AND key = $2")
            .bind(&self.poll)
            .bind(key.as_slice())
            .fetch_optional(&mut *self.tx)
            .await?;
        match row {
            None => Ok(None),
            Some(r) => r.try_get::<Option<i64>, _>("revoked_idx")?.map(to_u64).transpose(),
        }
    }

    /// Registrar mode: revokes `old` at entry `index` and lists `new` there,
    /// with `old`'s ballots counted as its own (one member, spec: V4.9).
    pub async fn revoke_credential(&mut self, old: &[u8; 32], new: &[u8; 32], index: u64) -> Result<()> {
        let ballots = self.credential(old).await?.map_or(0, |(_, n)| n);
        sqlx::query("UPDATE credentials SET revoked_idx = $3 WHERE poll_id = $1 AND key = $2")
            .bind(&self.poll)
            .bind(old.as_slice())
            .bind(to_i64(index)?)
            .execute(&mut *self.tx)
            .await?;
        sqlx::query("INSERT INTO credentials (poll_id, key, idx, ballots) VALUES ($1, $2, $3, $4)")
            .bind(&self.poll)
            .bind(new.as_slice())
            .bind(to_i64(index)?)
            .bind(to_i64(ballots)?)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Counts one more ballot for a credential.
    pub async fn count_ballot(&mut self, key: &[u8; 32]) -> Result<()> {
        sqlx::query("UPDATE credentials SET ballots = ballots + 1 WHERE poll_id = $1 AND key = $2")
            .bind(&self.poll)
            .bind(key.as_slice())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Records ciphertext hashes (cast or audited) at entry `index`; `false`,
    /// recording nothing, if any of them is on the board already.
    pub async fn add_ciphertexts(&mut self, hashes: &[[u8; 32]], index: u64) -> Result<bool> {
        let distinct: std::collections::HashSet<&[u8; 32]> = hashes.iter().collect();
        if distinct.len() != hashes.len() {
            return Ok(false);
        }
        for h in hashes {
            let seen = sqlx::query("SELECT 1 FROM ciphertexts WHERE poll_id = $1 AND hash = $2")
                .bind(&self.poll)
                .bind(h.as_slice())
                .fetch_optional(&mut *self.tx)
                .await?;
            if seen.is_some() {
                return Ok(false);
            }
        }
        for h in hashes {
            sqlx::query("INSERT INTO ciphertexts (poll_id, hash, idx) VALUES ($1, $2, $3)")
                .bind(&self.poll)
                .bind(h.as_slice())
                .bind(to_i64(index)?)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(true)
    }

    /// Records a trustee message `(kind, trustee, recipient)`; `false` if that
    /// trustee already posted one (recipient is 0 where there is none).
    pub async fn add_trustee_post(
        &mut self,
        kind: u8,
        trustee: u16,
        recipient: u16,
        index: u64,
    ) -> Result<bool> {
        if self.trustee_posted(kind, trustee, recipient).await? {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO trustee_posts (poll_id, kind, trustee, recipient, idx) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&self.poll)
        .bind(i64::from(kind))
        .bind(i64::from(trustee))
        .bind(i64::from(recipient))
        .bind(to_i64(index)?)
        .execute(&mut *self.tx)
        .await?;
        Ok(true)
    }

    /// Whether the eligibility token with this hash is issued and unredeemed.
    pub async fn token_fresh(&mut self, token_hash: &[u8; 32]) -> Result<bool> {
        let row =
            sqlx::query("SELECT 1 FROM roll WHERE poll_id = $1 AND token_hash = $2 AND redeemed_idx IS NULL")
                .bind(&self.poll)
                .bind(token_hash.as_slice())
                .fetch_optional(&mut *self.tx)
                .await?;
        Ok(row.is_some())
    }

    /// Whether any of these ciphertext hashes is on the board (cast or audited).
    pub async fn any_ciphertext(&mut self, hashes: &[[u8; 32]]) -> Result<bool> {
        for h in hashes {
            let seen = sqlx::query("SELECT 1 FROM ciphertexts WHERE poll_id = $1 AND hash = $2")
                .bind(&self.poll)
                .bind(h.as_slice())
                .fetch_optional(&mut *self.tx)
                .await?;
            if seen.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether the trustee already posted a message `(kind, recipient)`.
    pub async fn trustee_posted(&mut self, kind: u8, trustee: u16, recipient: u16) -> Result<bool> {
        let seen = sqlx::query(
            "SELECT 1 FROM trustee_posts WHERE poll_id = $1 AND kind = $2 AND trustee = $3 AND recipient = $4",
        )
        .bind(&self.poll)
        .bind(i64::from(kind))
        .bind(i64::from(trustee))
        .bind(i64::from(recipient))
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(seen.is_some())
    }

    /// Whether the nomination with this token hash is pending.
    pub async fn nomination_pending(&mut self, token_hash: &[u8; 32]) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 FROM nominations WHERE poll_id = $1 AND token_hash = $2 AND status = 'pending'",
        )
        .bind(&self.poll)
        .bind(token_hash.as_slice())
        .fetch_optional(&mut *self.tx)
        .await?;
        Ok(row.is_some())
    }

    /// Marks a nomination approved as `candidate_id`.
    pub async fn approve_nomination(&mut self, token_hash: &[u8; 32], candidate_id: u32) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE nominations SET status = 'approved', candidate_id = $3 \
             WHERE poll_id = $1 AND token_hash = $2 AND status = 'pending'",
        )
        .bind(&self.poll)
        .bind(token_hash.as_slice())
        .bind(i64::from(candidate_id))
        .execute(&mut *self.tx)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Commits: nothing appended is acknowledged before this returns.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}
