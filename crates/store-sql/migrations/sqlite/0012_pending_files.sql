-- The files attached to no session or race, by athlete, newest found first: a list of
-- pending files reads its page, not the athlete's history.
CREATE INDEX IF NOT EXISTS activity_files_pending_idx ON activity_files (user_id, id)
    WHERE training_session_id IS NULL AND race_id IS NULL;
