//! Reads: polls, entries by range or kind, checkpoints. Reads take no lock;
//! they see committed appends only.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{to_hash, to_i64, to_u64, Result, Store};

/// A poll as stored.
#[derive(Clone, Debug)]
pub struct PollRow {
    /// The poll id.
    pub poll_id: String,
    /// The manifest payload (entry 0).
    pub manifest: Vec<u8>,
    /// Its hash.
    pub manifest_hash: [u8; 32],
    /// The lifecycle phase.
    pub phase: String,
    /// The definition hash, once posted.
    pub definition_hash: Option<[u8; 32]>,
    /// The joint key, once voting opened.
    pub joint_key: Option<[u8; 32]>,
}

/// An entry as stored.
#[derive(Clone, Debug)]
pub struct EntryRow {
    /// Its index.
    pub index: u64,
    /// Its kind code.
    pub kind: u8,
    /// Its time.
    pub time: u64,
    /// Its payload.
    pub payload: Vec<u8>,
    /// The entry hash.
    pub hash: [u8; 32],
    /// The previous entry's hash (zeros for entry 0), read in the same
    /// query, so an entry is whole in one read (spec: board §5.1).
    pub prev: [u8; 32],
}

/// The columns of an [`EntryRow`], with the previous entry's hash joined
/// on (`e` is the entry, `p` its predecessor on the same board).
const ENTRY_COLUMNS: &str = "e.idx, e.kind, e.time, e.payload, e.hash, p.hash AS prev FROM entries e \
     LEFT JOIN entries p ON p.poll_id = e.poll_id AND p.idx = e.idx - 1";

fn entry_row(r: &AnyRow) -> Result<EntryRow> {
    let kind: i64 = r.try_get("kind")?;
    Ok(EntryRow {
        index: to_u64(r.try_get("idx")?)?,
        kind: u8::try_from(kind).map_err(|_| crate::StoreError::Corrupt("entry kind"))?,
        time: to_u64(r.try_get("time")?)?,
        payload: r.try_get("payload")?,
        hash: to_hash(r.try_get("hash")?)?,
        prev: opt_hash(r.try_get("prev")?)?.unwrap_or([0; 32]),
    })
}

fn opt_hash(v: Option<Vec<u8>>) -> Result<Option<[u8; 32]>> {
    v.map(to_hash).transpose()
}

