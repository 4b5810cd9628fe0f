-- The organiser console's sign-in sessions (spec: api §4.1). Only the
-- SHA-256 of the session secret is kept; a row past `expires_at` grants nothing.
-- The Postgres twin is migrations/postgres/0010_console_sessions.sql.
CREATE TABLE console_sessions (
    id_hash BLOB PRIMARY KEY,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
