-- A company integration: an OAuth client of a coaching company that authenticates with the
-- client_credentials grant and acts through a user of its own, an owner of the company, so
-- that it reaches every athlete of the company and nobody else.
CREATE TABLE company_clients (
    client_row_id    BIGINT PRIMARY KEY REFERENCES oauth_clients (id) ON DELETE CASCADE,
    organization_id  BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    service_user_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE
);
