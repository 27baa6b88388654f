-- An activity's source may come without the client's id for it (a client that sends a raw
-- payload but no externalId). Such sources are kept but never deduplicated: the uniqueness
-- rule treats NULL ids as distinct. SQLite cannot drop NOT NULL in place, so the table is
-- rebuilt with the same columns, keys and index.
CREATE TABLE activity_sources_rebuilt (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id    INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider       TEXT NOT NULL,
    client_key     TEXT NOT NULL,
    external_id    TEXT,
    raw_payload    TEXT,
    received_at    INTEGER NOT NULL,
    UNIQUE (user_id, provider, client_key, external_id)
) STRICT;
INSERT INTO activity_sources_rebuilt
    (id, activity_id, user_id, provider, client_key, external_id, raw_payload, received_at)
    SELECT id, activity_id, user_id, provider, client_key, external_id, raw_payload, received_at
    FROM activity_sources;
DROP TABLE activity_sources;
ALTER TABLE activity_sources_rebuilt RENAME TO activity_sources;
CREATE INDEX activity_sources_activity_idx ON activity_sources (activity_id);
