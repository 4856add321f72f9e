package dev.wharf.testing;

import dev.wharf.config.WharfConfig;
import dev.wharf.server.Wharf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A real Wharf server for tests: loopback only, a free port, a temporary data dir, the chosen database. */
public final class TestServer implements AutoCloseable {
    public static final String ADMIN_PASSWORD = "admin-password-for-tests";
    public static final Map<String, String> ENV = Map.of(Wharf.ADMIN_PASSWORD_ENV, ADMIN_PASSWORD);

    private final Wharf wharf;
    private final Path dataDir;

    private TestServer(Wharf wharf, Path dataDir) {
        this.wharf = wharf;
        this.dataDir = dataDir;
    }

    public static TestServer start(Backend backend) {
        return start(backend, UnaryOperator.identity());
    }

    /** Starts a server; {@code customize} may adjust the configuration (e.g. trusted proxies). */
    public static TestServer start(Backend backend, UnaryOperator<WharfConfig> customize) {
        return start(backend, customize, Clock.systemUTC());
    }

    /** Starts a server on {@code clock} (a {@link ManualClock} lets a test move time). */
    public static TestServer start(Backend backend, UnaryOperator<WharfConfig> customize, Clock clock) {
        try {
            Path dir = Files.createTempDirectory("wharf-test-");
            WharfConfig config = WharfConfig.defaults(dir).toBuilder().bind("127.0.0.1").port(0)
                    .databaseUrl(backend.freshJdbcUrl()).build();
            return new TestServer(Wharf.start(customize.apply(config), System.out, ENV, clock), dir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Restarts on the same data dir and database, as after a process restart. */
    public TestServer restart() {
        WharfConfig config = wharf.config();
        Clock clock = wharf.clock();
        wharf.close();
        return new TestServer(Wharf.start(config.toBuilder().port(0).build(), System.out, ENV, clock), dataDir);
    }

    /**
     * Another node beside this one, as a second process behind a load balancer would be: the same database, data
     * directory (secret key and blobs) and clock, its own port. Closing it leaves this one running.
     */
    public TestServer anotherNode() {
        return new TestServer(Wharf.start(wharf.config().toBuilder().port(0).build(), System.out, ENV, wharf.clock()),
                dataDir);
    }

    public String url() {
        return "http://127.0.0.1:" + wharf.port();
    }

    public int port() {
        return wharf.port();
    }

    public Wharf wharf() {
        return wharf;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Http http() {
        return new Http(url());
    }

    @Override
    public void close() {
        wharf.close();
    }
}
