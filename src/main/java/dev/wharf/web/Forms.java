package dev.wharf.web;

import dev.wharf.core.DomainException;
import dev.wharf.core.Timestamps;
import dev.wharf.http.Routed;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** What the pages read from their forms and paths, checked the same way on every page. */
final class Forms {
    /** The lifetimes a new token or robot may have, in days; 0 is none. */
    static final List<Integer> LIFETIMES = List.of(30, 90, 365, 0);

    private Forms() {
    }

    /** One of the values a select offered; anything else is refused on {@code field}. */
    static int choice(String value, List<Integer> offered, String field) {
        try {
            int n = Integer.parseInt(value == null ? "" : value);
            if (offered.contains(n)) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new DomainException.Invalid(field, "Choose one of the offered values.");
    }

    /** The expiry a chosen lifetime gives from now; null for none. */
    static OffsetDateTime expiry(String lifetime, Clock clock) {
        int days = choice(lifetime, LIFETIMES, "lifetime");
        return days == 0 ? null : Timestamps.now(clock).plusDays(days);
    }

    /** The uuid in the path's {@code uuid}; a malformed one names nothing, so it is {@code notFound}. */
    static UUID uuid(Context ctx, String notFound) {
        try {
            return UUID.fromString(Routed.parameter(ctx, "uuid"));
        } catch (IllegalArgumentException e) {
            throw new DomainException.NotFound(notFound);
        }
    }
}
