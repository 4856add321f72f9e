package dev.wharf.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import dev.wharf.http.ClientGone;
import dev.wharf.http.ErrorMapper;
import dev.wharf.http.HttpError;
import dev.wharf.http.RouteNotFound;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What every dialect's error mapper must do: answer every domain failure, with every reason, and every routing or
 * client failure with a 4xx (or 503/507 for an outage), a body, and no 500; answer anything else with a 500 whose
 * body says nothing of the failure.
 */
public final class ErrorMapperContract {
    private ErrorMapperContract() {
    }

    /** Every failure a mapper can be handed, each with every reason. */
    public static List<Throwable> everyFailure() {
        List<Throwable> all = new ArrayList<>();
        for (Reason r : Reason.values()) {
            all.add(new DomainException.NotFound(r, "not found: " + r));
            all.add(new DomainException.Invalid(r, "invalid: " + r));
            all.add(new DomainException.Conflict(r, "conflict: " + r));
            all.add(new DomainException.TooLarge(r, "too large: " + r, 10));
            all.add(new DomainException.Unavailable(r, "unavailable: " + r, 5));
        }
        all.add(new DomainException.Invalid("field", "bad field"));
        all.add(new DomainException.Forbidden("forbidden"));
        all.add(new DomainException.Unauthenticated("who are you"));
        all.add(new DomainException.RateLimited(10, 30, 1_800_000_000L));
        all.add(new RouteNotFound("GET", "/x", Set.of()));
        all.add(new RouteNotFound("PUT", "/x", Set.of("GET", "HEAD")));
        all.add(new ClientGone(new java.io.EOFException()));
        return all;
    }

    public static void check(ErrorMapper mapper, String path) {
        for (Throwable failure : everyFailure()) {
            HttpError error = mapper.map(path, failure);
            assertThat(error.body()).as("%s", failure).isNotNull();
            if (failure instanceof DomainException.Unavailable) {
                assertThat(error.status()).as("%s", failure).isIn(503, 507);
                assertThat(error.headers()).as("%s", failure).containsKey("Retry-After");
            } else {
                assertThat(error.status()).as("%s", failure).isBetween(400, 499);
            }
            if (failure instanceof RouteNotFound missing && missing.isMethodNotAllowed()) {
                assertThat(error.status()).isEqualTo(405);
                assertThat(error.headers()).containsEntry("Allow", "GET, HEAD");
            }
        }
        HttpError unexpected = mapper.map(path, new IllegalStateException("secret internals at dev.wharf.X"));
        assertThat(unexpected.status()).isEqualTo(500);
        assertThat(String.valueOf(unexpected.body())).doesNotContain("secret internals").doesNotContain("dev.wharf");
    }
}
