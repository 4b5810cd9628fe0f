-- Registrar mode (spec: board §4.12, V4.9): the registrar's listed keys are
-- rows of `credentials` (idx = the list, supplement or revocation entry);
-- a revoked key keeps its row with the revocation's entry index here, so
-- its later ballots are refused and it can never be listed again.
ALTER TABLE credentials ADD COLUMN revoked_idx BIGINT;
