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
            Instant cutoff = now.minus(WINDOW);
            while (!state.failures.isEmpty() && state.failures.peekFirst().isBefore(cutoff)) {
                state.failures.removeFirst();
            }
            if (state.failures.size() + state.running >= LIMIT) {
                Instant reset = state.failures.isEmpty() ? now.plus(Duration.ofSeconds(1))
                        : state.failures.peekFirst().plus(WINDOW);
                long retryAfter = Math.max(1, Duration.between(now, reset).toSeconds() + 1);
                refused[0] = new DomainException.RateLimited(LIMIT, retryAfter, reset.getEpochSecond() + 1);
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
}
