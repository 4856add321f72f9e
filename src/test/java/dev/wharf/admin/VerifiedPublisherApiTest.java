package dev.wharf.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code PUT|DELETE /api/v1/namespaces/{name}/verified-publisher}: site admins mark organizations as verified
 * publishers (what restricted-images policies may allow), audited in the organization's log.
 */
abstract class VerifiedPublisherApiTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";

    private Http admin() {
        return server.http().bearer(Sessions.adminSession(server));
    }

    private static String mark(String name) {
        return "/api/v1/namespaces/" + name + "/verified-publisher";
    }

    @Test
    void aSiteAdminMarksAndUnmarksAnOrganizationAndEachChangeIsAudited() {
        String ownerName = uniqueName("own");
        Http owner = server.http().bearer(Sessions.newUser(server, ownerName, PASSWORD));
        String org = uniqueName("pub");
        assertThat(owner.post("/api/v1/orgs", Map.of("name", org)).status()).isEqualTo(201);

        Http.Response marked = admin().put(mark(org), null);
        assertThat(marked.status()).as("%s", marked).isEqualTo(200);
        assertThat(marked.json().get("name").asText()).isEqualTo(org);
        assertThat(marked.json().get("verified_publisher").asBoolean()).isTrue();
        assertThat(admin().put(mark(org) + "/", null).status()).as("again, and with the slash").isEqualTo(200);
        assertThat(admin().delete(mark(org)).status()).isEqualTo(204);
        assertThat(admin().delete(mark(org)).status()).as("already unmarked").isEqualTo(204);

        Http.Response logs = owner.get("/v2/auditlogs/" + org + "?action=org.verified_publisher.change");
        assertThat(logs.status()).as("%s", logs).isEqualTo(200);
        List<String> changes = logs.json().get("logs").findValues("data").stream()
                .map(d -> d.get("verified_publisher").asText()).toList();
        assertThat(changes).as("newest first, one per change").containsExactly("false", "true");
        JsonNode latest = logs.json().get("logs").get(0);
        assertThat(latest.get("actor").asText()).isEqualTo("admin");
        assertThat(latest.get("name").asText()).isEqualTo(org);
    }

    @Test
    void onlySiteAdminsMayAndOnlyOrganizationsCanBeMarked() {
        String ownerName = uniqueName("own");
        String ownerSession = Sessions.newUser(server, ownerName, PASSWORD);
        Http owner = server.http().bearer(ownerSession);
        String org = uniqueName("pub");
        assertThat(owner.post("/api/v1/orgs", Map.of("name", org)).status()).isEqualTo(201);

        Http.Response byOwner = owner.put(mark(org), null);
        assertThat(byOwner.status()).as("not even the org's owner: %s", byOwner).isEqualTo(403);
        assertThat(byOwner.json().get("message").asText()).isNotBlank();
        assertThat(owner.delete(mark(org)).status()).isEqualTo(403);
        assertThat(server.http().put(mark(org), null).status()).isEqualTo(401);
        String adminPat = Sessions.newToken(server, Sessions.adminSession(server), "admin-pat", "repo:admin");
        Http.Response viaToken = server.http().post("/v2/auth/token",
                Map.of("identifier", "admin", "secret", adminPat));
        assertThat(server.http().bearer(viaToken.json().get("access_token").asText()).put(mark(org), null)
                .status()).as("a token-derived session").isEqualTo(403);

        for (String notAnOrg : List.of(ownerName, "nosuchorg42", "library", "x", "a".repeat(300))) {
            Http.Response r = admin().put(mark(notAnOrg), null);
            assertThat(r.status()).as("%s", r).isEqualTo(404);
            assertThat(r.json().get("message").asText()).isNotBlank();
        }
    }
}
