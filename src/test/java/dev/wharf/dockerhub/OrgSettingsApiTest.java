package dev.wharf.dockerhub;

import static dev.wharf.testing.HubSchema.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code GET|PUT /v2/orgs/{name}/settings}: the restricted-images policy, validated against Docker's spec; members
 * read it, owners change it, everyone else is refused, and every change is audited with the values before and after.
 * The registry's enforcement of the policy is {@code registry.RestrictedImagesTest}'s.
 */
abstract class OrgSettingsApiTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";

    /** An org with its owner's session, plus an editor, a member and an outsider. */
    private record Org(String name, Http owner, Http editor, Http member, Http outsider, String outsiderName) {
        String settings() {
            return "/v2/orgs/" + name + "/settings";
        }
    }

    private Org newOrg() {
        Http owner = server.http().bearer(Sessions.newUser(server, uniqueName("own"), PASSWORD));
        String org = uniqueName("org");
        assertThat(owner.post("/api/v1/orgs", Map.of("name", org)).status()).isEqualTo(201);
        String editor = uniqueName("edi");
        String member = uniqueName("mem");
        String outsider = uniqueName("out");
        Http editorHttp = server.http().bearer(Sessions.newUser(server, editor, PASSWORD));
        Http memberHttp = server.http().bearer(Sessions.newUser(server, member, PASSWORD));
        Http outsiderHttp = server.http().bearer(Sessions.newUser(server, outsider, PASSWORD));
        assertThat(owner.put("/api/v1/orgs/" + org + "/members/" + editor, Map.of("role", "editor")).status())
                .isEqualTo(200);
        assertThat(owner.put("/api/v1/orgs/" + org + "/members/" + member, Map.of("role", "member")).status())
                .isEqualTo(200);
        return new Org(org, owner, editorHttp, memberHttp, outsiderHttp, outsider);
    }

    private static Map<String, Object> policy(boolean enabled, boolean official, boolean verified) {
        Map<String, Object> restricted = new LinkedHashMap<>();
        restricted.put("enabled", enabled);
        restricted.put("allow_official_images", official);
        restricted.put("allow_verified_publishers", verified);
        return Map.of("restricted_images", restricted);
    }

    private static void assertPolicy(Http.Response r, boolean enabled, boolean official, boolean verified) {
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        JsonNode p = r.json().get("restricted_images");
        assertThat(p.get("enabled").asBoolean()).as("enabled of %s", r).isEqualTo(enabled);
        assertThat(p.get("allow_official_images").asBoolean()).as("official of %s", r).isEqualTo(official);
        assertThat(p.get("allow_verified_publishers").asBoolean()).as("verified of %s", r).isEqualTo(verified);
    }

    @Test
    void anUnconfiguredOrgRestrictsNothingAndWouldAllowOfficialAndVerifiedImages() {
        Org org = newOrg();
        assertPolicy(assertValid(org.owner().get(org.settings())), false, true, true);
    }

    @Test
    void theOwnerChangesThePolicyAndEveryMemberReadsIt() {
        Org org = newOrg();
        assertPolicy(assertValid(org.owner().put(org.settings(), policy(true, false, true))), true, false, true);
        for (Http reader : List.of(org.owner(), org.editor(), org.member())) {
            assertPolicy(assertValid(reader.get(org.settings())), true, false, true);
        }
        assertPolicy(assertValid(org.owner().put(org.settings() + "/", policy(false, true, false))), false, true,
                false);
        assertPolicy(assertValid(org.member().get(org.settings() + "/")), false, true, false);
    }

    @Test
    void onlyOwnersMayChangeItAndOnlyMembersMayReadIt() {
        Org org = newOrg();
        for (Http notOwner : List.of(org.editor(), org.member(), org.outsider())) {
            Http.Response put = assertValid(notOwner.put(org.settings(), policy(true, true, true)));
            assertThat(put.status()).as("%s", put).isEqualTo(403);
            assertThat(put.json().get("detail").asText()).contains("owners");
        }
        Http.Response get = assertValid(org.outsider().get(org.settings()));
        assertThat(get.status()).as("%s", get).isEqualTo(403);
        assertPolicy(org.owner().get(org.settings()), false, true, true);
    }

    @Test
    void anonymousCallersAreUnauthenticatedAndUnknownOrgsOrUsersAreNotFound() {
        Org org = newOrg();
        Http anonymous = server.http();
        assertThat(assertValid(anonymous.get(org.settings())).status()).isEqualTo(401);
        assertThat(assertValid(anonymous.put(org.settings(), policy(true, true, true))).status()).isEqualTo(401);
        for (String name : List.of("nosuchorg42", org.outsiderName(), "x", "a".repeat(300), "UPPERCASE", "library")) {
            String path = "/v2/orgs/" + name + "/settings";
            Http.Response get = assertValid(org.owner().get(path));
            assertThat(get.status()).as("%s", get).isEqualTo(404);
            Http.Response put = assertValid(org.owner().put(path, policy(true, true, true)));
            assertThat(put.status()).as("%s", put).isEqualTo(404);
        }
    }

    @Test
    void everyFieldIsARequiredBoolean() {
        Org org = newOrg();
        Map<String, Object> noOfficial = new LinkedHashMap<>();
        noOfficial.put("enabled", true);
        noOfficial.put("allow_verified_publishers", true);
        Map<String, Object> stringly = new LinkedHashMap<>(noOfficial);
        stringly.put("allow_official_images", "true");
        Map<String, Object> numeric = new LinkedHashMap<>(noOfficial);
        numeric.put("allow_official_images", 1);
        Map<String, Object> nulled = new LinkedHashMap<>(noOfficial);
        nulled.put("allow_official_images", null);
        record Case(Object body, String field) {
        }
        List<Case> cases = List.of(
                new Case(Map.of(), "restricted_images"),
                new Case(Map.of("restricted_images", noOfficial), "restricted_images.allow_official_images"),
                new Case(Map.of("restricted_images", Map.of()), "restricted_images.enabled"),
                new Case(Map.of("restricted_images", stringly), "restricted_images"),
                new Case(Map.of("restricted_images", numeric), "restricted_images"),
                new Case(Map.of("restricted_images", nulled), "restricted_images.allow_official_images"),
                new Case(Map.of("restricted_images", true), "restricted_images"),
                new Case("[]", "body"),
                new Case("{\"restricted_images\":", "body"),
                new Case("", "body"));
        for (Case c : cases) {
            Http.Response r = assertValid(org.owner().put(org.settings(), c.body()));
            assertThat(r.status()).as("%s for %s", r, c.body()).isEqualTo(400);
            assertThat(r.json().get("fields").has(c.field())).as("%s for %s", r, c.body()).isTrue();
            assertThat(r.json().get("text").asText()).isNotBlank();
        }
        assertPolicy(org.owner().get(org.settings()), false, true, true);
    }

    @Test
    void aChangeIsAuditedWithTheValuesBeforeAndAfter() {
        Org org = newOrg();
        assertThat(org.owner().put(org.settings(), policy(true, false, true)).status()).isEqualTo(200);
        assertThat(org.owner().put(org.settings(), policy(true, true, false)).status()).isEqualTo(200);
        Http.Response logs = assertValid(org.owner().get("/v2/auditlogs/" + org.name()
                + "?action=org.settings.update"));
        assertThat(logs.status()).as("%s", logs).isEqualTo(200);
        JsonNode entries = logs.json().get("logs");
        assertThat(entries).hasSize(2);
        JsonNode latest = entries.get(0).get("data");
        assertThat(entries.get(0).get("name").asText()).isEqualTo(org.name());
        assertThat(latest.get("enabled").asText()).isEqualTo("true");
        assertThat(latest.get("allow_official_images").asText()).isEqualTo("true");
        assertThat(latest.get("allow_verified_publishers").asText()).isEqualTo("false");
        assertThat(latest.get("previous_enabled").asText()).isEqualTo("true");
        assertThat(latest.get("previous_allow_official_images").asText()).isEqualTo("false");
        assertThat(latest.get("previous_allow_verified_publishers").asText()).isEqualTo("true");
        JsonNode first = entries.get(1).get("data");
        assertThat(first.get("previous_enabled").asText()).isEqualTo("false");
        assertThat(first.get("previous_allow_official_images").asText()).isEqualTo("true");
        assertThat(first.get("enabled").asText()).isEqualTo("true");
    }

    @Test
    void aRobotOfTheOrgNeitherReadsNorChangesTheSettings() {
        Org org = newOrg();
        Http.Response created = org.owner().post("/v2/orgs/" + org.name() + "/access-tokens", Map.of("label", "bot",
                "resources", List.of(Map.of("type", "TYPE_REPO", "path", org.name() + "/app",
                        "scopes", List.of("scope-image-pull")))));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        Http.Response signIn = server.http().post("/v2/auth/token", Map.of("identifier", org.name(),
                "secret", created.json().get("token").asText()));
        assertThat(signIn.status()).as("%s", signIn).isEqualTo(200);
        Http robot = server.http().bearer(signIn.json().get("access_token").asText());
        assertThat(assertValid(robot.get(org.settings())).status()).isEqualTo(403);
        assertThat(assertValid(robot.put(org.settings(), policy(true, true, true))).status()).isEqualTo(403);
    }
}
