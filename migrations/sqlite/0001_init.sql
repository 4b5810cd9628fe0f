-- shortlist store, SQLite. Every integer is 64-bit; hashes and payloads are BLOBs.
-- The Postgres twin is migrations/postgres/0001_init.sql: keep them in step.

CREATE TABLE polls (
    poll_id TEXT PRIMARY KEY,
    manifest BLOB NOT NULL,
    manifest_hash BLOB NOT NULL,
    phase TEXT NOT NULL,
    definition_hash BLOB,
    joint_key BLOB,
    created_at BIGINT NOT NULL
);

-- The sequencer row: one per poll, locked by every append (spec: api §3).
CREATE TABLE heads (
    poll_id TEXT PRIMARY KEY REFERENCES polls (poll_id),
    size BIGINT NOT NULL,
    head BLOB NOT NULL,
    time BIGINT NOT NULL
);

CREATE TABLE entries (
    poll_id TEXT NOT NULL REFERENCES polls (poll_id),
    idx BIGINT NOT NULL,
    kind BIGINT NOT NULL,
    time BIGINT NOT NULL,
    payload BLOB NOT NULL,
    hash BLOB NOT NULL,
    payload_hash BLOB NOT NULL,
    PRIMARY KEY (poll_id, idx)
);
CREATE UNIQUE INDEX entries_payload ON entries (poll_id, payload_hash);

CREATE TABLE checkpoints (
    poll_id TEXT NOT NULL REFERENCES polls (poll_id),
    size BIGINT NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (poll_id, size)
);

CREATE TABLE roll (
    poll_id TEXT NOT NULL REFERENCES polls (poll_id),
    member_id TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    token_hash BLOB,
    redeemed_idx BIGINT,
    PRIMARY KEY (poll_id, member_id)
);
CREATE UNIQUE INDEX roll_token ON roll (token_hash);

CREATE TABLE credentials (
    poll_id TEXT NOT NULL REFERENCES polls (poll_id),
    key BLOB NOT NULL,
    idx BIGINT NOT NULL,
    ballots BIGINT NOT NULL,
    PRIMARY KEY (poll_id, key)
);

CREATE TABLE ciphertexts (
    poll_id TEXT NOT NULL REFERENCES polls (poll_id),
    hash BLOB NOT NULL,
    idx BIGINT NOT NULL,
    PRIMARY KEY (poll_id, hash)
);

CREATE TABLE trustee_posts (
    poll_id TEXT NOT NULL REFERENCES polls (poll_id),
    kind BIGINT NOT NULL,
    trustee BIGINT NOT NULL,
    recipient BIGINT NOT NULL,
    idx BIGINT NOT NULL,
    PRIMARY KEY (poll_id, kind, trustee, recipient)
);

CREATE TABLE candidate_tokens (
    token_hash BLOB PRIMARY KEY,
    poll_id TEXT NOT NULL REFERENCES polls (poll_id),
    label TEXT NOT NULL
);

CREATE TABLE nominations (
    poll_id TEXT NOT NULL REFERENCES polls (poll_id),
    token_hash BLOB NOT NULL,
    contest_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    statement TEXT NOT NULL,
    attributes TEXT NOT NULL,
    status TEXT NOT NULL,
    candidate_id BIGINT,
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (poll_id, token_hash)
);
