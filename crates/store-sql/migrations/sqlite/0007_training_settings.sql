-- An athlete's training settings: the figures their zones follow from (docs/training-zones.md),
-- and a maximum heart rate an upload reached, offered to them to accept.
CREATE TABLE training_settings (
    user_id                   INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    max_heart_rate            INTEGER,
    resting_heart_rate        INTEGER,
    threshold_heart_rate      INTEGER,
    ftp_watts                 INTEGER,
    threshold_pace_s_per_km   INTEGER,
    swim_css_s_per_100m       INTEGER,
    weight_kg                 REAL,
    suggested_max_heart_rate  INTEGER
) STRICT;
