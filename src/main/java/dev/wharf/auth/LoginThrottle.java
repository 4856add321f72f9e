package dev.wharf.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.wharf.core.DomainException;
import dev.wharf.core.ShortCache;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Brute-force protection for sign-ins: at most {@link #LIMIT} password checks per username and client address within
 * {@link #WINDOW}, counting the failures of the window and the checks still running. Keying on both means an
 * attacker elsewhere cannot lock the real user out.
 *
 * <p>An attempt is reserved before its password is checked ({@link #begin}), atomically, so a burst of parallel
 * attempts gets at most {@link #LIMIT} checks and 429 for the rest; counting only finished failures let 200
 * concurrent guesses through. State is kept per node, bounded by memory, and only for names that can exist.
 */
public final class LoginThrottle {
    public static final int LIMIT = 10;
    public static final Duration WINDOW = Duration.ofMinutes(5);
    private static final long BUDGET_BYTES = 32L * 1024 * 1024;

    private final Clock clock;
    private final Cache<Key, State> states;

    public LoginThrottle(Clock clock) {
        this.clock = clock;
        this.states = Caffeine.newBuilder()
                .expireAfterAccess(WINDOW)
                .maximumWeight(BUDGET_BYTES)
                .weigher((Key k, State s) -> 120 + ShortCache.bytes(k.username()) + ShortCache.bytes(k.address())
                        + 24 * LIMIT)
                .ticker(ShortCache.ticker(clock))
                .build();
    }

    private record Key(String username, String address) {
    }

    /** Failures within the window, oldest first, and checks under way. Only changed inside the map's compute. */
    private static final class State {
        final Deque<Instant> failures = new ArrayDeque<>();
        int running;
    }

    /** One reserved password check; report how it ended, or close it to release it uncounted. */
    public final class Attempt implements AutoCloseable {
        private final Key key;
        private boolean ended;

        private Attempt(Key key) {
            this.key = key;
        }

        /** The password was right: the failures of this username and address are forgotten. */
        public void succeeded() {
            close();
            states.invalidate(key);
        }

        /** The password was wrong: the attempt counts as a failure for the rest of the window. */
        public void failed() {
            Instant now = clock.instant();
            end(state -> state.failures.addLast(now));
        }

        /** Releases an attempt that neither succeeded nor failed (the check itself broke). */
        @Override
        public void close() {
            end(state -> {
            });
        }

        private void end(java.util.function.Consumer<State> then) {
            if (ended) {
                return;
            }
            ended = true;
            states.asMap().computeIfPresent(key, (k, state) -> {
                state.running = Math.max(0, state.running - 1);
                then.accept(state);
                return state;
            });
        }
    }

    /**
     * Refuses when this username and address have failed {@link #LIMIT} times within the window, without reserving
     * a check: for credentials that cannot be guessed (personal access tokens), which must still not get through a
     * lockout, nor let a client that sends them in parallel be turned away.
     *
     * @throws DomainException.RateLimited when the window's failures reach the limit
     */
    public void checkNotLockedOut(String username, String address) {
        Instant now = clock.instant();
        DomainException.RateLimited[] refused = new DomainException.RateLimited[1];
        states.asMap().computeIfPresent(new Key(username, address), (k, state) -> {
            prune(state, now);
            if (state.failures.size() >= LIMIT) {
                refused[0] = refusal(now, state.failures.peekFirst());
            }
            return state;
        });
        if (refused[0] != null) {
            throw refused[0];
        }
    }

    /** Counts a failure of a credential that was checked without a reservation. */
    public void recordFailure(String username, String address) {
        Instant now = clock.instant();
        states.asMap().compute(new Key(username, address), (k, current) -> {
            State state = current == null ? new State() : current;
            prune(state, now);
            state.failures.addLast(now);
            return state;
        });
    }

    /**
     * Reserves one password check for this username and address.
     *
     * @throws DomainException.RateLimited when the window's failures and the running checks reach the limit
     */
    public Attempt begin(String username, String address) {
        Key key = new Key(username, address);
        Instant now = clock.instant();
        DomainException.RateLimited[] refused = new DomainException.RateLimited[1];
        states.asMap().compute(key, (k, current) -> {
            State state = current == null ? new State() : current;
            prune(state, now);
            if (state.failures.size() + state.running >= LIMIT) {
                refused[0] = refusal(now, state.failures.peekFirst());
            } else {
                state.running++;
            }
            return state;
        });
        if (refused[0] != null) {
            throw refused[0];
        }
        return new Attempt(key);
    }

    private static void prune(State state, Instant now) {
        Instant cutoff = now.minus(WINDOW);
        while (!state.failures.isEmpty() && state.failures.peekFirst().isBefore(cutoff)) {
            state.failures.removeFirst();
        }
    }

    /** The 429 for a key whose oldest counted failure is {@code oldest} (null: only checks are running). */
    private static DomainException.RateLimited refusal(Instant now, Instant oldest) {
        Instant reset = oldest == null ? now.plus(Duration.ofSeconds(1)) : oldest.plus(WINDOW);
        long retryAfter = Math.max(1, Duration.between(now, reset).toSeconds() + 1);
        return new DomainException.RateLimited(LIMIT, retryAfter, reset.getEpochSecond() + 1);
    }
}
