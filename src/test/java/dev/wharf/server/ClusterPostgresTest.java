package dev.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.config.WharfConfig;
import dev.wharf.db.Invalidations;
import dev.wharf.testing.Backend;
import dev.wharf.testing.Http;
import dev.wharf.testing.ManualClock;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one PostgreSQL database, A (the test's server) and B: what is changed through A holds on B at once.
 * Both run on one manual clock that never moves, so no cache ever lapses by age: when B stops serving something
 * after a change through A, it is because it was told.
 */
class ClusterPostgresTest extends ServerTest {
    private static final String PASSWORD = "password-for-cluster-tests";
    private static final Duration WITHIN = Duration.ofSeconds(1);

    private final ManualClock clock = new ManualClock();
    private TestServer b;

    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }

    @Override
    protected Clock clock() {
        return clock;
    }

    @Override
    protected WharfConfig configure(WharfConfig config) {
        // Loopback is a trusted proxy here, so tests can speak for different client addresses via X-Forwarded-For.
        return config.toBuilder().trustedProxies(List.of("127.0.0.1")).build();
    }

    @BeforeAll
    void startSecondNode() {
        b = server.anotherNode();
    }

    @AfterAll
    void stopSecondNode() {
        if (b != null) {
            b.close();
        }
    }

    /** A new user with a personal access token: their name, the token's uuid and its secret. */
    private record Holder(String name, String session, String uuid, String secret) {
    }

    private Holder holder(String prefix) {
        String name = uniqueName(prefix);
        String session = Sessions.newUser(server, name, PASSWORD);
        Http.Response created = server.http().bearer(session).post("/v2/access-tokens",
                Map.of("token_label", "ci", "scopes", List.of("repo:read")));
        assertThat(created.status()).isEqualTo(201);
        return new Holder(name, session, created.json().get("uuid").asText(), created.json().get("token").asText());
    }

    /** The registry's answer on {@code node} to the holder's token sent as Basic credentials. */
    private static int registry(TestServer node, Holder h) {
        String basic = Base64.getEncoder().encodeToString((h.name() + ":" + h.secret())
                .getBytes(StandardCharsets.UTF_8));
        return node.http().header("Authorization", "Basic " + basic).get("/v2/").status();
    }

    /** The token works on B, twice, so that B has looked it up and holds it in its caches. */
    private void cachedOnB(Holder h) {
        assertThat(registry(b, h)).isEqualTo(200);
        assertThat(registry(b, h)).isEqualTo(200);
    }

    /** Polls until {@code status} answers {@code expected}, and asserts that it did within {@link #WITHIN}. */
    private static void answersWithin(IntSupplier status, int expected) {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        int last;
        do {
            last = status.getAsInt();
            if (last == expected) {
                return;
            }
        } while (System.nanoTime() < deadline);
        assertThat(last).as("answer on node B one second after the change through node A").isEqualTo(expected);
    }

    @Test
    void aTokenRevokedThroughOneNodeIsRefusedByTheOtherWithinASecond() {
        Holder h = holder("rev");
        cachedOnB(h);
        assertThat(server.http().header("PRIVATE-TOKEN", h.secret()).delete("/api/v4/personal_access_tokens/self")
                .status()).isEqualTo(204);
        answersWithin(() -> registry(b, h), 401);
    }

    @Test
    void aTokenDeactivatedThroughOneNodeIsRefusedByTheOtherWithinASecond() {
        Holder h = holder("deact");
        cachedOnB(h);
        assertThat(server.http().bearer(h.session()).patch("/v2/access-tokens/" + h.uuid(),
                Map.of("is_active", false)).status()).isEqualTo(200);
        answersWithin(() -> registry(b, h), 401);
    }

    @Test
    void aTokenDeletedThroughOneNodeIsRefusedByTheOtherWithinASecond() {
        Holder h = holder("del");
        cachedOnB(h);
        assertThat(server.http().bearer(h.session()).delete("/v2/access-tokens/" + h.uuid()).status())
                .isBetween(200, 204);
        answersWithin(() -> registry(b, h), 401);
    }

    @Test
    void aMemberRemovedThroughOneNodeLosesAccessOnTheOther() {
        String org = uniqueName("org");
        String member = uniqueName("mem");
        Http owner = server.http().bearer(Sessions.newUser(server, uniqueName("own"), PASSWORD));
        String memberSession = Sessions.newUser(server, member, PASSWORD);
        assertThat(owner.post("/api/v1/orgs", Map.of("name", org)).status()).isEqualTo(201);
        assertThat(owner.put("/api/v1/orgs/" + org + "/members/" + member, Map.of("role", "member")).status())
                .isEqualTo(200);
        assertThat(owner.post("/v2/namespaces/" + org + "/repositories", Map.of("name", "app", "namespace", org,
                "is_private", true)).status()).isEqualTo(201);
        String repo = "/v2/namespaces/" + org + "/repositories/app";
        Http memberOnB = b.http().bearer(memberSession);
        assertThat(memberOnB.get(repo).status()).isEqualTo(200);
        assertThat(memberOnB.get(repo).status()).isEqualTo(200);

        assertThat(owner.delete("/api/v1/orgs/" + org + "/members/" + member).status()).isBetween(200, 204);
        answersWithin(() -> memberOnB.get(repo).status(), 404);
    }

    @Test
    void aRepositoryMadePrivateThroughOneNodeIsHiddenFromAnonymousReadersOfTheOther() {
        String name = uniqueName("pub");
        Http owner = server.http().bearer(Sessions.newUser(server, name, PASSWORD));
        assertThat(owner.post("/v2/namespaces/" + name + "/repositories", Map.of("name", "app", "namespace", name,
                "is_private", false)).status()).isEqualTo(201);
        String repo = "/v2/namespaces/" + name + "/repositories/app";
        assertThat(b.http().get(repo).status()).isEqualTo(200);
        assertThat(b.http().get(repo).status()).isEqualTo(200);

        assertThat(owner.post("/v2/repositories/" + name + "/app/privacy", Map.of("is_private", true)).status())
                .isEqualTo(200);
        answersWithin(() -> b.http().get(repo).status(), 404);
    }

    @Test
    void theSignInThrottleReachedThroughOneNodeHoldsOnTheOther() {
        String name = uniqueName("brute");
        Sessions.newUser(server, name, PASSWORD);
        Http attackerOnA = server.http().header("X-Forwarded-For", "203.0.113.7");
        for (int i = 0; i < 10; i++) {
            assertThat(attackerOnA.post("/v2/users/login", Map.of("username", name, "password", "guess-" + i))
                    .status()).isEqualTo(401);
        }
        Http attackerOnB = b.http().header("X-Forwarded-For", "203.0.113.7");
        assertThat(attackerOnB.post("/v2/users/login", Map.of("username", name, "password", PASSWORD)).status())
                .isEqualTo(429);
        assertThat(b.http().header("X-Forwarded-For", "198.51.100.23").post("/v2/users/login",
                Map.of("username", name, "password", PASSWORD)).status()).as("another address").isEqualTo(200);
    }

    @Test
    void parallelGuessesSpreadOverBothNodesGetAtMostTenPasswordChecks() throws Exception {
        String name = uniqueName("burst");
        Sessions.newUser(server, name, PASSWORD);
        List<Http> nodes = List.of(server.http().header("X-Forwarded-For", "203.0.113.99"),
                b.http().header("X-Forwarded-For", "203.0.113.99"));
        ExecutorService pool = Executors.newFixedThreadPool(100);
        try {
            List<Callable<Integer>> guesses = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                Http node = nodes.get(i % 2);
                String guess = "parallel-guess-" + i;
                guesses.add(() -> node.post("/v2/users/login", Map.of("username", name, "password", guess))
                        .status());
            }
            Map<Integer, Long> statuses = new TreeMap<>();
            for (Future<Integer> f : pool.invokeAll(guesses)) {
                statuses.merge(f.get(), 1L, Long::sum);
            }
            assertThat(statuses.keySet()).containsOnly(401, 429);
            assertThat(statuses.getOrDefault(401, 0L)).isBetween(1L, 10L);
        } finally {
            pool.shutdownNow();
        }
        for (Http node : nodes) {
            assertThat(node.post("/v2/users/login", Map.of("username", name, "password", PASSWORD)).status())
                    .isEqualTo(429);
        }
    }

    @Test
    void aNodeWhoseListenerConnectionIsCutReconnectsAndHearsOfLaterChanges() throws Exception {
        Invalidations listening = b.wharf().database().invalidations();
        long before = listening.connections();
        int terminated;
        try (Connection c = DriverManager.getConnection(Backend.postgresUrl());
             PreparedStatement s = c.prepareStatement("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                     + " WHERE application_name = ?")) {
            s.setString(1, "wharf-invalidations-" + listening.node());
            terminated = 0;
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    terminated += rs.getBoolean(1) ? 1 : 0;
                }
            }
        }
        assertThat(terminated).isEqualTo(1);
        awaitTrue(() -> listening.connections() > before, Duration.ofSeconds(10));

        Holder h = holder("recon");
        cachedOnB(h);
        assertThat(server.http().header("PRIVATE-TOKEN", h.secret()).delete("/api/v4/personal_access_tokens/self")
                .status()).isEqualTo(204);
        answersWithin(() -> registry(b, h), 401);
    }

    private static void awaitTrue(BooleanSupplier condition, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited %s", within).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
