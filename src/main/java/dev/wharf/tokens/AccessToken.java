package dev.wharf.tokens;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** A personal access token as stored: never the secret, only metadata. */
public record AccessToken(long id, UUID uuid, long ownerId, String label, List<String> scopes, String clientId,
                          String creatorIp, String creatorUa, String generatedBy, boolean active,
                          OffsetDateTime createdAt, OffsetDateTime lastUsed, OffsetDateTime expiresAt) {

    /**
     * The strongest scope this token grants; a higher scope implies the lower ones. Asked on every registry request,
     * so a plain loop over the (at most 16) stored names.
     */
    public Scope scope() {
        Scope highest = Scope.PUBLIC_READ;
        for (String name : scopes) {
            Scope s = Scope.parse(name);
            if (s != null && s.compareTo(highest) > 0) {
                highest = s;
            }
        }
        return highest;
    }

    public boolean isExpired(OffsetDateTime now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }

    /** Whether it authenticates right now: active and not expired. */
    public boolean isUsable(OffsetDateTime now) {
        return active && !isExpired(now);
    }
}
