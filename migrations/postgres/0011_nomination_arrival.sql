-- Expressions of interest are listed by arrival (spec: api §4, nominations).
-- The second of `submitted_at` cannot order two that arrive in the same
-- second; `arrival` counts them within the poll (the insert holds the poll's
-- lock). Rows stored before this migration keep 0 and their old order.
ALTER TABLE nominations ADD COLUMN arrival BIGINT NOT NULL DEFAULT 0;
