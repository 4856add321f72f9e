package dev.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.auth.SecretBox;
import dev.wharf.config.WharfConfig;
import dev.wharf.testing.Backend;
import dev.wharf.testing.Http;
import dev.wharf.testing.Sessions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several nodes that start at once on one empty PostgreSQL database race to create the schema, the first admin and
 * the signing key. One of each results, only the node that created the admin prints its password, and a session
 * signed by one node works on the others.
 */
class TwoNodesStartPostgresTest {
    private static final int NODES = 3;

    @TempDir
    Path dir;

    @Test
    void nodesStartingTogetherOnAnEmptyDatabaseAgreeOnOneAdminAndOneKey() throws Exception {
        if (Backend.postgresUrl() == null) {
            System.err.println("SKIPPED " + getClass().getSimpleName() + ": set " + Backend.POSTGRES_ENV);
        }
        Assumptions.assumeTrue(Backend.postgresUrl() != null, Backend.POSTGRES_ENV + " is not set");
        String url = Backend.POSTGRES.freshJdbcUrl();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Map<String, String> env = Map.of(Wharf.ADMIN_PASSWORD_ENV, "admin-password-for-tests",
                SecretBox.ENV, Base64.getEncoder().encodeToString(key));
        List<ByteArrayOutputStream> consoles = new ArrayList<>();
        List<Callable<Wharf>> starts = new ArrayList<>();
        CountDownLatch together = new CountDownLatch(NODES);
        for (int i = 0; i < NODES; i++) {
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            consoles.add(console);
            WharfConfig config = WharfConfig.defaults(dir.resolve("node" + i)).toBuilder().bind("127.0.0.1").port(0)
                    .databaseUrl(url).build();
            starts.add(() -> {
                together.countDown();
                together.await();
                return Wharf.start(config, new PrintStream(console, true, StandardCharsets.UTF_8), env,
                        Clock.systemUTC());
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(NODES);
        List<Wharf> nodes = new ArrayList<>();
        try {
            for (Future<Wharf> f : pool.invokeAll(starts)) {
                nodes.add(f.get());
            }
            long printed = consoles.stream().filter(c -> c.toString(StandardCharsets.UTF_8)
                    .contains("Created the site admin")).count();
            assertThat(printed).isEqualTo(1);
            var jdbi = nodes.get(0).database().jdbi();
            int admins = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM accounts WHERE site_admin")
                    .mapTo(Integer.class).one());
            int keys = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM signing_keys")
                    .mapTo(Integer.class).one());
            assertThat(admins).isEqualTo(1);
            assertThat(keys).isEqualTo(1);

            Http first = new Http("http://127.0.0.1:" + nodes.get(0).port());
            String session = Sessions.login(first, "admin", "admin-password-for-tests");
            for (Wharf node : nodes) {
                Http other = new Http("http://127.0.0.1:" + node.port()).bearer(session);
                assertThat(other.get("/api/v1/users").status()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
            nodes.forEach(Wharf::close);
        }
    }
}
