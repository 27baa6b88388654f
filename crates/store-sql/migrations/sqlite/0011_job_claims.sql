-- Background jobs several instances share: a turn of the job `name` is held by `holder`
-- until `until` (microseconds since 1970); another instance may claim it after that.
CREATE TABLE job_claims (
    name    TEXT PRIMARY KEY,
    holder  TEXT NOT NULL,
    until   INTEGER NOT NULL
) STRICT;