impl Store {
    /// A poll, if it exists.
    pub async fn poll(&self, poll: &str) -> Result<Option<PollRow>> {
        let row = sqlx::query(
            "SELECT poll_id, manifest, manifest_hash, phase, definition_hash, joint_key FROM polls WHERE poll_id = $1",
        )
        .bind(poll)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(PollRow {
                poll_id: r.try_get("poll_id")?,
                manifest: r.try_get("manifest")?,
                manifest_hash: to_hash(r.try_get("manifest_hash")?)?,
                phase: r.try_get("phase")?,
                definition_hash: opt_hash(r.try_get("definition_hash")?)?,
                joint_key: opt_hash(r.try_get("joint_key")?)?,
            })
        })
        .transpose()
    }

    /// Every poll id, oldest first.
    pub async fn poll_ids(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT poll_id FROM polls ORDER BY created_at, poll_id")
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(|r| Ok(r.try_get("poll_id")?)).collect()
    }

    /// The ids of the polls in `phase`, oldest first.
    pub async fn polls_in_phase(&self, phase: &str) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT poll_id FROM polls WHERE phase = $1 ORDER BY created_at, poll_id")
            .bind(phase)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(|r| Ok(r.try_get("poll_id")?)).collect()
    }

    /// The number of committed entries.
    pub async fn board_size(&self, poll: &str) -> Result<u64> {
        let row = sqlx::query("SELECT size FROM heads WHERE poll_id = $1")
            .bind(poll)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => to_u64(r.try_get("size")?),
            None => Err(crate::StoreError::NoSuchPoll),
        }
    }

    /// Credentials issued and still valid: the registered (token mode) or
    /// listed (registrar mode) credential keys not revoked (spec: board
    /// §8.5, the turnout's `credentials`).
    pub async fn credentials_issued(&self, poll: &str) -> Result<u64> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM credentials WHERE poll_id = $1 AND revoked_idx IS NULL")
                .bind(poll)
                .fetch_one(&self.pool)
                .await?;
        to_u64(row.try_get("n")?)
    }

    /// The number of entries of each kind, by kind code.
    pub async fn kind_counts(&self, poll: &str) -> Result<Vec<(u8, u64)>> {
        let rows = sqlx::query(
            "SELECT kind, COUNT(*) AS n FROM entries WHERE poll_id = $1 GROUP BY kind ORDER BY kind",
        )
        .bind(poll)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let kind: i64 = r.try_get("kind")?;
                Ok((
                    u8::try_from(kind).map_err(|_| crate::StoreError::Corrupt("entry kind"))?,
                    to_u64(r.try_get("n")?)?,
                ))
            })
            .collect()
    }

    /// Entries `from..to` (at most `to - from`), in order.
    pub async fn entries(&self, poll: &str, from: u64, to: u64) -> Result<Vec<EntryRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} WHERE e.poll_id = $1 AND e.idx >= $2 AND e.idx < $3 ORDER BY e.idx"
        ))
        .bind(poll)
        .bind(to_i64(from)?)
        .bind(to_i64(to)?)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_row).collect()
    }

    /// One entry.
    pub async fn entry(&self, poll: &str, index: u64) -> Result<Option<EntryRow>> {
        Ok(self.entries(poll, index, index.saturating_add(1)).await?.into_iter().next())
    }

    /// Entries of one kind from index `from`, at most `limit`, in order.
    pub async fn entries_of_kind(
        &self,
        poll: &str,
        kind: u8,
        from: u64,
        limit: u64,
    ) -> Result<Vec<EntryRow>> {
        let rows = sqlx::query(
            &format!(
                "SELECT {ENTRY_COLUMNS} WHERE e.poll_id = $1 AND e.kind = $2 AND e.idx >= $3 ORDER BY e.idx LIMIT $4"
            ),
        )
        .bind(poll)
        .bind(i64::from(kind))
        .bind(to_i64(from)?)
        .bind(to_i64(limit)?)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry_row).collect()
    }

    /// The entry with this payload hash (a tracking code), if any.
    pub async fn entry_by_payload_hash(
        &self,
        poll: &str,
        payload_hash: &[u8; 32],
    ) -> Result<Option<EntryRow>> {
        let row =
            sqlx::query(&format!("SELECT {ENTRY_COLUMNS} WHERE e.poll_id = $1 AND e.payload_hash = $2"))
                .bind(poll)
                .bind(payload_hash.as_slice())
                .fetch_optional(&self.pool)
                .await?;
        row.as_ref().map(entry_row).transpose()
    }

    /// Entry hashes `from..to`, in order (to build Merkle logs).
    pub async fn entry_hashes(&self, poll: &str, from: u64, to: u64) -> Result<Vec<[u8; 32]>> {
        let rows = sqlx::query(
            "SELECT hash FROM entries WHERE poll_id = $1 AND idx >= $2 AND idx < $3 ORDER BY idx",
        )
        .bind(poll)
        .bind(to_i64(from)?)
        .bind(to_i64(to)?)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|r| to_hash(r.try_get("hash")?)).collect()
    }

    /// Checkpoints with sizes in `from..=to`, by size.
    pub async fn checkpoints(&self, poll: &str, from: u64, to: u64) -> Result<Vec<(u64, Vec<u8>)>> {
        let rows = sqlx::query(
            "SELECT size, bytes FROM checkpoints WHERE poll_id = $1 AND size >= $2 AND size <= $3 ORDER BY size",
        )
        .bind(poll)
        .bind(to_i64(from)?)
        .bind(to_i64(to)?)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(|r| Ok((to_u64(r.try_get("size")?)?, r.try_get("bytes")?))).collect()
    }

    /// The latest checkpoint.
    pub async fn latest_checkpoint(&self, poll: &str) -> Result<Option<(u64, Vec<u8>)>> {
        let row =
            sqlx::query("SELECT size, bytes FROM checkpoints WHERE poll_id = $1 ORDER BY size DESC LIMIT 1")
                .bind(poll)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| Ok((to_u64(r.try_get("size")?)?, r.try_get("bytes")?))).transpose()
    }

    /// The first checkpoint that covers entry `index` (the one its receipt
    /// was issued under).
    pub async fn checkpoint_covering(&self, poll: &str, index: u64) -> Result<Option<(u64, Vec<u8>)>> {
        let row = sqlx::query(
            "SELECT size, bytes FROM checkpoints WHERE poll_id = $1 AND size > $2 ORDER BY size LIMIT 1",
        )
        .bind(poll)
        .bind(to_i64(index)?)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((to_u64(r.try_get("size")?)?, r.try_get("bytes")?))).transpose()
    }
}
