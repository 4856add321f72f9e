-- Web UI sessions. The cookie holds a random secret and only its SHA-256 is stored here, so a copy of the database
-- signs nobody in. Every node reads the same rows: a session works behind any node, and signing out (or deleting
-- the account) ends it everywhere at once. The CSRF token is the session's own, checked on every form it posts.
CREATE TABLE web_sessions (
    secret_hash VARCHAR(64) PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_token  VARCHAR(64) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX web_sessions_account ON web_sessions (account_id, created_at);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
