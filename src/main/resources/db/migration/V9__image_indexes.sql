-- The images API (Hub's "Advanced Image Management") pages a repository's manifests by last activity and by digest,
-- filters them by activity since a time, and finds the tags that ever pointed at a digest. One schema for H2 and
-- PostgreSQL.

-- When a manifest was last pushed or pulled, whichever is later: "active since t" is then one index range, and the
-- ordering by last activity is an index scan. Written with pushed_at (on push) and pulled_at (by the pull counter).
-- The two orderings each have an index that leads with the repository and ends with what a filter reads, so a page
-- is an index scan in either direction. They are descending because H2 scans a descending index both ways but does
-- not reverse an ascending one here; queries order by repository_id first so that H2 sees the index matches.
ALTER TABLE manifests ADD COLUMN last_activity_at TIMESTAMP WITH TIME ZONE;
UPDATE manifests SET last_activity_at = CASE WHEN pulled_at IS NOT NULL AND pulled_at > COALESCE(pushed_at, created_at)
    THEN pulled_at ELSE COALESCE(pushed_at, created_at) END;
ALTER TABLE manifests ALTER COLUMN last_activity_at SET NOT NULL;
CREATE INDEX manifests_activity ON manifests (repository_id DESC, last_activity_at DESC, id DESC);
CREATE INDEX manifests_digest_activity ON manifests (repository_id DESC, digest DESC, last_activity_at DESC);

-- The tags that ever pointed at a digest (an image's tags, current or not), without scanning a repository's history.
CREATE INDEX tag_history_digest ON tag_history (repository_id, digest, tag);
