package dev.wharf.auth;

import dev.wharf.core.DomainException;
import dev.wharf.core.RateLimiter;
import java.time.Clock;
import java.time.Duration;
import org.jdbi.v3.core.Jdbi;

/**
 * Brute-force protection for sign-ins: at most {@link #LIMIT} password checks per username and client address within
 * a {@link #WINDOW} that opens with the first, of which a right password forgets the count. Keying on both means an
 * attacker elsewhere cannot lock the real user out.
 *
 * <p>An attempt is counted before its password is checked ({@link #begin}), in the statement that decides whether it
 * fits, so a burst of parallel attempts gets at most {@link #LIMIT} checks and 429 for the rest; counting only
 * finished failures let 200 concurrent guesses through. The count is in the database (see {@link RateLimiter}), so
 * it holds across every node: spreading guesses over nodes gains nothing.
 */
public final class LoginThrottle {
    public static final int LIMIT = 10;
    public static final Duration WINDOW = Duration.ofMinutes(5);

    private final RateLimiter attempts;

    public LoginThrottle(Jdbi jdbi, Clock clock) {
        this.attempts = new RateLimiter(jdbi, "sign-in", LIMIT, WINDOW, clock);
    }

    private static String key(String username, String address) {
        return username + "\n" + address;
    }

    /** One counted password check; report how it ended, or close it to take it back uncounted. */
    public final class Attempt implements AutoCloseable {
        private final String key;
        private boolean ended;

        private Attempt(String key) {
            this.key = key;
        }

        /** The password was right: the count of this username and address is forgotten. */
        public void succeeded() {
            ended = true;
            attempts.reset(key);
        }

        /** The password was wrong: the attempt stays counted for the rest of the window. */
        public void failed() {
            ended = true;
        }

        /** Takes back an attempt that neither succeeded nor failed (the check itself broke). */
        @Override
        public void close() {
            if (!ended) {
                ended = true;
                attempts.release(key);
            }
        }
    }

    /**
     * Refuses when this username and address have used up the window, without counting: for credentials that
     * cannot be guessed (personal access tokens), which must still not get through a lockout, nor let a client that
     * sends them in parallel be turned away.
     *
     * @throws DomainException.RateLimited when the window's count reached the limit
     */
    public void checkNotLockedOut(String username, String address) {
        attempts.requireRemaining(key(username, address));
    }

    /** Counts a failure of a credential that was checked without {@link #begin}. */
    public void recordFailure(String username, String address) {
        attempts.count(key(username, address));
    }

    /**
     * Counts one password check for this username and address.
     *
     * @throws DomainException.RateLimited when the window's count reached the limit
     */
    public Attempt begin(String username, String address) {
        String key = key(username, address);
        attempts.acquire(key);
        return new Attempt(key);
    }
}
