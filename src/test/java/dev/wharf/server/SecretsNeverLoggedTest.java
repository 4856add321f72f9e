package dev.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.wharf.testing.Backend;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Every dialect that shows a secret (Hub personal and org tokens, GitLab create and rotate, IONOS tokens) shows it
 * only in its response: no log line, message or stack trace carries a {@code wharf_pat_} or {@code wharf_oat_}
 * secret, not even when the secret then comes back in a header, a bad body or a leak report.
 */
class SecretsNeverLoggedTest extends ServerTest {
    private static final Pattern SECRET = Pattern.compile("wharf_(pat|oat)_[A-Za-z0-9_]+");

    @Override
    protected Backend backend() {
        return Backend.H2;
    }

    @Test
    void noDialectLogsTheSecretsItShows() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        root.addAppender(captured);
        List<String> secrets = new ArrayList<>();
        try {
            Http admin = server.http().bearer(Sessions.adminSession(server));
            Http basic = server.http().header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    ("admin:" + TestServer.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)));
            String org = uniqueName("logorg");
            assertThat(admin.post("/api/v1/orgs", Map.of("name", org)).status()).isEqualTo(201);
            secrets.add(secret(admin.post("/v2/access-tokens", Map.of("token_label", "hub",
                    "scopes", List.of("repo:read")))));
            secrets.add(secret(admin.post("/v2/orgs/" + org + "/access-tokens", Map.of("label", "org",
                    "resources", List.of(Map.of("type", "TYPE_REPO", "path", org + "/*",
                            "scopes", List.of("scope-image-pull")))))));
            Http.Response pat = admin.post("/api/v4/user/personal_access_tokens", Map.of("name", "gl",
                    "scopes", List.of("api")));
            secrets.add(secret(pat));
            secrets.add(secret(admin.post("/api/v4/personal_access_tokens/" + pat.json().path("id").asText()
                    + "/rotate", Map.of())));
            String registry = basic.get("/containerregistries/registries?filter.name=" + org).json()
                    .path("items").path(0).path("id").asText();
            secrets.add(secret(basic.post("/containerregistries/registries/" + registry + "/tokens",
                    Map.of("properties", Map.of("name", "ion", "scopes", List.of(Map.of("name", "app",
                            "type", "repository", "actions", List.of("pull"))))))));
            // The secrets come back where a careless log would pick them up.
            for (String secret : secrets) {
                server.http().header("PRIVATE-TOKEN", secret).get("/api/v4/personal_access_tokens/self");
                server.http().header("PRIVATE-TOKEN", secret).get("/api/v4/nothing?private_token=" + secret);
                admin.post("/api/v4/user/personal_access_tokens", "{\"name\": \"" + secret + "\"");
                basic.post("/containerregistries/registries/" + registry + "/tokens", "{\"properties\":{\"name\":\""
                        + secret + "\",\"scopes\":7}}");
            }
            server.http().post("/api/v1/credentials/revoke", Map.of("credentials", secrets));
        } finally {
            root.detachAppender(captured);
        }
        assertThat(secrets).hasSize(5).allSatisfy(s -> assertThat(s).matches(SECRET));
        String log = String.join("\n", captured.list.stream().map(SecretsNeverLoggedTest::text).toList());
        assertThat(log).contains("status=201").contains("status=202");
        Matcher leaked = SECRET.matcher(log);
        assertThat(leaked.find()).as("a secret in the log: %s", leaked.find(0) ? leaked.group() : "").isFalse();
    }

    /** The one secret a response shows, whatever field it is in. */
    private static String secret(Http.Response r) {
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        Matcher m = SECRET.matcher(r.body());
        assertThat(m.find()).as(r.toString()).isTrue();
        return m.group();
    }

    /** All an event says: its message, arguments, and any stack trace's messages. */
    private static String text(ILoggingEvent event) {
        StringBuilder out = new StringBuilder(event.getFormattedMessage());
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            out.append('\n').append(t.getClassName()).append(": ").append(t.getMessage());
        }
        event.getMDCPropertyMap().forEach((k, v) -> out.append(' ').append(k).append('=').append(v));
        return out.toString();
    }
}
