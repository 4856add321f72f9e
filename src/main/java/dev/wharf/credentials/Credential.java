package dev.wharf.credentials;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * The one credential record every dialect reads: a personal token of a user or a robot of an organization. Never
 * the secret, only what it may do and its state.
 *
 * @param id          stable integer id (GitLab's {@code id})
 * @param uuid        stable uuid (Docker Hub's and IONOS's id)
 * @param ownerName   the owner's account name, for signing in and for display
 * @param scopes      for personal tokens, in the order given
 * @param resources   for robots
 * @param creatorId   who created it; null once that account is deleted
 * @param active      the owner's switch (Hub {@code is_active}, IONOS {@code status}); a revoked one stays inactive
 * @param revokedAt   when it stops (or stopped) working by revocation or rotation; null while it is not revoked
 * @param deleted     deleted through an API that deletes: hidden there, listed as revoked where revoked ones are
 * @param lastUsedIps the last distinct client addresses, most recent last
 */
public record Credential(long id, UUID uuid, long ownerId, String ownerName, Kind kind, String name,
                         String description, List<Scope> scopes, List<Resource> resources, Long creatorId,
                         String creatorName, String creatorIp, String creatorUa, String clientId, String generatedBy,
                         boolean active, OffsetDateTime createdAt, OffsetDateTime expiresAt, OffsetDateTime revokedAt,
                         boolean deleted, Long rotatedFromId, OffsetDateTime lastUsedAt, List<String> lastUsedIps) {

    public enum Kind { PERSONAL, ROBOT }

    public Credential {
        scopes = List.copyOf(scopes);
        resources = List.copyOf(resources);
        lastUsedIps = List.copyOf(lastUsedIps);
    }

    public boolean isRobot() {
        return kind == Kind.ROBOT;
    }

    /** Revoked by now; one in its rotation grace window is not, yet. */
    public boolean isRevoked(OffsetDateTime now) {
        return revokedAt != null && !revokedAt.isAfter(now);
    }

    /** Rotated or revoked, possibly with a grace window still running: it can never be rotated (again). */
    public boolean isRetired() {
        return revokedAt != null;
    }

    public boolean isExpired(OffsetDateTime now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }

    /** Whether it authenticates right now: switched on, not revoked, not expired. */
    public boolean isUsable(OffsetDateTime now) {
        return active && !deleted && !isRevoked(now) && !isExpired(now);
    }

    /** The strongest repository scope of a personal token; null when it has none (robots have resources). */
    public Scope repositoryScope() {
        return Scope.strongestRepository(scopes);
    }

    public boolean has(Scope scope) {
        return scopes.contains(scope);
    }
}
