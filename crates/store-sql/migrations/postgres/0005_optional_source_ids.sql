-- An activity's source may come without the client's id for it (a client that sends a raw
-- payload but no externalId). Such sources are kept but never deduplicated: the uniqueness
-- rule treats NULL ids as distinct.
ALTER TABLE activity_sources ALTER COLUMN external_id DROP NOT NULL;
