package dev.wharf.credentials;

import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import java.time.Duration;
import java.time.OffsetDateTime;

/**
 * The site's rules for every credential created or rotated, through any dialect: whether it must expire, and how
 * far ahead its expiry may be.
 *
 * @param maxLifetime   the longest time from now to an expiry, or null for no limit
 * @param requireExpiry whether a credential without an expiry is refused
 */
public record CredentialRules(Duration maxLifetime, boolean requireExpiry) {
    /** The longest rotation grace window: long enough to roll a new secret out, short enough to matter. */
    public static final Duration MAX_GRACE = Duration.ofHours(24);

    public static final CredentialRules NONE = new CredentialRules(null, false);

    /** The latest expiry allowed for a credential created at {@code now}, or null when there is no limit. */
    public OffsetDateTime latestExpiry(OffsetDateTime now) {
        return maxLifetime == null ? null : now.plus(maxLifetime);
    }

    /**
     * Refuses an expiry that breaks the rules, as {@link DomainException.Invalid} on the field {@code expires_at}
     * with the reason ({@link Reason#EXPIRY_REQUIRED}, {@link Reason#EXPIRY_TOO_LATE}, {@link Reason#EXPIRY_PAST}),
     * so that each dialect can say it in its own words.
     */
    public void check(OffsetDateTime expiresAt, OffsetDateTime now) {
        if (expiresAt == null) {
            if (requireExpiry) {
                throw new DomainException.Invalid(Reason.EXPIRY_REQUIRED, "expires_at",
                        "An expiry date is required.");
            }
            return;
        }
        if (!expiresAt.isAfter(now)) {
            throw new DomainException.Invalid(Reason.EXPIRY_PAST, "expires_at", "Must be in the future.");
        }
        OffsetDateTime latest = latestExpiry(now);
        if (latest != null && expiresAt.isAfter(latest)) {
            throw new DomainException.Invalid(Reason.EXPIRY_TOO_LATE, "expires_at",
                    "Must be no later than " + latest.toLocalDate() + ".");
        }
    }

    /** Refuses a grace window that is negative or longer than {@link #MAX_GRACE}. */
    public static void checkGrace(Duration grace) {
        if (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
            throw new DomainException.Invalid("grace", "Must be between 0 and 24 hours.");
        }
    }
}
