-- A consent page's answer is accepted once, from the session it was shown to, for the
-- request it showed: each page carries a random ticket stored here by hash, with the hash
-- of the authorization request.
CREATE TABLE consent_tickets (
    ticket_hash  TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    session_id   BIGINT NOT NULL REFERENCES web_sessions (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ
);
CREATE INDEX consent_tickets_session_idx ON consent_tickets (session_id);
