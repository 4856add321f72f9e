package dev.wharf.credentials;

import dev.wharf.core.Timestamps;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Warnings before credentials expire: one {@link #DAYS 7 days} before and one 1 day before, each sent once across
 * every node, for any credential, personal or robot, that works and has not been retired. Which warnings are due is
 * decided here; how they reach anyone is the {@link Recipient}'s business.
 *
 * <p>A warning is claimed before it is sent, by a conditional update of {@code credentials.expiry_warned_days}, so
 * two nodes never both send it; a delivery that fails gives the claim back, and the next run tries again. A new
 * expiry clears the claims (see {@link Credentials#update}).
 */
public final class ExpiryWarnings {
    /** How many days before its expiry a credential is warned about, farthest first. */
    public static final List<Integer> DAYS = List.of(7, 1);
    /** Warnings sent per run at most, soonest expiry first; the rest wait for the next run. */
    private static final int BATCH = 500;
    /** The credentials warnings are about: they work now, and nobody has revoked or rotated them. */
    private static final String WATCHED = CredentialRows.USABLE + " AND c.revoked_at IS NULL";

    private final Jdbi jdbi;
    private final Clock clock;

    public ExpiryWarnings(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /**
     * One warning.
     *
     * @param days     the warning's distance to the expiry: one of {@link #DAYS}
     * @param daysLeft whole days left until the expiry, rounded up (a credential created 3 days before its expiry
     *                 gets the 7-day warning with 3 days left)
     */
    public record Warning(Credential credential, int days, long daysLeft) {
    }

    /** Whoever gets the warnings. */
    @FunctionalInterface
    public interface Recipient {
        /** Delivers one warning; false when it did not get through, to be tried again on the next run. */
        boolean deliver(Warning warning);
    }

    /** How many credentials that work and are not retired expire within the farthest warning's days. */
    public long expiringSoon() {
        OffsetDateTime now = Timestamps.now(clock);
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM credentials c WHERE " + WATCHED
                        + " AND c.expires_at <= :soon")
                .bind("now", now).bind("soon", now.plusDays(DAYS.get(0))).mapTo(Long.class).one());
    }

    /**
     * Sends the warnings that are due, each claimed first. Stops at the first that does not get through (the
     * recipient is likely down: the rest would only wait for the same timeout) and gives its claim back.
     *
     * @return how many were delivered
     */
    public int send(Recipient recipient) {
        int delivered = 0;
        for (int i = 0; i < DAYS.size(); i++) {
            int days = DAYS.get(i);
            int nearer = i + 1 < DAYS.size() ? DAYS.get(i + 1) : 0;
            for (Credential c : due(days, nearer)) {
                Optional<Claim> claimed = claim(c, days);
                if (claimed.isEmpty()) {
                    continue;
                }
                Warning warning = new Warning(c, days, daysLeft(c, Timestamps.now(clock)));
                boolean ok;
                try {
                    ok = recipient.deliver(warning);
                } catch (RuntimeException e) {
                    ok = false;
                }
                if (!ok) {
                    release(c, days, claimed.get());
                    return delivered;
                }
                delivered++;
            }
        }
        return delivered;
    }

    /**
     * The credentials due the {@code days} warning: expiring within {@code days} but not within {@code nearer} (those
     * get the nearer warning instead), and not warned at {@code days} or nearer yet.
     */
    private List<Credential> due(int days, int nearer) {
        OffsetDateTime now = Timestamps.now(clock);
        return jdbi.withHandle(h -> CredentialRows.list(h.createQuery(CredentialRows.SELECT + " WHERE " + WATCHED
                        + " AND c.expires_at <= :horizon AND c.expires_at > :nearer"
                        + " AND (c.expiry_warned_days IS NULL OR c.expiry_warned_days > :days)"
                        + " ORDER BY c.expires_at, c.id LIMIT :batch")
                .bind("now", now).bind("horizon", now.plusDays(days)).bind("nearer", now.plusDays(nearer))
                .bind("days", days).bind("batch", BATCH), h));
    }

    /** A claimed warning, with the smallest days warned before it (null: none), to give back on failure. */
    private record Claim(Integer before) {
    }

    /** Claims the {@code days} warning of {@code c} if nobody has and it is still due (same expiry, still watched). */
    private Optional<Claim> claim(Credential c, int days) {
        OffsetDateTime now = Timestamps.now(clock);
        return jdbi.inTransaction(h -> {
            Optional<Claim> row = h.createQuery("SELECT c.expiry_warned_days FROM credentials c"
                            + " WHERE c.id = :id AND c.expires_at = :exp AND " + WATCHED + " FOR UPDATE")
                    .bind("id", c.id()).bind("exp", c.expiresAt()).bind("now", now)
                    .map((rs, ctx) -> {
                        int value = rs.getInt(1);
                        return new Claim(rs.wasNull() ? null : value);
                    })
                    .findOne();
            if (row.isEmpty() || (row.get().before() != null && row.get().before() <= days)) {
                return Optional.<Claim>empty();
            }
            h.createUpdate("UPDATE credentials SET expiry_warned_days = :days WHERE id = :id")
                    .bind("days", days).bind("id", c.id()).execute();
            return row;
        });
    }

    /** Gives back a claim whose warning did not get through, unless the row has changed since. */
    private void release(Credential c, int days, Claim claim) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE credentials SET expiry_warned_days = :before"
                        + " WHERE id = :id AND expiry_warned_days = :days")
                .bind("before", claim.before()).bind("id", c.id()).bind("days", days).execute());
    }

    private static long daysLeft(Credential c, OffsetDateTime now) {
        long seconds = Math.max(0, Duration.between(now, c.expiresAt()).toSeconds());
        return (seconds + Duration.ofDays(1).toSeconds() - 1) / Duration.ofDays(1).toSeconds();
    }
}
