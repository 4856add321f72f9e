package dev.wharf.testing;

import dev.wharf.config.WharfConfig;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base for tests that need a running server: one server per test class, on the backend the subclass names.
 * PostgreSQL subclasses are skipped, visibly, when {@code WHARF_TEST_POSTGRES_URL} is unset.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ServerTest {
    private static final AtomicInteger NAMES = new AtomicInteger();

    protected TestServer server;

    protected abstract Backend backend();

    /** Override to adjust the server configuration. */
    protected WharfConfig configure(WharfConfig config) {
        return config;
    }

    /** Override to run the server on another clock (a {@link ManualClock} lets a test move time). */
    protected Clock clock() {
        return Clock.systemUTC();
    }

    @BeforeAll
    void startServer() {
        if (backend() == Backend.POSTGRES && Backend.postgresUrl() == null) {
            String message = "SKIPPED " + getClass().getSimpleName() + ": set " + Backend.POSTGRES_ENV
                    + " (e.g. jdbc:postgresql://127.0.0.1:5432/test?user=postgres) to run the PostgreSQL tests";
            System.err.println(message);
            Assumptions.abort(message);
        }
        server = TestServer.start(backend(), this::configure, clock());
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** A fresh valid account name (4-30 lowercase letters and digits) unique in this JVM. */
    protected static String uniqueName(String prefix) {
        return prefix + String.format("%04d", NAMES.incrementAndGet());
    }
}
