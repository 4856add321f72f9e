package dev.wharf.ionos;

import static dev.wharf.testing.IonosSchema.assertErrorBody;
import static dev.wharf.testing.IonosSchema.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.accounts.Account;
import dev.wharf.credentials.Credentials;
import dev.wharf.credentials.Scope;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code /containerregistries}: IONOS's fields, codes and error bodies over real HTTP, every response validated
 * against IONOS's OpenAPI file.
 */
abstract class IonosApiTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final String BASE = "/containerregistries";

    /** A new user, signed in with Basic and their password. */
    private record User(String name, Http http) {
    }

    private User newUser() {
        String name = uniqueName("ion");
        Sessions.newUser(server, name, PASSWORD);
        return new User(name, basic(name, PASSWORD));
    }

    private Http basic(String user, String secret) {
        return server.http().header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8)));
    }

    private static Map<String, Object> registryBody(String name) {
        return Map.of("properties", Map.of("name", name, "location", "local"));
    }

    /** Creates a registry and returns its JSON. */
    private JsonNode newRegistry(Http http) {
        Http.Response r = assertValid(http.post(BASE + "/registries", registryBody(uniqueName("reg"))));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    private static Map<String, Object> scope(String name, String type, String... actions) {
        return Map.of("name", name, "type", type, "actions", List.of(actions));
    }

    private static Map<String, Object> tokenBody(String name, Object... scopes) {
        return Map.of("properties", Map.of("name", name, "scopes", List.of(scopes)));
    }

    private static String tokens(JsonNode registry) {
        return BASE + "/registries/" + registry.get("id").asText() + "/tokens";
    }

    private Http.Response createToken(Http http, JsonNode registry, String name) {
        return assertValid(http.post(tokens(registry), tokenBody(name, scope("app", "repository", "pull"))));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    @Test
    void locationsListThisServer() {
        Http.Response r = assertValid(newUser().http().get(BASE + "/locations"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("items")).hasSize(1);
        assertThat(r.json().get("items").get(0).get("id").asText()).isEqualTo("local");
    }

    @Test
    void namesAreValidatedAndReportedTakenOrFree() {
        User user = newUser();
        assertThat(assertValid(user.http().send("HEAD", BASE + "/names/" + uniqueName("free"), null)).status())
                .isEqualTo(404);
        assertThat(assertValid(user.http().send("HEAD", BASE + "/names/" + user.name(), null)).status())
                .isEqualTo(200);
        String registry = newRegistry(user.http()).get("properties").get("name").asText();
        assertThat(user.http().send("HEAD", BASE + "/names/" + registry, null).status()).isEqualTo(200);
        for (String bad : new String[] {"ab", "1abc", "Abcd", "abc-", "my-registry", "registry", "x".repeat(64)}) {
            assertThat(assertValid(user.http().send("HEAD", BASE + "/names/" + bad, null)).status()).as(bad)
                    .isEqualTo(400);
        }
    }

    // ------------------------------------------------------------------------------------------------ registries

    @Test
    void aRegistryIsAnOrganizationTheCallerOwns() {
        User user = newUser();
        String name = uniqueName("reg");
        Http.Response created = assertValid(user.http().post(BASE + "/registries", registryBody(name)));
        assertThat(created.status()).isEqualTo(201);
        JsonNode r = created.json();
        String id = r.get("id").asText();
        assertThat(created.header("Location")).isEqualTo(server.url() + BASE + "/registries/" + id);
        assertThat(r.get("type").asText()).isEqualTo("registry");
        assertThat(r.get("href").asText()).isEqualTo(created.header("Location"));
        assertThat(r.get("metadata").get("createdBy").asText()).isEqualTo(user.name());
        assertThat(r.get("metadata").get("createdByUserId").asText())
                .isEqualTo(server.wharf().accounts().user(user.name()).uuid().toString());
        assertThat(r.get("metadata").get("state").asText()).isEqualTo("RUNNING");
        JsonNode p = r.get("properties");
        assertThat(p.get("name").asText()).isEqualTo(name);
        assertThat(p.get("location").asText()).isEqualTo("local");
        assertThat(p.get("hostname").asText()).isEqualTo("127.0.0.1:" + server.port());
        assertThat(p.get("storageUsage").get("bytes").asLong()).isZero();
        assertThat(p.get("garbageCollectionSchedule").isNull()).isTrue();
        assertThat(p.get("apiSubnetAllowList")).isEmpty();

        Account org = server.wharf().accounts().org(name);
        assertThat(org.uuid().toString()).isEqualTo(id);
        assertThat(server.wharf().accounts().roleOf(org.id(), server.wharf().accounts().user(user.name()).id()))
                .hasValue(dev.wharf.accounts.Role.OWNER);
        Http.Response got = assertValid(user.http().get(BASE + "/registries/" + id));
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json().get("properties").get("name").asText()).isEqualTo(name);
        Http.Response list = assertValid(user.http().get(BASE + "/registries"));
        assertThat(list.json().get("items")).extracting(i -> i.get("id").asText()).containsExactly(id);

        // Another user sees nothing of it.
        User other = newUser();
        assertThat(assertValid(other.http().get(BASE + "/registries/" + id)).status()).isEqualTo(404);
        assertThat(assertValid(other.http().get(BASE + "/registries")).json().get("items")).isEmpty();
        assertThat(assertValid(other.http().delete(BASE + "/registries/" + id)).status()).isEqualTo(404);
        assertThat(assertValid(other.http().get(tokens(r))).status()).isEqualTo(404);
        // A name that is taken is a conflict.
        Http.Response taken = assertValid(other.http().post(BASE + "/registries", registryBody(name)));
        assertThat(taken.status()).isEqualTo(409);
    }

    @Test
    void settingsArePatchedReplacedAndKept() {
        User user = newUser();
        JsonNode r = newRegistry(user.http());
        String path = BASE + "/registries/" + r.get("id").asText();
        Map<String, Object> schedule = Map.of("days", List.of("Monday", "Friday"), "time", "01:23:00+00:00");
        Http.Response patched = assertValid(user.http().patch(path, Map.of("garbageCollectionSchedule", schedule,
                "apiSubnetAllowList", List.of("10.0.0.0/8", "2001:db8::/32"))));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        JsonNode p = patched.json().get("properties");
        assertThat(p.get("garbageCollectionSchedule").get("days")).extracting(JsonNode::asText)
                .containsExactly("Monday", "Friday");
        assertThat(p.get("garbageCollectionSchedule").get("time").asText()).isEqualTo("01:23:00+00:00");
        assertThat(p.get("apiSubnetAllowList")).extracting(JsonNode::asText)
                .containsExactly("10.0.0.0/8", "2001:db8::/32");
        assertThat(patched.json().get("metadata").get("lastModifiedBy").asText()).isEqualTo(user.name());
        // An absent field is kept, an explicit null clears; times are converted to UTC.
        JsonNode kept = assertValid(user.http().patch(path, Map.of("garbageCollectionSchedule",
                Map.of("days", List.of("Sunday"), "time", "03:00:00+02:00")))).json().get("properties");
        assertThat(kept.get("apiSubnetAllowList")).hasSize(2);
        assertThat(kept.get("garbageCollectionSchedule").get("time").asText()).isEqualTo("01:00:00+00:00");
        JsonNode cleared = assertValid(user.http().patch(path, "{\"garbageCollectionSchedule\": null,"
                + " \"apiSubnetAllowList\": null}")).json().get("properties");
        assertThat(cleared.get("garbageCollectionSchedule").isNull()).isTrue();
        assertThat(cleared.get("apiSubnetAllowList")).isEmpty();
        Account org = server.wharf().accounts().org(r.get("properties").get("name").asText());
        assertThat(server.wharf().namespaces().get(org.id()).gcSchedule()).isNull();

        // PUT replaces the settings; the name cannot change.
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("name", r.get("properties").get("name").asText());
        props.put("location", "local");
        props.put("garbageCollectionSchedule", schedule);
        Http.Response put = assertValid(user.http().put(path, Map.of("properties", props)));
        assertThat(put.status()).isEqualTo(201);
        assertThat(put.header("Location")).endsWith(path);
        assertThat(server.wharf().namespaces().get(org.id()).gcSchedule().days()).hasSize(2);
        props.put("name", uniqueName("renamed"));
        assertThat(assertValid(user.http().put(path, Map.of("properties", props))).status()).isEqualTo(400);
    }

    @Test
    void putCreatesARegistryWithTheClientsIdAndDeleteRemovesIt() {
        User user = newUser();
        String id = UUID.randomUUID().toString();
        String name = uniqueName("put");
        Http.Response created = assertValid(user.http().put(BASE + "/registries/" + id, registryBody(name)));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("id").asText()).isEqualTo(id);
        assertThat(server.wharf().accounts().org(name).uuid().toString()).isEqualTo(id);
        // Someone else's id cannot be taken over.
        assertThat(assertValid(newUser().http().put(BASE + "/registries/" + id, registryBody(uniqueName("x"))))
                .status()).isEqualTo(409);
        String secret = createToken(user.http(), created.json(), "doomed").json().get("properties")
                .get("credentials").get("password").asText();

        assertThat(assertValid(user.http().delete(BASE + "/registries/" + id)).status()).isEqualTo(204);
        assertThat(assertValid(user.http().get(BASE + "/registries/" + id)).status()).isEqualTo(404);
        assertThat(server.wharf().accounts().find(name)).isEmpty();
        assertThat(user.http().send("HEAD", BASE + "/names/" + name, null).status()).isEqualTo(404);
        assertThat(server.wharf().credentials().authenticate(secret)).isEmpty();
        assertThat(assertValid(user.http().delete(BASE + "/registries/" + id)).status()).isEqualTo(404);
    }

    @Test
    void badRegistryInputIsA400InTheIonosBody() {
        User user = newUser();
        record Case(Object body, String field) {
        }
        Map<String, Object> badDay = Map.of("name", uniqueName("r"), "location", "local",
                "garbageCollectionSchedule", Map.of("days", List.of("Funday"), "time", "01:00:00+00:00"));
        Map<String, Object> badTime = Map.of("name", uniqueName("r"), "location", "local",
                "garbageCollectionSchedule", Map.of("days", List.of("Monday"), "time", "25:00"));
        Map<String, Object> badCidr = Map.of("name", uniqueName("r"), "location", "local",
                "apiSubnetAllowList", List.of("10.0.0.0/33"));
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 26; i++) {
            many.add("10.0.0." + i);
        }
        List<Case> cases = List.of(
                new Case("{not json", "body"),
                new Case("[]", "body"),
                new Case(Map.of(), "properties"),
                new Case(Map.of("properties", Map.of("location", "local")), "properties.name"),
                new Case(registryBody("Upper"), "properties.name"),
                new Case(registryBody("with-hyphen"), "properties.name"),
                new Case(registryBody("library"), "properties.name"),
                new Case(Map.of("properties", Map.of("name", uniqueName("r"), "location", "de/fra")),
                        "properties.location"),
                new Case(Map.of("properties", Map.of("name", 42, "location", "local")), "properties"),
                new Case(Map.of("properties", badDay), "properties.garbageCollectionSchedule.days"),
                new Case(Map.of("properties", badTime), "properties.garbageCollectionSchedule.time"),
                new Case(Map.of("properties", badCidr), "properties.apiSubnetAllowList"),
                new Case(Map.of("properties", Map.of("name", uniqueName("r"), "location", "local",
                        "apiSubnetAllowList", many)), "properties.apiSubnetAllowList"));
        for (Case c : cases) {
            Http.Response r = assertValid(user.http().post(BASE + "/registries", c.body()));
            assertThat(r.status()).as("%s -> %s", c, r).isEqualTo(400);
            assertThat(r.json().get("messages").get(0).get("message").asText()).as("%s", r).startsWith(c.field());
            assertThat(r.json().get("messages").get(0).get("errorCode").asText()).isEqualTo("VALIDATION_ERROR");
        }
        String path = BASE + "/registries/" + newRegistry(user.http()).get("id").asText();
        assertThat(assertValid(user.http().patch(path, Map.of("garbageCollectionSchedule", "daily"))).status())
                .isEqualTo(400);
        assertThat(assertValid(user.http().patch(path, Map.of("apiSubnetAllowList", List.of("host.example"))))
                .status()).isEqualTo(400);
        assertThat(assertValid(user.http().get(BASE + "/registries/not-a-uuid")).status()).isEqualTo(400);
        assertThat(assertValid(user.http().get(BASE + "/registries/" + UUID.randomUUID())).status()).isEqualTo(404);
    }

    @Test
    void registriesArePagedByToken() {
        User user = newUser();
        for (int i = 0; i < 3; i++) {
            newRegistry(user.http());
        }
        Http.Response first = assertValid(user.http().get(BASE + "/registries?limit=2"));
        assertThat(first.json().get("items")).hasSize(2);
        assertThat(first.json().get("pagination").get("limit").asInt()).isEqualTo(2);
        String token = first.json().get("pagination").get("token").asText();
        assertThat(token).isNotEmpty();
        assertThat(first.json().get("_links").get("next").asText()).contains("pagination.token=" + token);
        Http.Response second = assertValid(user.http().get(BASE + "/registries?limit=2&pagination.token=" + token));
        assertThat(second.json().get("items")).hasSize(1);
        assertThat(second.json().get("pagination").get("token").asText()).isEmpty();
        assertThat(second.json().get("_links").get("next").asText()).isEmpty();
        List<String> names = new ArrayList<>();
        first.json().get("items").forEach(i -> names.add(i.get("properties").get("name").asText()));
        second.json().get("items").forEach(i -> names.add(i.get("properties").get("name").asText()));
        assertThat(names).doesNotHaveDuplicates().isSorted();
        String one = names.get(1);
        assertThat(assertValid(user.http().get(BASE + "/registries?filter.name=" + one)).json().get("items"))
                .extracting(i -> i.get("properties").get("name").asText()).containsExactly(one);
        for (String bad : new String[] {"limit=0", "limit=abc", "limit=1001", "limit=-1", "pagination.token=%25%25"}) {
            assertThat(assertValid(user.http().get(BASE + "/registries?" + bad)).status()).as(bad).isEqualTo(400);
        }
    }

    @Test
    void storageUsageCountsEachBlobOfTheNamespaceOnce() throws Exception {
        User user = newUser();
        JsonNode r = newRegistry(user.http());
        String org = r.get("properties").get("name").asText();
        byte[] layer = "shared layer bytes".repeat(50).getBytes(StandardCharsets.UTF_8);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        byte[] other = "only in two".repeat(10).getBytes(StandardCharsets.UTF_8);
        Http registry = basic(user.name(), PASSWORD);
        pushBlob(registry, org + "/one", layer);
        pushBlob(registry, org + "/one", config);
        pushBlob(registry, org + "/two", layer);
        pushBlob(registry, org + "/two", other);
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + digest(config) + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + digest(layer) + "\",\"size\":"
                + layer.length + "}]}";
        Http.Response put = registry.header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .send("PUT", "/v2/" + org + "/one/manifests/v1", manifest.getBytes(StandardCharsets.UTF_8));
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        // A blob the user's own namespace holds is not the registry's.
        pushBlob(registry, user.name() + "/mine", "elsewhere".repeat(100).getBytes(StandardCharsets.UTF_8));

        JsonNode usage = assertValid(user.http().get(BASE + "/registries/" + r.get("id").asText())).json()
                .get("properties").get("storageUsage");
        assertThat(usage.get("bytes").asLong())
                .isEqualTo(layer.length + config.length + other.length + manifest.length());
        assertThat(usage.get("updatedAt").asText()).isNotEmpty();
    }

    private static void pushBlob(Http registry, String repo, byte[] data) throws NoSuchAlgorithmException {
        Http.Response r = registry.header("Content-Type", "application/octet-stream")
                .send("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + digest(data), data);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    private static String digest(byte[] data) throws NoSuchAlgorithmException {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    // ------------------------------------------------------------------------------------------------ tokens

    @Test
    void aTokenShowsItsPasswordOnlyWhenCreated() {
        User user = newUser();
        JsonNode registry = newRegistry(user.http());
        String org = registry.get("properties").get("name").asText();
        String expiry = OffsetDateTime.now(ZoneOffset.UTC).plusDays(30).withNano(0).toInstant().toString();
        Map<String, Object> props = Map.of("name", "push-token", "expiryDate", expiry, "status", "enabled",
                "scopes", List.of(scope("app", "repository", "pull", "push"), scope("*", "registry", "pull")));
        Http.Response created = assertValid(user.http().post(tokens(registry), Map.of("properties", props)));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode t = created.json();
        String id = t.get("id").asText();
        assertThat(created.header("Location")).isEqualTo(server.url() + tokens(registry) + "/" + id);
        assertThat(t.get("type").asText()).isEqualTo("token");
        assertThat(t.get("metadata").get("createdBy").asText()).isEqualTo(user.name());
        assertThat(t.get("metadata").get("state").asText()).isEqualTo("enabled");
        JsonNode p = t.get("properties");
        String password = p.get("credentials").get("password").asText();
        assertThat(password).startsWith("wharf_oat_");
        assertThat(p.get("credentials").get("username").asText()).isEqualTo(org + "+push-token");
        assertThat(p.get("name").asText()).isEqualTo("push-token");
        assertThat(p.get("status").asText()).isEqualTo("enabled");
        assertThat(OffsetDateTime.parse(p.get("expiryDate").asText()).toInstant())
                .isEqualTo(OffsetDateTime.parse(expiry).toInstant());
        assertThat(p.get("scopes").toString()).isEqualTo("[{\"name\":\"app\",\"type\":\"repository\",\"actions\":"
                + "[\"pull\",\"push\"]},{\"name\":\"*\",\"type\":\"registry\",\"actions\":[\"pull\"]}]");
        // One record: the robot the domain holds, with the resources the scopes name.
        var robot = server.wharf().credentials().find(UUID.fromString(id)).orElseThrow();
        assertThat(robot.isRobot()).isTrue();
        assertThat(robot.resources()).extracting(dev.wharf.credentials.Resource::path)
                .containsExactly(org + "/app", org);

        Http.Response got = assertValid(user.http().get(tokens(registry) + "/" + id));
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json().get("properties").get("credentials").get("password").asText()).isEmpty();
        Http.Response list = assertValid(user.http().get(tokens(registry)));
        assertThat(list.body()).doesNotContain(password);
        assertThat(list.json().get("items").get(0).get("properties").get("credentials").get("password").asText())
                .isEmpty();
        // The username and password sign in to the registry.
        assertThat(basic(org + "+push-token", password).get("/v2/").status()).isEqualTo(200);

        Http.Response duplicate = assertValid(user.http().post(tokens(registry), tokenBody("push-token",
                scope("app", "repository", "pull"))));
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().get("messages").get(0).get("errorCode").asText()).isEqualTo("NAME_TAKEN");
    }

    @Test
    void tokensArePagedByOffsetAndLimit() {
        User user = newUser();
        JsonNode registry = newRegistry(user.http());
        for (int i = 0; i < 5; i++) {
            assertThat(createToken(user.http(), registry, "t" + i).status()).isEqualTo(201);
        }
        Http.Response first = assertValid(user.http().get(tokens(registry) + "?offset=0&limit=2"));
        JsonNode page = first.json();
        assertThat(page.get("items")).extracting(i -> i.get("properties").get("name").asText())
                .containsExactly("t0", "t1");
        assertThat(page.get("offset").asInt()).isZero();
        assertThat(page.get("limit").asInt()).isEqualTo(2);
        assertThat(page.get("count").asInt()).isEqualTo(2);
        assertThat(page.get("total").asInt()).isEqualTo(5);
        assertThat(page.get("_links").get("self").asText()).endsWith(tokens(registry) + "?offset=0&limit=2");
        assertThat(page.get("_links").get("next").asText()).endsWith(tokens(registry) + "?offset=2&limit=2");
        assertThat(page.get("_links").get("previous").asText()).isEmpty();
        JsonNode last = assertValid(user.http().get(tokens(registry) + "?offset=4&limit=2")).json();
        assertThat(last.get("count").asInt()).isEqualTo(1);
        assertThat(last.get("_links").get("next").asText()).isEmpty();
        assertThat(last.get("_links").get("previous").asText()).endsWith("?offset=2&limit=2");
        JsonNode beyond = assertValid(user.http().get(tokens(registry) + "?offset=50")).json();
        assertThat(beyond.get("count").asInt()).isZero();
        assertThat(beyond.get("total").asInt()).isEqualTo(5);
        JsonNode defaults = assertValid(user.http().get(tokens(registry))).json();
        assertThat(defaults.get("limit").asInt()).isEqualTo(100);
        assertThat(defaults.get("count").asInt()).isEqualTo(5);
        for (String bad : new String[] {"offset=abc", "offset=-1", "limit=0", "limit=1001", "limit=1.5",
                "offset=99999999999"}) {
            Http.Response r = assertValid(user.http().get(tokens(registry) + "?" + bad));
            assertThat(r.status()).as(bad).isEqualTo(400);
        }
    }

    @Test
    void putCreatesWithTheClientsIdThenReplaces() {
        User user = newUser();
        JsonNode registry = newRegistry(user.http());
        String id = UUID.randomUUID().toString();
        String path = tokens(registry) + "/" + id;
        Http.Response created = assertValid(user.http().put(path, tokenBody("ci", scope("app", "repository",
                "pull"))));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("id").asText()).isEqualTo(id);
        assertThat(created.header("Location")).endsWith(path);
        String password = created.json().get("properties").get("credentials").get("password").asText();
        assertThat(password).startsWith("wharf_oat_");

        Map<String, Object> replacement = Map.of("name", "ci", "status", "disabled",
                "scopes", List.of(scope("*", "repository", "pull", "push", "delete")));
        Http.Response replaced = assertValid(user.http().put(path, Map.of("properties", replacement)));
        assertThat(replaced.status()).isEqualTo(201);
        JsonNode p = replaced.json().get("properties");
        assertThat(p.get("credentials").get("password").asText()).isEmpty();
        assertThat(p.get("status").asText()).isEqualTo("disabled");
        assertThat(p.get("scopes").get(0).get("name").asText()).isEqualTo("*");
        assertThat(p.get("scopes").get(0).get("actions")).hasSize(3);
        // The password is unchanged (and now disabled).
        var robot = server.wharf().credentials().find(UUID.fromString(id)).orElseThrow();
        assertThat(robot.active()).isFalse();
        assertThat(server.wharf().credentials().identify(password)).hasValueSatisfying(c ->
                assertThat(c.uuid().toString()).isEqualTo(id));

        Http.Response renamed = assertValid(user.http().put(path, tokenBody("other", scope("app", "repository",
                "pull"))));
        assertThat(renamed.status()).isEqualTo(400);
        Http.Response duplicate = assertValid(user.http().put(tokens(registry) + "/" + UUID.randomUUID(),
                tokenBody("ci", scope("app", "repository", "pull"))));
        assertThat(duplicate.status()).isEqualTo(409);

        // A deleted token's id can be given to a new one, with a new password.
        assertThat(assertValid(user.http().delete(path)).status()).isEqualTo(204);
        Http.Response again = assertValid(user.http().put(path, tokenBody("newName", scope("app", "repository",
                "pull"))));
        assertThat(again.status()).isEqualTo(201);
        String newPassword = again.json().get("properties").get("credentials").get("password").asText();
        assertThat(newPassword).startsWith("wharf_oat_").isNotEqualTo(password);
        assertThat(server.wharf().credentials().authenticate(password)).isEmpty();
        assertThat(server.wharf().credentials().authenticate(newPassword)).isPresent();
        // An id that another account's credential holds cannot be taken.
        JsonNode foreign = newRegistry(newUser().http());
        String foreignId = createToken(basicOwner(foreign), foreign, "theirs").json().get("id").asText();
        assertThat(assertValid(user.http().put(tokens(registry) + "/" + foreignId, tokenBody("mine",
                scope("app", "repository", "pull")))).status()).isEqualTo(409);
    }

    /** The owner of a registry created by {@link #newRegistry}, signed in with their password. */
    private Http basicOwner(JsonNode registry) {
        return basic(registry.get("metadata").get("createdBy").asText(), PASSWORD);
    }

    @Test
    void patchChangesOnlyWhatItNames() {
        User user = newUser();
        JsonNode registry = newRegistry(user.http());
        String org = registry.get("properties").get("name").asText();
        JsonNode t = createToken(user.http(), registry, "patched").json();
        String path = tokens(registry) + "/" + t.get("id").asText();
        String password = t.get("properties").get("credentials").get("password").asText();
        Http robot = basic(org + "+patched", password);
        assertThat(robot.get("/v2/").status()).isEqualTo(200);

        Http.Response disabled = assertValid(user.http().patch(path, Map.of("status", "disabled")));
        assertThat(disabled.status()).isEqualTo(200);
        assertThat(disabled.json().get("properties").get("status").asText()).isEqualTo("disabled");
        assertThat(disabled.json().get("properties").get("scopes")).hasSize(1);
        assertThat(robot.get("/v2/").status()).isEqualTo(401);
        assertThat(assertValid(user.http().patch(path, Map.of("status", "enabled"))).json().get("properties")
                .get("status").asText()).isEqualTo("enabled");
        assertThat(robot.get("/v2/").status()).isEqualTo(200);

        String expiry = OffsetDateTime.now(ZoneOffset.UTC).plusDays(2).withNano(0).toInstant().toString();
        JsonNode expiring = assertValid(user.http().patch(path, Map.of("expiryDate", expiry))).json();
        assertThat(expiring.get("properties").get("expiryDate").asText()).isEqualTo(expiry);
        assertThat(expiring.get("properties").get("status").asText()).isEqualTo("enabled");
        JsonNode rescoped = assertValid(user.http().patch(path, Map.of("scopes",
                List.of(scope("app", "repository", "pull"), scope("lib/*", "repository", "pull", "delete")))))
                .json().get("properties");
        assertThat(rescoped.get("scopes")).hasSize(2);
        assertThat(rescoped.get("expiryDate").asText()).isEqualTo(expiry);
        JsonNode forever = assertValid(user.http().patch(path, "{\"expiryDate\": null}")).json();
        assertThat(forever.get("properties").get("expiryDate").isNull()).isTrue();
        assertThat(forever.get("properties").get("scopes")).hasSize(2);

        String soon = OffsetDateTime.now(ZoneOffset.UTC).plusMinutes(30).toInstant().toString();
        for (Object bad : new Object[] {Map.of("status", "paused"), Map.of("status", true),
                Map.of("expiryDate", "next week"), Map.of("expiryDate", soon), Map.of("expiryDate", 5),
                Map.of("scopes", List.of(scope("app", "artifact", "pull"))),
                Map.of("scopes", List.of(scope("app", "repository", "fly"))),
                Map.of("scopes", List.of(scope("app", "repository"))),
                Map.of("scopes", List.of(scope("UPPER", "repository", "pull"))), "{not json"}) {
            Http.Response r = assertValid(user.http().patch(path, bad));
            assertThat(r.status()).as("%s -> %s", bad, r).isEqualTo(400);
        }
    }

    @Test
    void aTokenWithoutScopesSignsInAndMayDoNothing() {
        User user = newUser();
        JsonNode registry = newRegistry(user.http());
        String org = registry.get("properties").get("name").asText();
        Http.Response created = assertValid(user.http().post(tokens(registry),
                Map.of("properties", Map.of("name", "idle"))));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("properties").get("scopes")).isEmpty();
        Http robot = basic(org + "+idle", created.json().get("properties").get("credentials").get("password")
                .asText());
        assertThat(robot.get("/v2/").status()).isEqualTo(200);
        assertThat(robot.get("/v2/" + org + "/app/tags/list").status()).isIn(401, 403);
    }

    @Test
    void deleteStopsTheTokenAtOnce() {
        User user = newUser();
        JsonNode registry = newRegistry(user.http());
        String org = registry.get("properties").get("name").asText();
        JsonNode t = createToken(user.http(), registry, "gone").json();
        String path = tokens(registry) + "/" + t.get("id").asText();
        Http robot = basic(org + "+gone", t.get("properties").get("credentials").get("password").asText());
        assertThat(robot.get("/v2/").status()).isEqualTo(200);
        assertThat(assertValid(user.http().delete(path)).status()).isEqualTo(204);
        assertThat(robot.get("/v2/").status()).isEqualTo(401);
        assertThat(assertValid(user.http().get(path)).status()).isEqualTo(404);
        assertThat(assertValid(user.http().delete(path)).status()).isEqualTo(404);
        assertThat(assertValid(user.http().get(tokens(registry))).json().get("total").asInt()).isZero();
        // The name is free again.
        assertThat(createToken(user.http(), registry, "gone").status()).isEqualTo(201);
    }

    @Test
    void badTokenInputIsA400InTheIonosBody() {
        User user = newUser();
        JsonNode registry = newRegistry(user.http());
        List<Object> scopes = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            scopes.add(scope("r" + i, "repository", "pull"));
        }
        for (Object bad : new Object[] {"{not json", "[]", Map.of(), Map.of("properties", Map.of()),
                tokenBody("x", scope("app", "repository", "pull")),
                tokenBody("-bad", scope("app", "repository", "pull")),
                tokenBody("bad-", scope("app", "repository", "pull")),
                tokenBody("has space", scope("app", "repository", "pull")),
                tokenBody("a".repeat(64), scope("app", "repository", "pull")),
                Map.of("properties", Map.of("name", "badstatus", "status", "on",
                        "scopes", List.of(scope("app", "repository", "pull")))),
                Map.of("properties", Map.of("name", "past", "expiryDate", "2020-01-01T00:00:00Z",
                        "scopes", List.of(scope("app", "repository", "pull")))),
                Map.of("properties", Map.of("name", "many", "scopes", scopes)),
                tokenBody("wrongreg", scope("other", "registry", "pull")),
                tokenBody("dots", scope("../x", "repository", "pull")),
                tokenBody("slash", scope("/x", "repository", "pull")),
                tokenBody("nullname", Map.of("type", "repository", "actions", List.of("pull")))}) {
            Http.Response r = assertValid(user.http().post(tokens(registry), bad));
            assertThat(r.status()).as("%s -> %s", bad, r).isEqualTo(400);
            assertThat(r.json().get("messages").get(0).get("errorCode").asText()).isEqualTo("VALIDATION_ERROR");
        }
        assertThat(assertValid(user.http().get(tokens(registry) + "/not-a-uuid")).status()).isEqualTo(400);
        assertThat(assertValid(user.http().get(tokens(registry) + "/" + UUID.randomUUID())).status())
                .isEqualTo(404);
        assertThat(assertValid(user.http().patch(tokens(registry) + "/" + UUID.randomUUID(),
                Map.of("status", "enabled"))).status()).isEqualTo(404);
        assertThat(assertValid(user.http().get(BASE + "/registries/" + UUID.randomUUID() + "/tokens")).status())
                .isEqualTo(404);
    }

    @Test
    void changesAreAuditedInTheOrganizationsLogWithoutTheSecret() {
        User user = newUser();
        JsonNode registry = newRegistry(user.http());
        Account org = server.wharf().accounts().org(registry.get("properties").get("name").asText());
        JsonNode t = createToken(user.http(), registry, "audited").json();
        String path = tokens(registry) + "/" + t.get("id").asText();
        assertValid(user.http().patch(path, Map.of("status", "disabled")));
        assertValid(user.http().delete(path));
        List<dev.wharf.audit.AuditEvent> events = server.wharf().audit().query(org.logOwner(),
                new dev.wharf.audit.AuditLog.Filter(null, null, null, null, null, 1, 100));
        assertThat(events).extracting(dev.wharf.audit.AuditEvent::action).contains("org.create",
                "org.access_token.create", "org.access_token.update", "org.access_token.delete");
        assertThat(events).allSatisfy(e -> assertThat(e.actor()).isEqualTo(user.name()));
        assertThat(events.toString()).doesNotContain(t.get("properties").get("credentials").get("password")
                .asText());
        assertValid(user.http().delete(BASE + "/registries/" + registry.get("id").asText()));
        assertThat(server.wharf().audit().query(org.logOwner(), new dev.wharf.audit.AuditLog.Filter("org.delete",
                null, null, null, null, 1, 10))).hasSize(1);
    }

    // ------------------------------------------------------------------------------------------------ access

    @Test
    void callersAuthenticateWithAPasswordASessionOrAnApiToken() {
        User user = newUser();
        JsonNode registry = newRegistry(user.http());
        String path = BASE + "/registries/" + registry.get("id").asText();
        Http anonymous = server.http();
        Http.Response none = assertValid(anonymous.get(path));
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.json().get("messages").get(0).get("errorCode").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(assertValid(basic(user.name(), "wrong-password-1").get(path)).status()).isEqualTo(401);
        assertThat(assertValid(anonymous.header("Authorization", "Basic !!!").get(path)).status()).isEqualTo(401);
        assertThat(assertValid(anonymous.header("Authorization", "Bearer nonsense").get(path)).status())
                .isEqualTo(401);
        assertThat(assertValid(anonymous.header("Authorization", "Digest x").get(path)).status()).isEqualTo(401);

        String session = Sessions.login(server.http(), user.name(), PASSWORD);
        assertThat(assertValid(anonymous.bearer(session).get(path)).status()).isEqualTo(200);
        Account account = server.wharf().accounts().user(user.name());
        String api = personalToken(account, Scope.API);
        String readApi = personalToken(account, Scope.READ_API);
        String repoOnly = personalToken(account, Scope.REPO_ADMIN);
        assertThat(assertValid(anonymous.bearer(api).get(path)).status()).isEqualTo(200);
        assertThat(assertValid(anonymous.bearer(api).post(tokens(registry), tokenBody("byapi",
                scope("app", "repository", "pull")))).status()).isEqualTo(201);
        assertThat(assertValid(basic(user.name(), api).get(path)).status()).isEqualTo(200);
        assertThat(assertValid(anonymous.bearer(readApi).get(tokens(registry))).status()).isEqualTo(200);
        Http.Response readOnly = assertValid(anonymous.bearer(readApi).post(tokens(registry), tokenBody("no",
                scope("app", "repository", "pull"))));
        assertThat(readOnly.status()).isEqualTo(403);
        assertThat(readOnly.json().get("messages").get(0).get("errorCode").asText()).isEqualTo("FORBIDDEN");
        assertThat(assertValid(anonymous.bearer(repoOnly).get(path)).status()).isEqualTo(403);
        // A robot manages nothing, not even its own registry.
        String org = registry.get("properties").get("name").asText();
        String robot = createToken(user.http(), registry, "robot").json().get("properties").get("credentials")
                .get("password").asText();
        assertThat(assertValid(anonymous.bearer(robot).get(path)).status()).isEqualTo(403);
        assertThat(assertValid(basic(org + "+robot", robot).get(path)).status()).isEqualTo(403);
    }

    private String personalToken(Account account, Scope scope) {
        return server.wharf().credentials().create(account, Credentials.Draft.personal("pat-" + scope.wireName()
                        + UUID.randomUUID(), null, List.of(scope), null),
                new Credentials.Origin("127.0.0.1", "test", "TEST"), account.asActor(), false).secret();
    }

    @Test
    void theAllowListRefusesTheRegistrysTokensFromOtherNetworks() {
        User user = newUser();
        JsonNode registry = newRegistry(user.http());
        String org = registry.get("properties").get("name").asText();
        String path = BASE + "/registries/" + registry.get("id").asText();
        String password = createToken(user.http(), registry, "guarded").json().get("properties")
                .get("credentials").get("password").asText();
        Http robot = basic(org + "+guarded", password);
        assertThat(robot.get("/v2/").status()).isEqualTo(200);
        assertThat(assertValid(user.http().patch(path, Map.of("apiSubnetAllowList", List.of("10.0.0.0/8"))))
                .status()).isEqualTo(200);
        assertThat(robot.get("/v2/").status()).isEqualTo(401);
        // The list restricts the registry's tokens, not its owner.
        assertThat(basic(user.name(), PASSWORD).get("/v2/").status()).isEqualTo(200);
        assertThat(assertValid(user.http().patch(path, Map.of("apiSubnetAllowList",
                List.of("10.0.0.0/8", "127.0.0.0/8")))).status()).isEqualTo(200);
        assertThat(robot.get("/v2/").status()).isEqualTo(200);
    }

    @Test
    void unknownPathsAndWrongMethodsAnswerInTheIonosBody() {
        User user = newUser();
        Http.Response missing = assertValid(user.http().get(BASE + "/nothing/here"));
        assertThat(missing.status()).isEqualTo(404);
        assertErrorBody(missing);
        Http.Response root = user.http().get(BASE);
        assertThat(root.status()).isEqualTo(404);
        assertErrorBody(root);
        Http.Response method = assertValid(user.http().delete(BASE + "/locations"));
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.header("Allow")).isEqualTo("GET");
        assertThat(method.json().get("messages").get(0).get("errorCode").asText()).isEqualTo("METHOD_NOT_ALLOWED");
        Http.Response tokenMethod = assertValid(user.http().post(BASE + "/registries/" + UUID.randomUUID()
                + "/tokens/" + UUID.randomUUID(), Map.of()));
        assertThat(tokenMethod.status()).isEqualTo(405);
        assertThat(tokenMethod.header("Allow")).isEqualTo("DELETE, GET, PATCH, PUT");
    }
}
