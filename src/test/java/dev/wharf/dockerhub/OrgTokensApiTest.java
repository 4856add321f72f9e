package dev.wharf.dockerhub;

import static dev.wharf.testing.HubSchema.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.credentials.Credential;
import dev.wharf.credentials.Resource;
import dev.wharf.repositories.Action;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code /v2/orgs/{name}/access-tokens}: Docker Hub's organization access tokens, validated against Docker's spec,
 * managed by org owners only, translated to Wharf's resources without widening, and signing in as the org.
 */
abstract class OrgTokensApiTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An org with its owner's session, plus a member, an editor and an outsider. */
    private record Org(String name, String ownerName, Http owner, Http member, Http editor, Http outsider) {
        String tokens() {
            return "/v2/orgs/" + name + "/access-tokens";
        }
    }

    private Org newOrg() {
        String ownerName = uniqueName("own");
        Http owner = server.http().bearer(Sessions.newUser(server, ownerName, PASSWORD))
                .header("User-Agent", "wharf-test/1.0");
        String org = uniqueName("org");
        assertThat(owner.post("/api/v1/orgs", Map.of("name", org)).status()).isEqualTo(201);
        List<Http> others = new ArrayList<>();
        for (String role : List.of("member", "editor", "none")) {
            String name = uniqueName("usr");
            others.add(server.http().bearer(Sessions.newUser(server, name, PASSWORD)));
            if (!role.equals("none")) {
                assertThat(owner.put("/api/v1/orgs/" + org + "/members/" + name, Map.of("role", role)).status())
                        .isEqualTo(200);
            }
        }
        return new Org(org, ownerName, owner, others.get(0), others.get(1), others.get(2));
    }

    private static Map<String, Object> resource(String type, String path, String... scopes) {
        return Map.of("type", type, "path", path, "scopes", List.of(scopes));
    }

    private static Map<String, Object> newToken(String label, Object... resources) {
        return Map.of("label", label, "resources", List.of(resources));
    }

    private JsonNode create(Org org, String label, Object... resources) {
        Http.Response r = assertValid(org.owner().post(org.tokens(), newToken(label, resources)));
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        return r.json();
    }

    private Credential stored(String id) {
        return server.wharf().credentials().find(UUID.fromString(id)).orElseThrow();
    }

    @Test
    void createAnswersTheSecretOnceAndEveryLaterResponseOmitsIt() {
        Org org = newOrg();
        String future = OffsetDateTime.now(ZoneOffset.UTC).plusDays(30).withNano(0).toString();
        Http.Response created = assertValid(org.owner().post(org.tokens(), Map.of("label", "CI pipeline",
                "description", "pushes the app", "expires_at", future, "resources", List.of(
                        resource("TYPE_REPO", org.name() + "/app", "scope-image-push"),
                        resource("TYPE_REPO", org.name() + "/*", "scope-image-pull"),
                        resource("TYPE_REPO", "*/*/public", "scope-image-pull"),
                        resource("TYPE_ORG", org.name(), "scope-repository-list")))));
        assertThat(created.status()).isEqualTo(201);
        JsonNode t = created.json();
        List<String> fields = new ArrayList<>();
        t.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("id", "label", "is_active", "created_at", "expires_at", "last_used_at",
                "token", "resources");
        String secret = t.get("token").asText();
        assertThat(secret).matches("wharf_oat_[0-9A-Za-z]{42}");
        assertThat(t.get("label").asText()).isEqualTo("CI pipeline");
        assertThat(t.get("is_active").asBoolean()).isTrue();
        assertThat(t.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
        assertThat(OffsetDateTime.parse(t.get("expires_at").asText()).toInstant())
                .isEqualTo(OffsetDateTime.parse(future).toInstant());
        assertThat(t.get("last_used_at").isNull()).isTrue();
        assertThat(t.get("resources")).hasSize(4);
        assertThat(t.get("resources").get(0).toString()).isEqualTo("{\"type\":\"TYPE_REPO\",\"path\":\""
                + org.name() + "/app\",\"scopes\":[\"scope-image-push\"]}");
        assertThat(t.get("resources").get(3).toString()).isEqualTo("{\"type\":\"TYPE_ORG\",\"path\":\""
                + org.name() + "\",\"scopes\":[\"scope-repository-list\"]}");

        String id = t.get("id").asText();
        Http.Response got = assertValid(org.owner().get(org.tokens() + "/" + id));
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json().has("token")).isFalse();
        assertThat(got.json().get("created_by").asText()).isEqualTo(org.ownerName());
        assertThat(got.json().get("resources")).isEqualTo(t.get("resources"));
        Http.Response list = assertValid(org.owner().get(org.tokens()));
        assertThat(list.json().get("total").asInt()).isEqualTo(1);
        assertThat(list.json().has("count")).isFalse();
        JsonNode item = list.json().get("results").get(0);
        assertThat(item.get("id").asText()).isEqualTo(id);
        assertThat(item.has("token")).isFalse();
        assertThat(item.has("resources")).isFalse();
        for (Http.Response r : List.of(got, list)) {
            assertThat(r.body()).doesNotContain(secret).doesNotContain("wharf_oat_");
        }

        Credential robot = stored(id);
        assertThat(robot.isRobot()).isTrue();
        assertThat(robot.ownerName()).isEqualTo(org.name());
        assertThat(robot.description()).isEqualTo("pushes the app");
        assertThat(robot.creatorUa()).isEqualTo("wharf-test/1.0");
        assertThat(robot.resources()).containsExactly(
                new Resource(Resource.Kind.REPOSITORY, org.name() + "/app", EnumSet.of(Action.PULL, Action.PUSH)),
                new Resource(Resource.Kind.REPOSITORY, org.name() + "/*", EnumSet.of(Action.PULL)),
                new Resource(Resource.Kind.REPOSITORY, "*/*/public", EnumSet.of(Action.PULL)),
                new Resource(Resource.Kind.NAMESPACE, org.name(), EnumSet.of(Action.LIST)));
    }

    @Test
    void imageScopesIncludeTheWeakerOnesAndAreShownAsTheStrongest() {
        Org org = newOrg();
        JsonNode t = create(org, "hierarchy",
                resource("TYPE_REPO", org.name() + "/a", "scope-image-pull", "scope-image-delete"),
                resource("TYPE_ORG", org.name(), "scope-image-pull", "scope-repository-list"));
        assertThat(t.get("resources").get(0).get("scopes").toString()).isEqualTo("[\"scope-image-delete\"]");
        assertThat(t.get("resources").get(1).get("scopes").toString())
                .isEqualTo("[\"scope-image-pull\",\"scope-repository-list\"]");
        assertThat(stored(t.get("id").asText()).resources().get(0).actions())
                .containsExactlyInAnyOrder(Action.PULL, Action.PUSH, Action.DELETE);
        assertThat(stored(t.get("id").asText()).resources().get(1).actions())
                .containsExactlyInAnyOrder(Action.PULL, Action.LIST);
    }

    @Test
    void aResourceMadeElsewhereIsNeverShownWiderThanItIs() {
        Org org = newOrg();
        String id = create(org, "narrow", resource("TYPE_REPO", org.name() + "/a", "scope-image-pull"))
                .get("id").asText();
        // As another dialect may store it: push and delete without pull, which no Hub scope names exactly.
        server.wharf().credentials().update(stored(id), dev.wharf.credentials.Credentials.Change.none().resources(
                List.of(new Resource(Resource.Kind.REPOSITORY, org.name() + "/a",
                        EnumSet.of(Action.PUSH, Action.DELETE)))), dev.wharf.audit.Actor.SYSTEM);
        JsonNode shown = assertValid(org.owner().get(org.tokens() + "/" + id)).json().get("resources").get(0);
        assertThat(shown.get("scopes")).isEmpty();
    }

    @Test
    void badInputIsA400InHubsValueErrorShape() {
        Org org = newOrg();
        String own = org.name() + "/app";
        record Case(Object body, String field) {
        }
        List<Case> cases = new ArrayList<>(List.of(
                new Case("{not json", "body"),
                new Case("[]", "body"),
                new Case(Map.of("label", "x"), "resources"),
                new Case(Map.of("label", "x", "resources", List.of()), "resources"),
                new Case(Map.of("label", "x", "resources", "TYPE_REPO"), "resources"),
                new Case(Map.of("label", "x", "resources", List.of("scope-image-pull")), "resources"),
                new Case(newToken("x", resource("TYPE_TEAM", own, "scope-image-pull")), "resources"),
                new Case(newToken("x", Map.of("type", "TYPE_REPO", "scopes", List.of("scope-image-pull"))),
                        "resources"),
                new Case(newToken("x", resource("TYPE_REPO", own)), "resources"),
                new Case(newToken("x", resource("TYPE_REPO", own, "scope-image-everything")), "resources"),
                new Case(newToken("x", resource("TYPE_REPO", own, "scope-repository-list")), "resources"),
                new Case(newToken("x", resource("TYPE_REPO", "*/*/public", "scope-image-push")), "resources"),
                new Case(newToken("x", resource("TYPE_REPO", "other/app", "scope-image-pull")), "resources"),
                new Case(newToken("x", resource("TYPE_REPO", "*/*", "scope-image-pull")), "resources"),
                new Case(newToken("x", resource("TYPE_REPO", "**", "scope-image-pull")), "resources"),
                new Case(newToken("x", resource("TYPE_REPO", org.name() + "/../x", "scope-image-pull")),
                        "resources"),
                new Case(newToken("x", resource("TYPE_REPO", org.name() + "/../*", "scope-image-pull")),
                        "resources"),
                new Case(newToken("x", resource("TYPE_REPO", org.name() + "/-*", "scope-image-pull")), "resources"),
                new Case(newToken("x", resource("TYPE_ORG", "other", "scope-repository-list")), "resources"),
                new Case(newToken("x", resource("TYPE_REPO", own + "/" + "a".repeat(300), "scope-image-pull")),
                        "resources"),
                new Case(newToken("", resource("TYPE_REPO", own, "scope-image-pull")), "label"),
                new Case(newToken("x".repeat(101), resource("TYPE_REPO", own, "scope-image-pull")), "label"),
                new Case(Map.of("resources", List.of(resource("TYPE_REPO", own, "scope-image-pull"))), "label"),
                new Case(Map.of("label", "x", "description", "d".repeat(256),
                        "resources", List.of(resource("TYPE_REPO", own, "scope-image-pull"))), "description"),
                new Case(Map.of("label", "x", "expires_at", "2020-01-01T00:00:00Z",
                        "resources", List.of(resource("TYPE_REPO", own, "scope-image-pull"))), "expires_at"),
                new Case(Map.of("label", "x", "expires_at", "soon",
                        "resources", List.of(resource("TYPE_REPO", own, "scope-image-pull"))), "expires_at")));
        List<Object> tooMany = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            tooMany.add(resource("TYPE_REPO", own + i, "scope-image-pull"));
        }
        cases.add(new Case(Map.of("label", "x", "resources", tooMany), "resources"));
        List<String> manyScopes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            manyScopes.add("scope-image-pull");
        }
        cases.add(new Case(newToken("x", Map.of("type", "TYPE_REPO", "path", own, "scopes", manyScopes)),
                "resources"));
        for (String unenforceable : HubResources.UNENFORCEABLE) {
            cases.add(new Case(newToken("x", resource("TYPE_REPO", own, "scope-image-pull", unenforceable)),
                    "resources"));
            cases.add(new Case(newToken("x", resource("TYPE_ORG", org.name(), unenforceable)), "resources"));
        }
        for (Case c : cases) {
            Http.Response r = assertValid(org.owner().post(org.tokens(), c.body()));
            assertThat(r.status()).as("%s", c).isEqualTo(400);
            assertThat(r.json().get("fields").has(c.field())).as("%s -> %s", c, r).isTrue();
            assertThat(r.json().get("text").asText()).isNotBlank();
        }
        Http.Response refused = org.owner().post(org.tokens(),
                newToken("x", resource("TYPE_REPO", own, "scope-tag-read")));
        assertThat(refused.json().get("fields").get("resources").get(0).asText())
                .contains("'scope-tag-read' is not supported by Wharf");
        assertThat(assertValid(org.owner().get(org.tokens())).json().get("total").asInt()).isZero();

        String id = create(org, "ok", resource("TYPE_REPO", own, "scope-image-pull")).get("id").asText();
        for (Object body : List.<Object>of("{oops", Map.of("is_active", "yes"), Map.of("label", ""),
                Map.of("resources", List.of()), Map.of("resources", List.of(resource("TYPE_REPO", own, "scope-tag-read"))),
                Map.of("resources", List.of(resource("TYPE_REPO", "other/x", "scope-image-pull"))))) {
            Http.Response r = assertValid(org.owner().patch(org.tokens() + "/" + id, body));
            assertThat(r.status()).as("%s", body).isEqualTo(400);
            assertThat(r.json().has("fields")).isTrue();
        }
        assertThat(stored(id).resources()).containsExactly(
                new Resource(Resource.Kind.REPOSITORY, own, EnumSet.of(Action.PULL)));
    }

    @Test
    void listIsNewestFirstWithTotalAndAbsoluteLinks() {
        Org org = newOrg();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(create(org, "t" + i, resource("TYPE_REPO", org.name() + "/r" + i, "scope-image-pull"))
                    .get("id").asText());
        }
        JsonNode p1 = assertValid(org.owner().get(org.tokens() + "?page_size=2")).json();
        assertThat(p1.get("total").asInt()).isEqualTo(3);
        assertThat(p1.get("previous").isNull()).isTrue();
        assertThat(p1.get("next").asText()).startsWith(server.url() + org.tokens() + "?").contains("page=2")
                .contains("page_size=2");
        assertThat(p1.get("results")).hasSize(2);
        assertThat(p1.get("results").get(0).get("id").asText()).isEqualTo(ids.get(2));
        JsonNode p2 = assertValid(org.owner().get(org.tokens() + "?page=2&page_size=2")).json();
        assertThat(p2.get("next").isNull()).isTrue();
        assertThat(p2.get("previous").asText()).contains("page=1");
        assertThat(p2.get("results").get(0).get("id").asText()).isEqualTo(ids.get(0));
        for (String q : List.of("page=0", "page=x", "page_size=0", "page_size=101")) {
            Http.Response r = assertValid(org.owner().get(org.tokens() + "?" + q));
            assertThat(r.status()).as(q).isEqualTo(400);
            assertThat(r.json().has("fields")).isTrue();
        }
    }

    @Test
    void patchChangesLabelDescriptionResourcesAndTheSwitch() {
        Org org = newOrg();
        JsonNode t = create(org, "before", resource("TYPE_REPO", org.name() + "/a", "scope-image-pull"));
        String id = t.get("id").asText();
        Http.Response r = assertValid(org.owner().patch(org.tokens() + "/" + id, Map.of("label", "after",
                "description", "now pushes", "is_active", false,
                "resources", List.of(resource("TYPE_REPO", org.name() + "/b", "scope-image-push")))));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("label").asText()).isEqualTo("after");
        assertThat(r.json().get("is_active").asBoolean()).isFalse();
        assertThat(r.json().get("created_at").asText()).isEqualTo(t.get("created_at").asText());
        assertThat(r.json().get("resources").toString()).isEqualTo("[{\"type\":\"TYPE_REPO\",\"path\":\""
                + org.name() + "/b\",\"scopes\":[\"scope-image-push\"]}]");
        assertThat(r.json().has("token")).isFalse();
        assertThat(stored(id).description()).isEqualTo("now pushes");

        Http.Response on = assertValid(org.owner().patch(org.tokens() + "/" + id, Map.of("is_active", true)));
        assertThat(on.json().get("is_active").asBoolean()).isTrue();
        assertThat(on.json().get("label").asText()).isEqualTo("after");
        assertThat(on.json().get("resources").get(0).get("path").asText()).isEqualTo(org.name() + "/b");
    }

    @Test
    void deleteIs204AndTheTokenIsGoneAndRevokedForGood() {
        Org org = newOrg();
        JsonNode t = create(org, "doomed", resource("TYPE_REPO", org.name() + "/a", "scope-image-pull"));
        String id = t.get("id").asText();
        String secret = t.get("token").asText();
        assertThat(server.http().post("/v2/auth/token", Map.of("identifier", org.name(), "secret", secret)).status())
                .isEqualTo(200);
        Http.Response deleted = assertValid(org.owner().delete(org.tokens() + "/" + id));
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
        assertThat(stored(id).deleted()).isTrue();
        assertThat(stored(id).revokedAt()).isNotNull();
        assertThat(server.http().post("/v2/auth/token", Map.of("identifier", org.name(), "secret", secret)).status())
                .isEqualTo(401);
        for (Http.Response r : List.of(org.owner().get(org.tokens() + "/" + id),
                org.owner().patch(org.tokens() + "/" + id, Map.of("is_active", true)),
                org.owner().delete(org.tokens() + "/" + id))) {
            assertThat(assertValid(r).status()).as("%s", r).isEqualTo(404);
        }
        assertThat(assertValid(org.owner().get(org.tokens())).json().get("total").asInt()).isZero();
    }

    @Test
    void aTokenRevokedElsewhereStaysInactiveForGood() {
        Org org = newOrg();
        String id = create(org, "revoked", resource("TYPE_REPO", org.name() + "/a", "scope-image-pull"))
                .get("id").asText();
        server.wharf().credentials().revoke(stored(id), false, dev.wharf.audit.Actor.SYSTEM, null);
        Http.Response r = assertValid(org.owner().patch(org.tokens() + "/" + id, Map.of("is_active", true)));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("fields").has("is_active")).isTrue();
        JsonNode listed = assertValid(org.owner().get(org.tokens())).json().get("results").get(0);
        assertThat(listed.get("id").asText()).isEqualTo(id);
        assertThat(listed.get("is_active").asBoolean()).isFalse();
    }

    @Test
    void onlyOwnersMayManageAndOthersGet403() {
        Org org = newOrg();
        JsonNode t = create(org, "owned", resource("TYPE_REPO", org.name() + "/a", "scope-image-pull"));
        String item = org.tokens() + "/" + t.get("id").asText();
        Http robot = server.http().bearer(server.http().post("/v2/auth/token",
                Map.of("identifier", org.name(), "secret", t.get("token").asText())).json().get("access_token").asText());
        String ownerPat = Sessions.newToken(server, Sessions.login(server.http(), org.ownerName(), PASSWORD),
                "repo only", "repo:admin");
        Http patSession = server.http().bearer(Sessions.login(server.http(), org.ownerName(), ownerPat));
        for (Http caller : List.of(org.member(), org.editor(), org.outsider(), robot, patSession)) {
            for (Http.Response r : List.of(caller.get(org.tokens()), caller.get(item),
                    caller.post(org.tokens(), newToken("x", resource("TYPE_REPO", org.name() + "/a",
                            "scope-image-pull"))),
                    caller.patch(item, Map.of("label", "stolen")), caller.delete(item))) {
                assertValid(r);
                assertThat(r.status()).as("%s", r).isEqualTo(403);
                assertThat(r.json().get("detail").asText()).isNotBlank();
            }
        }
        for (Http.Response r : List.of(server.http().get(org.tokens()), server.http().get(item),
                server.http().bearer("garbage").delete(item))) {
            assertThat(assertValid(r).status()).isEqualTo(401);
        }
        assertThat(assertValid(org.owner().get(item)).json().get("label").asText()).isEqualTo("owned");
    }

    @Test
    void unknownOrgsForeignTokensAndMalformedIdsAre404() {
        Org org = newOrg();
        Org other = newOrg();
        String foreign = create(other, "theirs", resource("TYPE_REPO", other.name() + "/a", "scope-image-pull"))
                .get("id").asText();
        for (String path : List.of("/v2/orgs/nosuchorg/access-tokens", "/v2/orgs/" + org.ownerName() + "/access-tokens")) {
            assertThat(assertValid(org.owner().get(path)).status()).as(path).isEqualTo(404);
        }
        for (String id : List.of(foreign, "00000000-0000-0000-0000-000000000000", "not-a-uuid", "%27%20OR%201=1--")) {
            for (Http.Response r : List.of(org.owner().get(org.tokens() + "/" + id),
                    org.owner().patch(org.tokens() + "/" + id, Map.of("label", "stolen")),
                    org.owner().delete(org.tokens() + "/" + id))) {
                assertThat(assertValid(r).status()).as("%s", r).isEqualTo(404);
            }
        }
        assertThat(other.owner().get(other.tokens() + "/" + foreign).json().get("label").asText())
                .isEqualTo("theirs");
    }

    @Test
    void createUpdateAndDeleteAreInTheOrgsAuditLogWithoutTheSecret() {
        Org org = newOrg();
        JsonNode t = create(org, "audited", resource("TYPE_REPO", org.name() + "/a", "scope-image-push"));
        String id = t.get("id").asText();
        org.owner().patch(org.tokens() + "/" + id, Map.of("label", "audited2"));
        org.owner().delete(org.tokens() + "/" + id);
        Http.Response r = assertValid(org.owner().get("/v2/auditlogs/" + org.name()));
        assertThat(r.status()).isEqualTo(200);
        List<String> actions = new ArrayList<>();
        r.json().get("logs").forEach(l -> actions.add(l.get("action").asText()));
        assertThat(actions).startsWith("org.access_token.delete", "org.access_token.update",
                "org.access_token.create");
        JsonNode created = r.json().get("logs").get(2);
        assertThat(created.get("account").asText()).isEqualTo(org.name());
        assertThat(created.get("actor").asText()).isEqualTo(org.ownerName());
        assertThat(created.get("name").asText()).isEqualTo("audited");
        assertThat(created.get("data").get("uuid").asText()).isEqualTo(id);
        assertThat(r.body()).doesNotContain(t.get("token").asText()).doesNotContain("wharf_oat_");
        Http.Response filtered = assertValid(org.owner().get("/v2/auditlogs/" + org.name()
                + "?action=org.access_token.create"));
        assertThat(filtered.json().get("logs")).hasSize(1);
    }

    @Test
    void anOatSignsInWithTheOrgNameOnEverySignInEndpoint() {
        Org org = newOrg();
        String secret = create(org, "signin", resource("TYPE_REPO", org.name() + "/app", "scope-image-push"),
                resource("TYPE_REPO", org.name() + "/lib-*", "scope-image-pull")).get("token").asText();
        Http.Response auth = assertValid(server.http().post("/v2/auth/token",
                Map.of("identifier", org.name(), "secret", secret)));
        assertThat(auth.status()).isEqualTo(200);
        assertThat(auth.json().get("access_token").asText()).isNotBlank();
        Http.Response login = assertValid(server.http().post("/v2/users/login",
                Map.of("username", org.name(), "password", secret)));
        assertThat(login.status()).isEqualTo(200);
        String hubJwt = login.json().get("token").asText();
        assertThat(server.http().bearer(hubJwt).get("/v2/access-tokens").status()).isEqualTo(403);

        // Only the org's name (or <org>+<label>) identifies its robot: never the owner's, nor another account's.
        for (String wrong : List.of(org.ownerName(), "nosuchorg", org.name() + "+other")) {
            assertThat(assertValid(server.http().post("/v2/auth/token",
                    Map.of("identifier", wrong, "secret", secret))).status()).as(wrong).isEqualTo(401);
            assertThat(assertValid(server.http().post("/v2/users/login",
                    Map.of("username", wrong, "password", secret))).status()).as(wrong).isEqualTo(401);
        }

        Map<String, Set<String>> granted = registryGrants(org.name(), secret, "repository:" + org.name()
                + "/app:pull,push,delete", "repository:" + org.name() + "/lib-core:pull,push",
                "repository:" + org.name() + "/secret:pull", "repository:" + org.ownerName() + "/mine:pull");
        assertThat(granted).containsEntry(org.name() + "/app", Set.of("pull", "push"))
                .containsEntry(org.name() + "/lib-core", Set.of("pull"));
        assertThat(granted.getOrDefault(org.name() + "/secret", Set.of())).isEmpty();
        assertThat(granted.getOrDefault(org.ownerName() + "/mine", Set.of())).isEmpty();
        Http.Response refused = server.http().header("Authorization", basic(org.ownerName(), secret))
                .get("/token?service=wharf&scope=repository:" + org.name() + "/app:pull");
        assertThat(refused.status()).isEqualTo(401);
    }

    @Test
    void aDeactivatedOatCannotSignIn() {
        Org org = newOrg();
        JsonNode t = create(org, "switch", resource("TYPE_REPO", org.name() + "/app", "scope-image-pull"));
        org.owner().patch(org.tokens() + "/" + t.get("id").asText(), Map.of("is_active", false));
        assertThat(server.http().post("/v2/auth/token", Map.of("identifier", org.name(), "secret",
                t.get("token").asText())).status()).isEqualTo(401);
        assertThat(server.http().header("Authorization", basic(org.name(), t.get("token").asText()))
                .get("/token?service=wharf&scope=repository:" + org.name() + "/app:pull").status()).isEqualTo(401);
    }

    private static String basic(String user, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    /** What the registry's {@code /token} grants per repository to {@code user:secret} for these scopes. */
    private Map<String, Set<String>> registryGrants(String user, String secret, String... scopes) {
        StringBuilder q = new StringBuilder("/token?service=wharf");
        for (String s : scopes) {
            q.append("&scope=").append(java.net.URLEncoder.encode(s, StandardCharsets.UTF_8));
        }
        Http.Response r = server.http().header("Authorization", basic(user, secret)).get(q.toString());
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        try {
            String jwt = r.json().get("token").asText();
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.", -1)[1]));
            Map<String, Set<String>> out = new TreeMap<>();
            for (JsonNode entry : claims.path("access")) {
                Set<String> actions = new TreeSet<>();
                entry.path("actions").forEach(a -> actions.add(a.asText()));
                out.put(entry.path("name").asText(), actions);
            }
            return out;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
