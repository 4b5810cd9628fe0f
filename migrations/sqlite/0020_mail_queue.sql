-- Email delivery of eligibility tokens (spec: api §4.2). One row per member
-- mailed: the latest generation of its token, never the token itself (the
-- server derives it again from its key). `next_at` and `lease_until` are Unix
-- milliseconds; a `sending` row whose lease has passed belongs to no one and
-- is claimed again. The Postgres twin is migrations/postgres/0020_mail_queue.sql.
CREATE TABLE mail_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    poll_id TEXT NOT NULL REFERENCES polls (poll_id),
    member_id TEXT NOT NULL,
    generation BIGINT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    resumed BIGINT NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    lease_until BIGINT,
    claim TEXT,
    queued_at BIGINT NOT NULL,
    sent_at BIGINT,
    error TEXT,
    UNIQUE (poll_id, member_id)
);
CREATE INDEX mail_queue_due ON mail_queue (state, next_at);
CREATE INDEX mail_queue_claim ON mail_queue (claim);

-- The organiser's template for a poll's messages (absent: the default).
CREATE TABLE mail_templates (
    poll_id TEXT PRIMARY KEY REFERENCES polls (poll_id),
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL
);
