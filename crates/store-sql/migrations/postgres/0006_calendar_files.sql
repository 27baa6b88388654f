-- Files attached to a training session or a race: the calendar reads whether each record
-- has any, and attaching recomputes a session's figures from them.
CREATE INDEX activity_files_session_idx ON activity_files (training_session_id);
CREATE INDEX activity_files_race_idx ON activity_files (race_id);
