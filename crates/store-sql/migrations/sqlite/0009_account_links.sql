-- One-time links of accounts, each kept by the SHA-256 of its token.
-- An invitation into an organization, with the role the invited person gets; accepted
-- once, before it expires, unless its owner withdrew it.
CREATE TABLE invitations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash       TEXT NOT NULL UNIQUE,
    organization_id  INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role             TEXT NOT NULL CHECK (role IN ('owner', 'coach', 'athlete')),
    email            TEXT,
    invited_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    accepted_at      INTEGER,
    accepted_by      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    revoked_at       INTEGER
) STRICT;
CREATE INDEX invitations_organization_idx ON invitations (organization_id, id);

-- A password reset link.
CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
) STRICT;
CREATE INDEX password_resets_user_idx ON password_resets (user_id);
