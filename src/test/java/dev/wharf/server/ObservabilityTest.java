package dev.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.wharf.testing.Backend;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Health, metrics, request ids, and request logs that never carry a secret. */
class ObservabilityTest extends ServerTest {
    @Override
    protected Backend backend() {
        return Backend.H2;
    }

    @Test
    void readyzSaysTheNodeTakesWorkWithoutAskingWhoIsAsking() {
        Http.Response ready = server.http().get("/readyz");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.header("Content-Type")).startsWith("application/json");
        assertThat(ready.json().path("status").asText()).isEqualTo("ok");
        assertThat(ready.json().path("database").asText()).isEqualTo("ok");
        assertThat(ready.json().path("storage").asText()).isEqualTo("ok");
    }

    @Test
    void healthzAndPrometheusMetrics() {
        assertThat(server.http().get("/healthz").status()).isEqualTo(200);
        server.http().get("/v2/access-tokens");
        Http.Response metrics = server.http().get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("Content-Type")).startsWith("text/plain");
        assertThat(metrics.body())
                .contains("http_server_requests_seconds_bucket{method=\"GET\",route=\"/v2/access-tokens\",status=\"401\"")
                .contains("http_server_requests_seconds_count{method=\"GET\",route=\"/healthz\",status=\"200\"}")
                .contains("jvm_memory_used_bytes")
                .contains("jvm_gc_")
                .contains("hikaricp_connections");
    }

    @Test
    void everyResponseCarriesARequestIdAndASafeIncomingIdIsKept() {
        String generated = server.http().get("/healthz").header("X-Request-Id");
        assertThat(generated).matches("[0-9a-f-]{36}");
        assertThat(server.http().header("X-Request-Id", "trace-abc.123").get("/healthz").header("X-Request-Id"))
                .isEqualTo("trace-abc.123");
        String injected = server.http().header("X-Request-Id", "x\" evil=1").get("/healthz").header("X-Request-Id");
        assertThat(injected).doesNotContain("evil");
        assertThat(server.http().get("/no/such/path").header("X-Request-Id")).isNotBlank();
    }

    @Test
    void unknownApiPathsGetAJson404AndOthersTheWebUisPage() {
        Http.Response api = server.http().get("/api/v1/no/such/path");
        assertThat(api.status()).isEqualTo(404);
        assertThat(api.json().get("message").asText()).isEqualTo("not found");
        Http.Response page = server.http().get("/no/such/path");
        assertThat(page.status()).isEqualTo(404);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.body()).contains("<h1>Not found</h1>");
    }

    @Test
    void requestLogsCarryIdsButNoSecretsOrAuthorizationValues() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        root.addAppender(captured);
        try {
            String name = uniqueName("logs");
            String password = "log-me-never-123";
            String session = Sessions.newUser(server, name, password);
            String secret = Sessions.newToken(server, session, "t", "repo:read");
            Sessions.login(server.http(), name, secret);
            server.http().post("/v2/users/login", Map.of("username", name, "password", "wrong-password-xyz"));
            server.http().bearer(session).get("/v2/access-tokens?page=1");
            server.http().bearer(session).post("/v2/access-tokens", "{\"token_label\": \"" + secret + "\"");

            List<String> lines = captured.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("request_id=").contains("status=201")
                    .contains("route=\"/v2/access-tokens\""));
            String all = String.join("\n", lines);
            assertThat(all).doesNotContain(password).doesNotContain(secret).doesNotContain(session)
                    .doesNotContain("wrong-password-xyz").doesNotContain("TestServer.ADMIN_PASSWORD")
                    .doesNotContain(TestServer.ADMIN_PASSWORD).doesNotContain("Bearer");
        } finally {
            root.detachAppender(captured);
        }
    }
}
