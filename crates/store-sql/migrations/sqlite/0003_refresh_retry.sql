-- Refresh-token rotation with an optional grace period: each token remembers the refresh
-- token it was rotated from, and a spent refresh token when it was presented again within
-- the grace period (allowed once).
ALTER TABLE oauth_tokens ADD COLUMN parent_id INTEGER;
ALTER TABLE oauth_tokens ADD COLUMN retried_at INTEGER;
CREATE INDEX oauth_tokens_parent_idx ON oauth_tokens (parent_id);
