-- Entries by kind: the sequencer reads a poll's timetable amendments (kind 14)
-- under the lock of every group, and counts entries by kind.
CREATE INDEX entries_kind ON entries (poll_id, kind, idx);
