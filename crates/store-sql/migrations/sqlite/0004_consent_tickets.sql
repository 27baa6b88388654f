-- A consent page's answer is accepted once, from the session it was shown to, for the
-- request it showed: each page carries a random ticket stored here by hash, with the hash
-- of the authorization request.
CREATE TABLE consent_tickets (
    ticket_hash  TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    session_id   INTEGER NOT NULL REFERENCES web_sessions (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER
) STRICT;
CREATE INDEX consent_tickets_session_idx ON consent_tickets (session_id);
