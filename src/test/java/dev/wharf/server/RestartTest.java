package dev.wharf.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Everything survives a restart: accounts, tokens, the audit log, and the signing key, so sessions stay valid. */
abstract class RestartTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";

    @Test
    void dataAndSessionsOutliveTheProcess() {
        String name = uniqueName("keep");
        String session = Sessions.newUser(server, name, PASSWORD);
        String secret = Sessions.newToken(server, session, "survivor", "repo:write");
        String org = uniqueName("keeporg");
        server.http().bearer(session).post("/api/v1/orgs", Map.of("name", org));

        server = server.restart();

        Http user = server.http().bearer(session);
        assertThat(user.get("/v2/access-tokens").json().get("results").get(0).get("token_label").asText())
                .isEqualTo("survivor");
        assertThat(server.http().post("/v2/users/login", Map.of("username", name, "password", secret)).status())
                .isEqualTo(200);
        assertThat(server.http().post("/v2/users/login", Map.of("username", name, "password", PASSWORD)).status())
                .isEqualTo(200);
        assertThat(user.get("/v2/auditlogs/" + org).json().get("logs")).hasSize(2);
        assertThat(user.get("/v2/auditlogs/" + name).json().get("logs").size()).isEqualTo(2);
        assertThat(server.http().bearer(Sessions.adminSession(server)).get("/api/v1/users").json().get("results")
                .findValuesAsText("username")).contains(name, "admin");
        assertThat(List.of(server.http().get("/healthz").status())).containsExactly(200);
    }
}
