package dev.wharf.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.config.WharfConfig;
import dev.wharf.testing.Backend;
import dev.wharf.testing.Http;
import dev.wharf.testing.ManualClock;
import dev.wharf.testing.TcpProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The metadata database goes away mid-run (its connections are cut at a TCP proxy) and comes back. While it is away,
 * every dialect answers 503 in its own shape with {@code Retry-After}, bookkeeping that rides on a request cannot fail
 * that request, and {@code /healthz} says what is broken; once it is back, everything works again without a restart.
 * PostgreSQL only: the embedded H2 database has no connection to cut.
 */
class OutagePostgresTest extends RegistryTestBase {
    private static final Pattern HOST_PORT = Pattern.compile("(jdbc:postgresql://)([^/:]+)(?::(\\d+))?/");

    private final ManualClock clock = new ManualClock();
    private TcpProxy proxy;

    @Override
    protected Backend backend() {
        return Backend.POSTGRES;
    }

    @Override
    protected Clock clock() {
        // The clock stands still, so the one-second caches that a pull rides on stay warm during the outage.
        return clock;
    }

    @Override
    protected WharfConfig configure(WharfConfig config) {
        Matcher m = HOST_PORT.matcher(config.databaseUrl());
        assertThat(m.find()).as(config.databaseUrl()).isTrue();
        try {
            proxy = new TcpProxy(m.group(2), m.group(3) == null ? 5432 : Integer.parseInt(m.group(3)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return config.toBuilder().databaseUrl(m.replaceFirst("$1127.0.0.1:" + proxy.port() + "/")).build();
    }

    @AfterAll
    void closeProxy() throws IOException {
        stopServer(); // before its database goes away for good
        if (proxy != null) {
            proxy.close();
        }
    }

    @Test
    void everyDialectAnswers503InItsShapeAndRecoversWhenTheDatabaseReturns() throws Exception {
        pushImage(alice(), "alice/outage", "v1", 1);
        Http session = hub().bearer(aliceSession);
        Http adminApi = hub().bearer(dev.wharf.testing.Sessions.adminSession(server));
        assertThat(alice().head("/v2/alice/outage/manifests/v1").status()).isEqualTo(200);

        proxy.cut();
        try {
            // A pull the caches can serve still works: the pull count it records is written later, or not at all.
            RegistryClient.Res pull = alice().get("/v2/alice/outage/manifests/v1");
            assertThat(pull.status()).as(pull.toString()).isEqualTo(200);

            Http.Response hub = session.get("/v2/access-tokens");
            assertThat(hub.status()).isEqualTo(503);
            assertThat(hub.header("Retry-After")).isNotNull();
            assertThat(hub.json().path("detail").asText()).contains("database");
            Http.Response audit = session.get("/v2/auditlogs/alice");
            assertThat(audit.status()).isEqualTo(503);
            assertThat(audit.json().path("code").asInt()).isEqualTo(14);
            RegistryClient.Res registry = alice().get("/v2/alice/outage/tags/list");
            assertThat(registry.status()).isEqualTo(503);
            assertThat(registry.code()).isEqualTo("UNAVAILABLE");
            assertThat(registry.header("Retry-After")).isNotNull();
            Http.Response admin = adminApi.get("/api/v1/users");
            assertThat(admin.status()).isEqualTo(503);
            assertThat(admin.json().has("errinfo")).isTrue();
            assertThat(admin.header("Retry-After")).isNotNull();
            clock.advance(java.time.Duration.ofSeconds(2)); // past the health check's own one-second memory
            Http.Response health = hub().get("/healthz");
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.json().path("database").asText()).isEqualTo("unreachable");
            Http.Response ready = hub().get("/readyz");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.json().path("status").asText()).isEqualTo("unavailable");
            assertThat(ready.json().path("database").asText()).isEqualTo("unreachable");
        } finally {
            proxy.restore();
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int status = 0;
        while (System.nanoTime() < deadline && (status = session.get("/v2/access-tokens").status()) != 200) {
            Thread.sleep(200);
        }
        assertThat(status).as("the Hub after the database came back").isEqualTo(200);
        assertThat(alice().get("/v2/alice/outage/tags/list").status()).isEqualTo(200);
        assertThat(adminApi.get("/api/v1/users").status()).isEqualTo(200);
        pushImage(alice(), "alice/outage", "v2", 1);
        clock.advance(java.time.Duration.ofSeconds(2));
        assertThat(hub().get("/healthz").status()).isEqualTo(200);
        assertThat(hub().get("/readyz").status()).isEqualTo(200);
    }
}
