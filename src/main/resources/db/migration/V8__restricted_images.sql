-- An organization's restricted-images policy (Docker Hub's org settings) and the site admins' verified-publisher
-- mark, kept with the organization's other namespace settings. Unconfigured organizations restrict nothing; when an
-- owner turns the policy on, official and verified-publisher images stay allowed unless they say otherwise, as on Hub.
ALTER TABLE namespace_settings ADD COLUMN restricted_images BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE namespace_settings ADD COLUMN allow_official_images BOOLEAN DEFAULT TRUE NOT NULL;
ALTER TABLE namespace_settings ADD COLUMN allow_verified_publishers BOOLEAN DEFAULT TRUE NOT NULL;
ALTER TABLE namespace_settings ADD COLUMN verified_publisher BOOLEAN DEFAULT FALSE NOT NULL;
