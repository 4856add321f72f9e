package dev.wharf.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.db.Database;
import dev.wharf.repositories.ManifestReferencesMigration;
import dev.wharf.storage.FilesystemBlobStore;
import dev.wharf.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The database-backed rate limiter on H2; {@code ClusterPostgresTest} runs it across two nodes on PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RateLimiterTest {
    private final ManualClock clock = new ManualClock();
    @TempDir
    static Path dir;
    private Database database;
    private RateLimiter limiter;

    @BeforeAll
    void open() {
        database = Database.open("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", null,
                new ManifestReferencesMigration(new FilesystemBlobStore(dir.resolve("blobs"))));
        limiter = new RateLimiter(database.jdbi(), "test", 3, Duration.ofMinutes(1), clock);
    }

    @BeforeEach
    void empty() {
        database.jdbi().useHandle(h -> h.execute("DELETE FROM rate_counters"));
    }

    @AfterAll
    void close() {
        database.close();
    }

    private long rows() {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM rate_counters")
                .mapTo(Long.class).one());
    }

    @Test
    void aKeyGetsItsLimitPerWindowAndAFreshWindowWhenItEnds() {
        for (int i = 0; i < 3; i++) {
            limiter.acquire("203.0.113.1");
        }
        assertThatThrownBy(() -> limiter.acquire("203.0.113.1"))
                .isInstanceOfSatisfying(DomainException.RateLimited.class,
                        e -> assertThat(e.retryAfterSeconds()).isBetween(1L, 61L));
        limiter.acquire("203.0.113.2");

        clock.advance(Duration.ofMinutes(1));
        limiter.acquire("203.0.113.1");
        assertThat(rows()).as("the ended window's row is reused").isEqualTo(2);
    }

    @Test
    void aReleasedCallNoLongerCountsAndAResetForgetsTheWindow() {
        for (int i = 0; i < 3; i++) {
            limiter.acquire("k");
        }
        limiter.release("k");
        limiter.acquire("k");
        assertThatThrownBy(() -> limiter.requireRemaining("k")).isInstanceOf(DomainException.RateLimited.class);
        limiter.reset("k");
        limiter.requireRemaining("k");
        limiter.acquire("k");
    }

    @Test
    void countingPastTheLimitLocksTheKeyOut() {
        for (int i = 0; i < 5; i++) {
            limiter.count("k");
        }
        assertThatThrownBy(() -> limiter.acquire("k")).isInstanceOf(DomainException.RateLimited.class);
        assertThatThrownBy(() -> limiter.requireRemaining("k")).isInstanceOf(DomainException.RateLimited.class);
    }

    @Test
    void theCleanupDeletesEndedWindowsOnly() {
        limiter.acquire("old");
        clock.advance(Duration.ofSeconds(30));
        limiter.acquire("new");
        clock.advance(Duration.ofSeconds(31));
        assertThat(limiter.cleanUp()).isEqualTo(1);
        assertThat(rows()).isEqualTo(1);
    }

    @Test
    void parallelCallsOfOneKeyGetExactlyTheLimit() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Callable<Boolean>> calls = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                calls.add(() -> {
                    try {
                        limiter.acquire("burst");
                        return true;
                    } catch (DomainException.RateLimited e) {
                        return false;
                    }
                });
            }
            int admitted = 0;
            for (Future<Boolean> f : pool.invokeAll(calls)) {
                admitted += f.get() ? 1 : 0;
            }
            assertThat(admitted).isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
    }
}
