-- One schema for H2 (file mode) and PostgreSQL: only types and syntax both understand.

-- Personal access tokens become the one credential record every dialect reads: personal tokens of users and robot
-- credentials of organizations. Every existing token is carried over as it is: same id, uuid, secret hash, scopes.
ALTER TABLE access_tokens RENAME TO credentials;
ALTER TABLE credentials ADD COLUMN kind VARCHAR(8) DEFAULT 'personal' NOT NULL;   -- personal or robot
ALTER TABLE credentials ADD COLUMN description VARCHAR(255);
-- Who created it; the name stays readable after that account is deleted.
ALTER TABLE credentials ADD COLUMN creator_id BIGINT;
ALTER TABLE credentials ADD COLUMN creator_name VARCHAR(30);
-- When it stops (or stopped) working by revocation. In the future while an old secret is in its rotation grace
-- window; grace_pending stays true until the end of that window has been audited.
ALTER TABLE credentials ADD COLUMN revoked_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE credentials ADD COLUMN grace_pending BOOLEAN DEFAULT FALSE NOT NULL;
-- Deleted through an API that deletes (Docker Hub, IONOS): revoked and hidden there, still listed as revoked where
-- revoked tokens are listed (GitLab).
ALTER TABLE credentials ADD COLUMN deleted BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE credentials ADD COLUMN rotated_from_id BIGINT;
-- Up to five distinct client addresses, most recent last, comma-separated.
ALTER TABLE credentials ADD COLUMN last_used_ips VARCHAR(400) DEFAULT '' NOT NULL;
-- The smallest number of days before expiry for which a warning has been sent (7, then 1); null: none yet.
ALTER TABLE credentials ADD COLUMN expiry_warned_days INTEGER;
UPDATE credentials SET creator_id = owner_id,
    creator_name = (SELECT a.name FROM accounts a WHERE a.id = credentials.owner_id);
ALTER TABLE credentials ADD CONSTRAINT credentials_creator FOREIGN KEY (creator_id) REFERENCES accounts (id)
    ON DELETE SET NULL;
ALTER TABLE credentials ADD CONSTRAINT credentials_rotated_from FOREIGN KEY (rotated_from_id)
    REFERENCES credentials (id) ON DELETE SET NULL;
CREATE INDEX credentials_rotated_from ON credentials (rotated_from_id);
CREATE INDEX credentials_kind_created ON credentials (kind, created_at, id);
CREATE INDEX credentials_expiry ON credentials (expires_at);

-- What a robot credential may do: resources, each a repository glob or a namespace, with actions.
CREATE TABLE credential_resources (
    credential_id BIGINT NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    kind          VARCHAR(12) NOT NULL,          -- repository or namespace
    path          VARCHAR(300) NOT NULL,
    actions       VARCHAR(64) NOT NULL,          -- comma-separated: pull, push, delete, list
    PRIMARY KEY (credential_id, position)
);

-- Who created an account, for the APIs that show it.
ALTER TABLE accounts ADD COLUMN created_by_id BIGINT;
UPDATE accounts SET created_by_id = (SELECT MIN(e.actor_id) FROM audit_events e
    WHERE e.account_id = accounts.id AND e.action IN ('user.create', 'org.create'));

-- An organization's namespace run as a registry: which client networks its robot credentials may be used from, its
-- garbage-collection schedule (read by garbage collection), and features clients may switch.
CREATE TABLE namespace_settings (
    org_id                 BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    allowed_networks       VARCHAR(2000) DEFAULT '' NOT NULL,   -- comma-separated CIDRs; empty: any network
    gc_days                VARCHAR(80),                         -- comma-separated weekdays, MONDAY..SUNDAY
    gc_time                VARCHAR(16),                         -- HH:MM:SS, UTC
    vulnerability_scanning BOOLEAN DEFAULT FALSE NOT NULL,
    updated_at             TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_by_id          BIGINT,
    updated_by             VARCHAR(30)
);
