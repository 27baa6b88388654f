-- Paceline's schema on SQLite. migrations/postgres/0001_schema.sql is the same schema on
-- PostgreSQL: same tables, columns, keys and indexes; only the column types differ
-- (INTEGER microseconds since 1970 here are TIMESTAMPTZ there, TEXT dates are DATE,
-- INTEGER booleans are BOOLEAN, TEXT JSON is JSONB, BLOB is BYTEA). Every timestamp is UTC.
-- Keys use AUTOINCREMENT so that a deleted record's id is never handed out again: clients
-- of the Xhale surface keep integer ids. Tables are STRICT, so SQLite enforces column types.

-- Accounts ---------------------------------------------------------------------------------

CREATE TABLE organizations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('personal', 'team')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX organizations_name_idx ON organizations (lower(name));

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    name           TEXT NOT NULL,
    image          TEXT,
    distance_unit  TEXT NOT NULL CHECK (distance_unit IN ('kilometers', 'miles')),
    pool_unit      TEXT NOT NULL CHECK (pool_unit IN ('meters', 'yards')),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE memberships (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id  INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role             TEXT NOT NULL CHECK (role IN ('owner', 'coach', 'athlete')),
    created_at       INTEGER NOT NULL,
    UNIQUE (organization_id, user_id)
) STRICT;
CREATE INDEX memberships_user_idx ON memberships (user_id);

CREATE TABLE coach_assignments (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    coach_membership_id    INTEGER NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    athlete_membership_id  INTEGER NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    created_at             INTEGER NOT NULL,
    UNIQUE (coach_membership_id, athlete_membership_id),
    CHECK (coach_membership_id <> athlete_membership_id)
) STRICT;
CREATE INDEX coach_assignments_athlete_idx ON coach_assignments (athlete_membership_id);

CREATE TABLE seasons (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    start_date  TEXT NOT NULL,
    end_date    TEXT NOT NULL,
    CHECK (start_date <= end_date),
    UNIQUE (user_id, start_date)
) STRICT;

CREATE TABLE sport_zones (
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sport           TEXT NOT NULL CHECK (sport IN ('run', 'bike')),
    max_heart_rate  INTEGER,
    PRIMARY KEY (user_id, sport)
) STRICT;

CREATE TABLE training_zones (
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sport           TEXT NOT NULL CHECK (sport IN ('run', 'bike')),
    number          INTEGER NOT NULL CHECK (number BETWEEN 1 AND 10),
    name            TEXT NOT NULL,
    heart_rate_min  INTEGER,
    heart_rate_max  INTEGER,
    power_min       INTEGER,
    power_max       INTEGER,
    speed_min_mps   REAL,
    speed_max_mps   REAL,
    PRIMARY KEY (user_id, sport, number)
) STRICT;

-- OAuth ------------------------------------------------------------------------------------

CREATE TABLE oauth_clients (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id       TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    secret_hash     TEXT,
    allowed_scopes  TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    disabled_at     INTEGER
) STRICT;

CREATE TABLE oauth_client_redirect_uris (
    client_row_id  INTEGER NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    uri            TEXT NOT NULL,
    PRIMARY KEY (client_row_id, position),
    UNIQUE (client_row_id, uri)
) STRICT;

CREATE TABLE oauth_consents (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_row_id  INTEGER NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    scopes         TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    revoked_at     INTEGER,
    UNIQUE (user_id, client_row_id)
) STRICT;

CREATE TABLE oauth_authorization_codes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    code_hash       TEXT NOT NULL UNIQUE,
    client_row_id   INTEGER NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri    TEXT NOT NULL,
    scopes          TEXT NOT NULL,
    code_challenge  TEXT NOT NULL,
    auth_time       INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    redeemed_at     INTEGER,
    family_id       INTEGER
) STRICT;

