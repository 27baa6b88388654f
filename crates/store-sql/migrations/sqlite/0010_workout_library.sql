-- A coach's library of workouts to reuse, each kept as the text it was written in (so a
-- target relative to a threshold stays relative until the workout is planned for someone).
CREATE TABLE workout_library (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    sport        TEXT NOT NULL,
    description  TEXT NOT NULL,
    text         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX workout_library_owner_idx ON workout_library (owner_id, name);
