package dev.wharf.accounts;

import java.time.OffsetDateTime;

/** One user's role in one organization. */
public record Membership(String org, String username, Role role, OffsetDateTime addedAt) {

    /** A membership by identity, as caches key it. */
    record Key(long orgId, long userId) {
    }
}
