-- shortlist store, PostgreSQL. Every integer is 64-bit; hashes and payloads are BYTEA.
-- The SQLite twin is migrations/sqlite/0001_init.sql: keep them in step.

CREATE TABLE polls (
    poll_id TEXT PRIMARY KEY,
    manifest BYTEA NOT NULL,
    manifest_hash BYTEA NOT NULL,
    phase TEXT NOT NULL,
    definition_hash BYTEA,
    joint_key BYTEA,
    created_at BIGINT NOT NULL
);

-- The sequencer row: one per poll, locked by every append (spec: api §3).
CREATE TABLE heads (
    poll_id TEXT PRIMARY KEY REFERENCES polls (poll_id),
    size BIGINT NOT NULL,
    head BYTEA NOT NULL,
    time BIGINT NOT NULL
);

CREATE TABLE entries (
    poll_id TEXT NOT NULL REFERENCES polls (poll_id),
    idx BIGINT NOT NULL,
    kind BIGINT NOT NULL,
    time BIGINT NOT NULL,
    payload BYTEA NOT NULL,
    hash BYTEA NOT NULL,
    payload_hash BYTEA NOT NULL,
    PRIMARY KEY (poll_id, idx)
);
CREATE UNIQUE INDEX entries_payload ON entries (poll_id, payload_hash);

CREATE TABLE checkpoints (
    poll_id TEXT NOT NULL REFERENCES polls (poll_id),
    size BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (poll_id, size)
);

CREATE TABLE roll (
    poll_id TEXT NOT NULL REFERENCES polls (poll_id),
    member_id TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    token_hash BYTEA,
    redeemed_idx BIGINT,
    PRIMARY KEY (poll_id, member_id)
);
CREATE UNIQUE INDEX roll_token ON roll (token_hash);

CREATE TABLE credentials (
    poll_id TEXT NOT NULL REFERENCES polls (poll_id),
    key BYTEA NOT NULL,
    idx BIGINT NOT NULL,
    ballots BIGINT NOT NULL,
    PRIMARY KEY (poll_id, key)
);

CREATE TABLE ciphertexts (
    poll_id TEXT NOT NULL REFERENCES polls (poll_id),
    hash BYTEA NOT NULL,
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
    token_hash BYTEA PRIMARY KEY,
    poll_id TEXT NOT NULL REFERENCES polls (poll_id),
    label TEXT NOT NULL
);

CREATE TABLE nominations (
    poll_id TEXT NOT NULL REFERENCES polls (poll_id),
    token_hash BYTEA NOT NULL,
    contest_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    statement TEXT NOT NULL,
    attributes TEXT NOT NULL,
    status TEXT NOT NULL,
    candidate_id BIGINT,
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (poll_id, token_hash)
);
