-- One schema for H2 (file mode) and PostgreSQL: only types and syntax both understand.

-- Audit events belong to an account by id: names are reused after an account is deleted, ids never are. An event is
-- given to the account that had its name when it was recorded; the events of accounts deleted since belong to nobody.
ALTER TABLE audit_events ADD COLUMN account_id BIGINT;
ALTER TABLE audit_events ADD COLUMN actor_id BIGINT;
UPDATE audit_events SET account_id = (SELECT a.id FROM accounts a
    WHERE a.name = audit_events.account AND a.created_at <= audit_events.created_at);
UPDATE audit_events SET actor_id = (SELECT a.id FROM accounts a
    WHERE a.name = audit_events.actor AND a.created_at <= audit_events.created_at);
DROP INDEX audit_account_time;
DROP INDEX audit_account_action_time;
DROP INDEX audit_account_actor_time;
DROP INDEX audit_account_name_time;
CREATE INDEX audit_owner_time ON audit_events (account_id, created_at DESC, id DESC);
CREATE INDEX audit_owner_action_time ON audit_events (account_id, action, created_at DESC, id DESC);
CREATE INDEX audit_owner_actor_time ON audit_events (account_id, actor, created_at DESC, id DESC);
CREATE INDEX audit_owner_name_time ON audit_events (account_id, name, created_at DESC, id DESC);

-- Signing keys get generations: the newest signs, all verify. The unique generation makes creating the first key
-- race-free when several nodes start on an empty database. Secrets are sealed by the server on its next start.
ALTER TABLE signing_keys ADD COLUMN generation INTEGER;
UPDATE signing_keys SET generation = (SELECT COUNT(*) FROM signing_keys s
    WHERE s.created_at < signing_keys.created_at OR (s.created_at = signing_keys.created_at AND s.kid <= signing_keys.kid));
ALTER TABLE signing_keys ALTER COLUMN generation SET NOT NULL;
CREATE UNIQUE INDEX signing_keys_generation ON signing_keys (generation);

-- Every object in the blob store, once, whichever repositories link it: layers, configs and manifests' own bytes.
-- A row is written in the transaction that first links the object, after its bytes are stored, so no metadata ever
-- names an object the store does not hold.
CREATE TABLE blobs (
    digest     VARCHAR(80) PRIMARY KEY,
    size       BIGINT NOT NULL,
    media_type VARCHAR(255),                   -- as the first manifest that names it says; null until one does
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
INSERT INTO blobs (digest, size, created_at)
    SELECT digest, MAX(size), MIN(linked_at) FROM repository_blobs GROUP BY digest;
INSERT INTO blobs (digest, size, media_type, created_at)
    SELECT m.digest, MAX(m.size), MAX(m.media_type), MIN(m.created_at) FROM manifests m
    WHERE NOT EXISTS (SELECT 1 FROM blobs b WHERE b.digest = m.digest) GROUP BY m.digest;
ALTER TABLE repository_blobs ADD CONSTRAINT repository_blobs_blob FOREIGN KEY (digest) REFERENCES blobs (digest);
ALTER TABLE manifests ADD CONSTRAINT manifests_blob FOREIGN KEY (digest) REFERENCES blobs (digest);

-- What each manifest refers to, in its order: an image's config and layers, an index's child manifests with their
-- platforms. Filled when the manifest is stored; the next migration fills it for manifests stored before.
CREATE TABLE manifest_references (
    manifest_id           BIGINT NOT NULL REFERENCES manifests (id) ON DELETE CASCADE,
    position              INTEGER NOT NULL,
    kind                  VARCHAR(8) NOT NULL,    -- config, layer or manifest
    digest                VARCHAR(80) NOT NULL,
    size                  BIGINT NOT NULL,
    media_type            VARCHAR(255) NOT NULL,
    platform_os           VARCHAR(64),            -- of an index's child, as the index states it
    platform_architecture VARCHAR(64),
    platform_variant      VARCHAR(64),
    PRIMARY KEY (manifest_id, position)
);
CREATE INDEX manifest_references_digest ON manifest_references (digest);

-- Each manifest's platform (an image's, from its config), its total size (itself, its config and layers; for an
-- index, itself and its children's totals), and when it was last pushed and pulled.
ALTER TABLE manifests ADD COLUMN platform_os VARCHAR(64);
ALTER TABLE manifests ADD COLUMN platform_architecture VARCHAR(64);
ALTER TABLE manifests ADD COLUMN platform_variant VARCHAR(64);
ALTER TABLE manifests ADD COLUMN total_size BIGINT;
ALTER TABLE manifests ADD COLUMN pushed_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE manifests ADD COLUMN pulled_at TIMESTAMP WITH TIME ZONE;
UPDATE manifests SET pushed_at = created_at;