-- A family is every token issued from one authorization code, through all its rotations;
-- reuse of a rotated refresh token revokes the whole family.
CREATE TABLE oauth_token_families (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    client_row_id  INTEGER NOT NULL REFERENCES oauth_clients (id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes         TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    last_used_at   INTEGER NOT NULL,
    revoked_at     INTEGER
) STRICT;
CREATE INDEX oauth_token_families_user_idx ON oauth_token_families (user_id, client_row_id);

CREATE TABLE oauth_tokens (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id   INTEGER NOT NULL REFERENCES oauth_token_families (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    token_hash  TEXT NOT NULL UNIQUE,
    scopes      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    revoked_at  INTEGER
) STRICT;
CREATE INDEX oauth_tokens_family_idx ON oauth_tokens (family_id);

CREATE TABLE web_sessions (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash        TEXT NOT NULL UNIQUE,
    user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    authenticated_at  INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    last_seen_at      INTEGER NOT NULL,
    expires_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX web_sessions_user_idx ON web_sessions (user_id);

-- Training calendar (Xhale) ----------------------------------------------------------------

CREATE TABLE training_sessions (
    id                           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id                      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    planned_by_user_id           INTEGER REFERENCES users (id) ON DELETE SET NULL,
    date                         TEXT NOT NULL,
    position                     INTEGER NOT NULL,
    discipline_id                INTEGER NOT NULL,
    intensity                    INTEGER CHECK (intensity BETWEEN 0 AND 5),
    brief_description            TEXT NOT NULL DEFAULT '',
    key_session                  INTEGER NOT NULL DEFAULT 0,
    training_plan                TEXT NOT NULL DEFAULT '',
    prescribed_minutes           INTEGER,
    prescribed_minutes_swim      INTEGER,
    prescribed_minutes_bike      INTEGER,
    prescribed_minutes_run       INTEGER,
    prescribed_km                REAL,
    prescribed_km_swim           REAL,
    prescribed_km_bike           REAL,
    prescribed_km_run            REAL,
    completed_minutes            INTEGER,
    completed_minutes_swim       INTEGER,
    completed_minutes_bike       INTEGER,
    completed_minutes_run        INTEGER,
    completed_km                 REAL,
    completed_km_swim            REAL,
    completed_km_bike            REAL,
    completed_km_run             REAL,
    athlete_feedback             TEXT NOT NULL DEFAULT '',
    coach_comments               TEXT NOT NULL DEFAULT '',
    bike_average_speed_kph       REAL,
    bike_average_power_watts     INTEGER,
    bike_average_cadence_rpm     INTEGER,
    bike_average_heart_rate_bpm  INTEGER,
    bike_meters_climbed          INTEGER,
    run_average_heart_rate_bpm   INTEGER,
    run_meters_climbed           INTEGER,
    missed_session               INTEGER NOT NULL DEFAULT 0,
    direct_access_token          TEXT NOT NULL UNIQUE,
    created_at                   INTEGER NOT NULL,
    updated_at                   INTEGER NOT NULL,
    deleted_at                   INTEGER
) STRICT;
CREATE INDEX training_sessions_user_date_idx ON training_sessions (user_id, date, position);
CREATE INDEX training_sessions_user_updated_idx ON training_sessions (user_id, updated_at);

CREATE TABLE races (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id                 INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    date                    TEXT NOT NULL,
    race_name               TEXT NOT NULL,
    distance                INTEGER,
    taper_days              INTEGER,
    attendance_probability  INTEGER,
    athletes_plan           TEXT NOT NULL DEFAULT '',
    coach_plan              TEXT NOT NULL DEFAULT '',
    athlete_feedback        TEXT NOT NULL DEFAULT '',
    coach_comments          TEXT NOT NULL DEFAULT '',
    event_url               TEXT NOT NULL DEFAULT '',
    position_overall        INTEGER,
    position_age_group      INTEGER,
    race_priority           TEXT CHECK (race_priority IN ('a', 'b', 'c')),
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    deleted_at              INTEGER
) STRICT;
CREATE INDEX races_user_date_idx ON races (user_id, date);
CREATE INDEX races_user_updated_idx ON races (user_id, updated_at);

CREATE TABLE workouts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    author_user_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    sport           TEXT NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    steps           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    deleted_at      INTEGER
) STRICT;
CREATE INDEX workouts_user_updated_idx ON workouts (user_id, updated_at);

CREATE TABLE training_session_workouts (
    training_session_id  INTEGER NOT NULL REFERENCES training_sessions (id) ON DELETE CASCADE,
    workout_id           INTEGER NOT NULL REFERENCES workouts (id) ON DELETE CASCADE,
    PRIMARY KEY (training_session_id, workout_id)
) STRICT;
CREATE INDEX training_session_workouts_workout_idx ON training_session_workouts (workout_id);

-- Activities and their files ---------------------------------------------------------------

CREATE TABLE activities (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id             INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    membership_id       INTEGER NOT NULL REFERENCES memberships (id),
    source              TEXT NOT NULL,
    source_name         TEXT,
    client_row_id       INTEGER REFERENCES oauth_clients (id) ON DELETE SET NULL,
    type                TEXT NOT NULL,
    sub_type            TEXT,
    title               TEXT,
    started_at          INTEGER NOT NULL,
    timezone            TEXT,
    utc_offset_sec      INTEGER,
    duration_sec        REAL,
    timer_sec           REAL,
    distance_m          REAL,
    elevation_gain_m    REAL,
    avg_hr              INTEGER,
    max_hr              INTEGER,
    avg_power           INTEGER,
    max_power           INTEGER,
    normalized_power    INTEGER,
    avg_cadence         INTEGER,
    avg_speed_mps       REAL,
    calories            INTEGER,
    rpe                 INTEGER CHECK (rpe BETWEEN 1 AND 10),
    load_score          INTEGER,
    notes               TEXT,
    training_session_id INTEGER REFERENCES training_sessions (id) ON DELETE SET NULL,
    race_id             INTEGER REFERENCES races (id) ON DELETE SET NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    deleted_at          INTEGER
) STRICT;
CREATE INDEX activities_user_started_idx ON activities (user_id, started_at DESC, id DESC);
CREATE INDEX activities_user_updated_idx ON activities (user_id, updated_at);

-- The legs of a multisport activity, each with its own sport and figures.
CREATE TABLE activity_legs (
    activity_id       INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    type              TEXT NOT NULL,
    sub_type          TEXT,
    started_at        INTEGER NOT NULL,
    duration_sec      REAL,
    timer_sec         REAL,
    distance_m        REAL,
    elevation_gain_m  REAL,
    avg_hr            INTEGER,
    max_hr            INTEGER,
    avg_power         INTEGER,
    normalized_power  INTEGER,
    avg_cadence       INTEGER,
    calories          INTEGER,
    PRIMARY KEY (activity_id, position)
) STRICT;

CREATE TABLE activity_laps (
    activity_id       INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    leg_position      INTEGER,
    started_at        INTEGER NOT NULL,
    duration_sec      REAL,
    timer_sec         REAL,
    distance_m        REAL,
    elevation_gain_m  REAL,
    avg_hr            INTEGER,
    max_hr            INTEGER,
    avg_power         INTEGER,
    avg_cadence       INTEGER,
    calories          INTEGER,
    PRIMARY KEY (activity_id, position)
) STRICT;

-- Record streams (time, position, heart rate, power...), encoded by the activity codec.
CREATE TABLE activity_streams (
    activity_id  INTEGER PRIMARY KEY REFERENCES activities (id) ON DELETE CASCADE,
    encoding     TEXT NOT NULL,
    point_count  INTEGER NOT NULL,
    data         BLOB NOT NULL
) STRICT;

-- Where an activity came from. client_key is the OAuth client id for client writes and ''
-- otherwise, so that the uniqueness rule also covers writes without a client.
CREATE TABLE activity_sources (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id    INTEGER NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider       TEXT NOT NULL,
    client_key     TEXT NOT NULL,
    external_id    TEXT NOT NULL,
    raw_payload    TEXT,
    received_at    INTEGER NOT NULL,
    UNIQUE (user_id, provider, client_key, external_id)
) STRICT;
CREATE INDEX activity_sources_activity_idx ON activity_sources (activity_id);

-- Uploaded files (the Xhale surface's uploads). The file is written to the blob store
-- before its row; a file not attached to a session or race is pending.
CREATE TABLE activity_files (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id              INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    activity_id          INTEGER REFERENCES activities (id) ON DELETE SET NULL,
    format               TEXT NOT NULL CHECK (format IN ('fit', 'tcx', 'gpx')),
    original_name        TEXT,
    size_bytes           INTEGER NOT NULL,
    sha256               TEXT NOT NULL,
    storage_key          TEXT NOT NULL UNIQUE,
    training_session_id  INTEGER REFERENCES training_sessions (id) ON DELETE SET NULL,
    race_id              INTEGER REFERENCES races (id) ON DELETE SET NULL,
    created_at           INTEGER NOT NULL,
    UNIQUE (user_id, sha256)
) STRICT;
CREATE INDEX activity_files_activity_idx ON activity_files (activity_id);

-- Daily and body data (Train it All) -------------------------------------------------------

CREATE TABLE body_metrics (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    membership_id   INTEGER NOT NULL REFERENCES memberships (id),
    measured_at     INTEGER NOT NULL,
    source          TEXT NOT NULL,
    source_name     TEXT,
    client_row_id   INTEGER REFERENCES oauth_clients (id) ON DELETE SET NULL,
    weight_kg       REAL,
    height_cm       REAL,
    body_fat_pct    REAL,
    muscle_mass_kg  REAL,
    resting_hr      INTEGER,
    sleep_hours     REAL,
    notes           TEXT,
    circumferences  TEXT,
    external_id     TEXT,
    raw_payload     TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (user_id, measured_at)
) STRICT;
CREATE INDEX body_metrics_user_updated_idx ON body_metrics (user_id, updated_at);

CREATE TABLE sleep_days (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id              INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    membership_id        INTEGER NOT NULL REFERENCES memberships (id),
    day                  TEXT NOT NULL,
    client_key           TEXT NOT NULL,
    source               TEXT NOT NULL,
    source_name          TEXT,
    client_row_id        INTEGER REFERENCES oauth_clients (id) ON DELETE SET NULL,
    sleep_start_at       INTEGER,
    sleep_end_at         INTEGER,
    sleep_seconds        INTEGER,
    time_in_bed_seconds  INTEGER,
    deep_seconds         INTEGER,
    light_seconds        INTEGER,
    rem_seconds          INTEGER,
    awake_seconds        INTEGER,
    sleep_score          INTEGER,
    external_id          TEXT,
    raw_payload          TEXT,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    UNIQUE (user_id, day, client_key)
) STRICT;
CREATE INDEX sleep_days_user_updated_idx ON sleep_days (user_id, updated_at);

CREATE TABLE nutrition_days (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id                INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    membership_id          INTEGER NOT NULL REFERENCES memberships (id),
    day                    TEXT NOT NULL,
    logged_at              INTEGER,
    source                 TEXT NOT NULL,
    source_name            TEXT,
    client_row_id          INTEGER REFERENCES oauth_clients (id) ON DELETE SET NULL,
    energy_breakfast_kcal  REAL,
    energy_lunch_kcal      REAL,
    energy_dinner_kcal     REAL,
    energy_snack_kcal      REAL,
    energy_total_kcal      REAL,
    goal_energy_kcal       REAL,
    carb_total_g           REAL,
    protein_total_g        REAL,
    fat_total_g            REAL,
    goal_carb_g            REAL,
    goal_protein_g         REAL,
    goal_fat_g             REAL,
    activity_energy_kcal   REAL,
    steps                  INTEGER,
    water_ml               REAL,
    external_id            TEXT,
    raw_payload            TEXT,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    UNIQUE (user_id, day)
) STRICT;
CREATE INDEX nutrition_days_user_updated_idx ON nutrition_days (user_id, updated_at);

CREATE TABLE daily_wellness (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id               INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    membership_id         INTEGER NOT NULL REFERENCES memberships (id),
    day                   TEXT NOT NULL,
    client_key            TEXT NOT NULL,
    source                TEXT NOT NULL,
    source_name           TEXT,
    client_row_id         INTEGER REFERENCES oauth_clients (id) ON DELETE SET NULL,
    steps                 INTEGER,
    water_ml              REAL,
    activity_energy_kcal  REAL,
    external_id           TEXT,
    raw_payload           TEXT,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    UNIQUE (user_id, day, client_key)
) STRICT;
CREATE INDEX daily_wellness_user_updated_idx ON daily_wellness (user_id, updated_at);

-- Messaging (Xhale) ------------------------------------------------------------------------

CREATE TABLE messages (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    sender_user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    recipient_user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content            TEXT NOT NULL,
    sent_at            INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    seen_at            INTEGER
) STRICT;
CREATE INDEX messages_conversation_idx ON messages (sender_user_id, recipient_user_id, id);
CREATE INDEX messages_unseen_idx ON messages (recipient_user_id, seen_at);
