package dev.wharf.dockerhub;

import static dev.wharf.testing.HubSchema.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.registry.RegistryClient;
import dev.wharf.testing.Http;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Docker Hub's repositories and tags over what the registry holds: listings with filters, orders and pages, who sees
 * what, creation rules, changes and their audit events, deletion that reaches the registry, tags with the platform
 * images pushed, and immutable tags that the registry enforces. Every response is checked against Docker's spec.
 */
abstract class RepositoriesApiTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private final Random random = new Random(10);

    /** A user with a Hub session and a registry client signed in with an admin-scoped token. */
    private record User(String name, Http hub, RegistryClient registry) {
        String repos() {
            return "/v2/namespaces/" + name + "/repositories";
        }
    }

    private User newUser(String prefix) {
        String name = uniqueName(prefix);
        String session = Sessions.newUser(server, name, PASSWORD);
        String pat = Sessions.newToken(server, session, "push", "repo:admin");
        return new User(name, server.http().bearer(session), new RegistryClient(server.url()).basic(name, pat));
    }

    private JsonNode create(User owner, String name, boolean isPrivate) {
        Http.Response r = assertValid(owner.hub().post(owner.repos(), Map.of("name", name, "namespace", owner.name(),
                "is_private", isPrivate, "description", "about " + name)));
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        return r.json();
    }

    // ---------------------------------------------------------------------------------------------- pushing

    /** An image pushed by {@link #pushImage}: its digest, its manifest's bytes and its layers' sizes. */
    @SuppressWarnings("ArrayRecordComponent") // test data, read by tests, never compared as a whole
    private record Pushed(String digest, byte[] manifest, List<Long> layerSizes) {
    }

    private String pushBlob(RegistryClient client, String repo, byte[] data) {
        String digest = RegistryClient.digest(data);
        RegistryClient.Res r = client.post("/v2/" + repo + "/blobs/uploads/?digest=" + digest, data,
                "Content-Type", "application/octet-stream");
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        return digest;
    }

    private static Map<String, Object> descriptor(String mediaType, byte[] content) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", RegistryClient.digest(content));
        d.put("size", content.length);
        return d;
    }

    /** Pushes an image of two layers for a platform, whose config history names each layer's instruction. */
    private Pushed pushImage(RegistryClient client, String repo, String reference, String arch, String variant) {
        List<Map<String, Object>> layers = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            byte[] layer = new byte[500 + random.nextInt(2000)];
            random.nextBytes(layer);
            pushBlob(client, repo, layer);
            layers.add(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer));
            sizes.add((long) layer.length);
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", arch);
        config.put("os", "linux");
        if (variant != null) {
            config.put("variant", variant);
        }
        config.put("os.version", "6.1");
        config.put("history", List.of(Map.of("created_by", "ADD rootfs.tar /"),
                Map.of("created_by", "ENV A=" + random.nextInt(), "empty_layer", true),
                Map.of("created_by", "RUN make install")));
        byte[] configBytes = RegistryClient.json(config);
        pushBlob(client, repo, configBytes);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", configBytes));
        manifest.put("layers", layers);
        byte[] body = RegistryClient.json(manifest);
        RegistryClient.Res r = client.put("/v2/" + repo + "/manifests/" + reference, body,
                "Content-Type", OCI_MANIFEST);
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        return new Pushed(RegistryClient.digest(body), body, sizes);
    }

    /** Pushes an index of an amd64 and an arm64/v8 image under {@code tag}; returns the children, then the index. */
    private List<String> pushIndex(RegistryClient client, String repo, String tag) {
        Pushed amd = pushImage(client, repo, "amd64-" + tag, "amd64", null);
        Pushed arm = pushImage(client, repo, "arm64-" + tag, "arm64", "v8");
        List<Map<String, Object>> children = new ArrayList<>();
        for (Object[] c : List.of(new Object[] {amd, "amd64", null}, new Object[] {arm, "arm64", "v8"})) {
            Map<String, Object> d = descriptor(OCI_MANIFEST, ((Pushed) c[0]).manifest());
            Map<String, Object> platform = new HashMap<>(Map.of("os", "linux", "architecture", c[1]));
            if (c[2] != null) {
                platform.put("variant", c[2]);
            }
            d.put("platform", platform);
            children.add(d);
        }
        byte[] index = RegistryClient.json(Map.of("schemaVersion", 2, "mediaType", OCI_INDEX,
                "manifests", children));
        RegistryClient.Res r = client.put("/v2/" + repo + "/manifests/" + tag, index, "Content-Type", OCI_INDEX);
        assertThat(r.status()).as("%s", r).isEqualTo(201);
        return List.of(amd.digest(), arm.digest(), RegistryClient.digest(index));
    }

    /** Waits until the pulls so far are written: the first of a minute is written in the background. */
    private void recordPulls() {
        try {
            server.wharf().bookkeeping().settle();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        server.wharf().pulls().flushAll();
    }

    private static List<String> names(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("results").forEach(r -> out.add(r.get("name").asText()));
        return out;
    }

    // ---------------------------------------------------------------------------------------------- listings

    @Test
    void listFiltersOrdersAndPagesWithHubsLinksAndErrors() {
        User u = newUser("lst");
        for (String name : List.of("alpha", "beta", "gamma-app", "delta-app", "epsilon")) {
            create(u, name, false);
        }
        pushImage(u.registry(), u.name() + "/gamma-app", "v1", "amd64", null);
        pushImage(u.registry(), u.name() + "/beta", "v1", "amd64", null);
        RegistryClient.Res pulled = u.registry().get("/v2/" + u.name() + "/beta/manifests/v1",
                "Accept", OCI_MANIFEST);
        assertThat(pulled.status()).isEqualTo(200);
        recordPulls();

        JsonNode all = assertValid(u.hub().get(u.repos() + "?page_size=2")).json();
        assertThat(all.get("count").asLong()).isEqualTo(5);
        assertThat(names(all)).containsExactly("alpha", "beta");
        assertThat(all.get("next").asText()).endsWith(u.repos() + "?page_size=2&page=2");
        assertThat(all.get("previous").isNull()).isTrue();
        JsonNode last = assertValid(u.hub().get(u.repos() + "?page_size=2&page=3")).json();
        assertThat(names(last)).containsExactly("gamma-app");
        assertThat(last.get("next").isNull()).isTrue();

        assertThat(names(assertValid(u.hub().get(u.repos() + "?ordering=-name")).json()))
                .containsExactly("gamma-app", "epsilon", "delta-app", "beta", "alpha");
        assertThat(names(assertValid(u.hub().get(u.repos() + "?ordering=-last_updated")).json()).subList(0, 2))
                .containsExactly("beta", "gamma-app");
        assertThat(names(assertValid(u.hub().get(u.repos() + "?ordering=last_updated")).json()).subList(0, 2))
                .containsExactly("gamma-app", "beta");
        JsonNode byPulls = assertValid(u.hub().get(u.repos() + "?ordering=-pull_count")).json();
        assertThat(byPulls.get("results").get(0).get("name").asText()).isEqualTo("beta");
        assertThat(byPulls.get("results").get(0).get("pull_count").asLong()).isEqualTo(1);
        assertThat(names(assertValid(u.hub().get(u.repos() + "?ordering=pull_count")).json()))
                .endsWith("beta");
        assertThat(names(assertValid(u.hub().get(u.repos() + "?name=app")).json()))
                .containsExactly("delta-app", "gamma-app");
        // The filter is on the repository's own name, not the namespace in front of it, and takes % literally.
        assertThat(assertValid(u.hub().get(u.repos() + "?name=" + u.name().substring(0, 3))).json()
                .get("count").asLong()).isZero();
        assertThat(assertValid(u.hub().get(u.repos() + "?name=%25")).json().get("count").asLong()).isZero();

        JsonNode beta = assertValid(u.hub().get(u.repos() + "?name=beta")).json().get("results").get(0);
        assertThat(beta.get("namespace").asText()).isEqualTo(u.name());
        assertThat(beta.get("repository_type").asText()).isEqualTo("image");
        assertThat(beta.get("description").asText()).isEqualTo("about beta");
        assertThat(beta.get("last_updated").isTextual()).isTrue();
        assertThat(beta.get("storage_size").asLong()).isPositive();
        assertThat(beta.get("media_types").toString()).contains(OCI_MANIFEST,
                "application/vnd.oci.image.config.v1+json");
        assertThat(beta.get("content_types").toString()).isEqualTo("[\"image\"]");

        Http.Response badOrder = assertValid(u.hub().get(u.repos() + "?ordering=stars"));
        assertThat(badOrder.status()).isEqualTo(400);
        assertThat(badOrder.body()).isEqualTo("{\"fields\":{\"ordering\":[\"Invalid ordering value. Must be one of:"
                + " name, -name, last_updated, -last_updated, pull_count, -pull_count\"]},"
                + "\"text\":\"Invalid ordering value\"}");
        assertThat(assertValid(u.hub().get(u.repos() + "?page=4&page_size=2")).status()).isEqualTo(404);
        for (String query : List.of("page_size=0", "page_size=101", "page=0", "page=x", "name=" + "n".repeat(256))) {
            Http.Response r = assertValid(u.hub().get(u.repos() + "?" + query));
            assertThat(r.status()).as("%s", r).isEqualTo(400);
            assertThat(r.json().has("fields")).isTrue();
        }
        assertThat(assertValid(u.hub().get("/v2/namespaces/nobody0000x/repositories")).status()).isEqualTo(404);
        // The legacy listing is the same one, with or without the trailing slash.
        assertThat(names(u.hub().get("/v2/repositories/" + u.name() + "/?page_size=2").json()))
                .containsExactly("alpha", "beta");
        assertThat(u.hub().get("/v2/repositories/" + u.name()).json().get("count").asLong()).isEqualTo(5);
    }

    @Test
    void anonymousCallersAndOutsidersSeePublicRepositoriesOnlyAndPrivateOnesDoNotExistForThem() {
        User owner = newUser("own");
        User outsider = newUser("out");
        create(owner, "open", false);
        create(owner, "secret", true);
        Http anonymous = server.http();
        for (Http caller : List.of(anonymous, outsider.hub())) {
            assertThat(names(assertValid(caller.get(owner.repos())).json())).containsExactly("open");
            assertThat(assertValid(caller.get(owner.repos() + "/open")).status()).isEqualTo(200);
            Http.Response hidden = assertValid(caller.get(owner.repos() + "/secret"));
            Http.Response missing = assertValid(caller.get(owner.repos() + "/nothing"));
            assertThat(hidden.status()).isEqualTo(404);
            assertThat(hidden.body()).isEqualTo(missing.body());
            assertThat(caller.send("HEAD", owner.repos() + "/secret", null).status()).isEqualTo(404);
            assertThat(caller.send("HEAD", owner.repos() + "/open", null).status()).isEqualTo(200);
            assertThat(caller.get(owner.repos() + "/secret/tags").status()).isEqualTo(404);
            assertThat(caller.get("/v2/repositories/" + owner.name() + "/secret/").status()).isEqualTo(404);
        }
        JsonNode open = assertValid(anonymous.get(owner.repos() + "/open")).json();
        assertThat(open.get("permissions").toString()).isEqualTo("{\"read\":true,\"write\":false,\"admin\":false}");
        assertThat(names(assertValid(owner.hub().get(owner.repos())).json())).containsExactly("open", "secret");
        JsonNode secret = assertValid(owner.hub().get(owner.repos() + "/secret/")).json();
        assertThat(secret.get("permissions").toString()).isEqualTo("{\"read\":true,\"write\":true,\"admin\":true}");
        assertThat(secret.get("is_private").asBoolean()).isTrue();
        assertThat(secret.get("immutable_tags_settings").toString()).isEqualTo("{\"enabled\":false,\"rules\":[]}");
        // A bad token is refused, not treated as anonymous.
        assertThat(server.http().bearer("not-a-jwt").get(owner.repos()).status()).isEqualTo(401);
    }

    @Test
    void createFollowsHubsRulesAndOnlyPushersMayCreate() {
        User u = newUser("crt");
        User outsider = newUser("out");
        JsonNode made = create(u, "my-app.v2_x", false);
        assertThat(made.get("name").asText()).isEqualTo("my-app.v2_x");
        assertThat(made.get("user").asText()).isEqualTo(u.name());
        assertThat(made.get("date_registered").asText()).isEqualTo(made.get("last_updated").asText());
        assertThat(made.get("storage_size").asLong()).isZero();
        Map<String, Map<String, Object>> invalid = new LinkedHashMap<>();
        invalid.put("name", Map.of("name", "a", "namespace", u.name()));
        invalid.put("name ", Map.of("name", "My-App", "namespace", u.name()));
        invalid.put("name  ", Map.of("name", "a--b", "namespace", u.name()));
        invalid.put("name   ", Map.of("name", "x".repeat(256), "namespace", u.name()));
        invalid.put("description", Map.of("name", "okay", "namespace", u.name(), "description", "d".repeat(101)));
        invalid.put("full_description", Map.of("name", "okay", "namespace", u.name(),
                "full_description", "f".repeat(25_001)));
        invalid.put("namespace", Map.of("name", "okay", "namespace", outsider.name()));
        invalid.put("namespace ", Map.of("name", "okay"));
        invalid.put("is_private", Map.of("name", "okay", "namespace", u.name(), "is_private", "yes"));
        invalid.forEach((field, body) -> {
            Http.Response r = assertValid(u.hub().post(u.repos(), body));
            assertThat(r.status()).as("%s", r).isEqualTo(400);
            assertThat(r.json().get("fields").has(field.trim())).as("%s", r).isTrue();
            assertThat(r.json().get("text").isTextual()).isTrue();
        });
        for (String body : List.of("", "[]", "{\"name\":", "null")) {
            Http.Response r = u.hub().post(u.repos(), body);
            assertThat(r.status()).as("%s", r).isEqualTo(400);
        }
        assertThat(assertValid(u.hub().post(u.repos(), Map.of("name", "my-app.v2_x", "namespace", u.name())))
                .status()).isEqualTo(409);
        assertThat(assertValid(outsider.hub().post(u.repos(), Map.of("name", "intruder", "namespace", u.name())))
                .status()).isEqualTo(403);
        assertThat(server.http().post(u.repos(), Map.of("name", "anon", "namespace", u.name())).status())
                .isEqualTo(401);
        assertThat(assertValid(u.hub().post("/v2/namespaces/nobody0000x/repositories",
                Map.of("name", "x1", "namespace", "nobody0000x"))).status()).isEqualTo(404);
        // An org editor may push there, so may create; a member may not.
        String org = uniqueName("org");
        assertThat(u.hub().post("/api/v1/orgs", Map.of("name", org)).status()).isEqualTo(201);
        User editor = newUser("edt");
        User member = newUser("mbr");
        u.hub().put("/api/v1/orgs/" + org + "/members/" + editor.name(), Map.of("role", "editor"));
        u.hub().put("/api/v1/orgs/" + org + "/members/" + member.name(), Map.of("role", "member"));
        String orgRepos = "/v2/namespaces/" + org + "/repositories";
        assertThat(assertValid(editor.hub().post(orgRepos, Map.of("name", "by-editor", "namespace", org))).status())
                .isEqualTo(201);
        assertThat(assertValid(member.hub().post(orgRepos, Map.of("name", "by-member", "namespace", org))).status())
                .isEqualTo(403);
        JsonNode seenByMember = assertValid(member.hub().get(orgRepos + "/by-editor")).json();
        assertThat(seenByMember.get("permissions").toString())
                .isEqualTo("{\"read\":true,\"write\":false,\"admin\":false}");
    }

    @Test
    void patchPrivacyAndDeleteAreAuditedAndDeletionReachesTheRegistry() {
        User u = newUser("chg");
        User outsider = newUser("out");
        create(u, "app", false);
        String legacy = "/v2/repositories/" + u.name() + "/app/";
        // The legacy routes are in no spec; what they answer is checked through the documented GET.
        Http.Response patched = u.hub().patch(legacy, Map.of("description", "new words",
                "full_description", "# App\nmore"));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.json().get("description").asText()).isEqualTo("new words");
        assertThat(patched.json().get("full_description").asText()).isEqualTo("# App\nmore");
        assertThat(patched.json().get("last_modified").isTextual()).isTrue();
        assertThat(patched.json()).isEqualTo(assertValid(u.hub().get(u.repos() + "/app")).json());
        Http.Response tooLong = u.hub().patch(legacy, Map.of("description", "d".repeat(101)));
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().get("fields").has("description")).isTrue();
        assertThat(outsider.hub().patch(legacy, Map.of("description", "mine")).status()).isEqualTo(403);

        Http.Response privacy = u.hub().post(legacy + "privacy", Map.of("is_private", true));
        assertThat(privacy.status()).as("%s", privacy).isEqualTo(200);
        assertThat(privacy.json().get("is_private").asBoolean()).isTrue();
        assertThat(server.http().get(u.repos() + "/app").status()).isEqualTo(404);
        assertThat(u.hub().post(legacy + "privacy", Map.of()).status()).isEqualTo(400);
        // Now private, the outsider cannot tell it exists.
        assertThat(outsider.hub().patch(legacy, Map.of("description", "mine")).status()).isEqualTo(404);

        Pushed image = pushImage(u.registry(), u.name() + "/app", "v1", "amd64", null);
        assertThat(u.registry().get("/v2/" + u.name() + "/app/manifests/" + image.digest(), "Accept", OCI_MANIFEST)
                .status()).isEqualTo(200);
        assertThat(u.hub().delete(legacy).status()).isEqualTo(204);
        assertThat(u.registry().get("/v2/" + u.name() + "/app/manifests/" + image.digest(), "Accept", OCI_MANIFEST)
                .status()).isEqualTo(404);
        assertThat(u.registry().get("/v2/" + u.name() + "/app/tags/list").status()).isEqualTo(404);
        assertThat(assertValid(u.hub().get(u.repos() + "/app")).status()).isEqualTo(404);

        JsonNode logs = u.hub().get("/v2/auditlogs/" + u.name() + "?page_size=100").json().get("logs");
        List<String> actions = new ArrayList<>();
        logs.forEach(l -> actions.add(l.get("action").asText()));
        assertThat(actions).contains("repo.create", "repo.update", "repo.change_privacy", "repo.delete");
    }

    // ---------------------------------------------------------------------------------------------- tags

    @Test
    void tagsShowThePushedImagesWithTheirPlatformsLayersAndPushers() {
        User u = newUser("tag");
        create(u, "multi", false);
        String repo = u.name() + "/multi";
        Pushed single = pushImage(u.registry(), repo, "single", "amd64", null);
        List<String> index = pushIndex(u.registry(), repo, "both");
        String tags = u.repos() + "/multi/tags";

        JsonNode page = assertValid(u.hub().get(tags + "?page_size=100")).json();
        assertThat(page.get("count").asLong()).isEqualTo(4);
        // Newest push first: the index went up last.
        assertThat(names(page).get(0)).isEqualTo("both");

        JsonNode one = assertValid(u.hub().get(tags + "/single")).json();
        assertThat(one.get("v2").asBoolean()).isTrue();
        assertThat(one.get("tag_status").asText()).isEqualTo("active");
        assertThat(one.get("last_updater_username").asText()).isEqualTo(u.name());
        assertThat(one.get("creator").asLong()).isEqualTo(one.get("last_updater").asLong()).isPositive();
        assertThat(one.get("tag_last_pushed").isTextual()).isTrue();
        assertThat(one.get("tag_last_pulled").isNull()).isTrue();
        assertThat(one.get("images")).hasSize(1);
        JsonNode image = one.get("images").get(0);
        assertThat(image.get("digest").asText()).isEqualTo(single.digest());
        assertThat(image.get("architecture").asText()).isEqualTo("amd64");
        assertThat(image.get("os").asText()).isEqualTo("linux");
        assertThat(image.get("os_version").asText()).isEqualTo("6.1");
        assertThat(image.get("status").asText()).isEqualTo("active");
        assertThat(image.get("layers")).hasSize(2);
        assertThat(image.get("layers").get(0).get("instruction").asText()).isEqualTo("ADD rootfs.tar /");
        assertThat(image.get("layers").get(1).get("instruction").asText()).isEqualTo("RUN make install");
        assertThat(image.get("layers").get(1).get("size").asLong()).isEqualTo(single.layerSizes().get(1));
        assertThat(one.get("full_size").asLong()).isEqualTo(image.get("size").asLong())
                .isGreaterThan(single.layerSizes().get(0) + single.layerSizes().get(1));

        JsonNode both = assertValid(u.hub().get(tags + "/both/")).json();
        assertThat(both.get("digest").asText()).isEqualTo(index.get(2));
        assertThat(both.get("images")).hasSize(2);
        assertThat(both.get("images").get(0).get("digest").asText()).isEqualTo(index.get(0));
        assertThat(both.get("images").get(1).get("architecture").asText()).isEqualTo("arm64");
        assertThat(both.get("images").get(1).get("variant").asText()).isEqualTo("v8");
        assertThat(both.get("images").get(1).get("layers")).hasSize(2);
        assertThat(both.get("full_size").asLong()).isGreaterThan(both.get("images").get(0).get("size").asLong()
                + both.get("images").get(1).get("size").asLong());

        // A pull shows on the tag and on its image.
        assertThat(u.registry().get("/v2/" + repo + "/manifests/single", "Accept", OCI_MANIFEST).status())
                .isEqualTo(200);
        recordPulls();
        JsonNode afterPull = assertValid(u.hub().get(tags + "/single")).json();
        assertThat(afterPull.get("tag_last_pulled").isTextual()).isTrue();
        assertThat(afterPull.get("images").get(0).get("last_pulled").isTextual()).isTrue();

        JsonNode paged = assertValid(u.hub().get(tags + "?page_size=3&page=2")).json();
        assertThat(paged.get("results")).hasSize(1);
        assertThat(assertValid(u.hub().get(tags + "?page=3&page_size=3")).status()).isEqualTo(404);
        assertThat(assertValid(u.hub().get(tags + "?page_size=101")).status()).isEqualTo(400);
        assertThat(names(u.hub().get("/v2/repositories/" + repo + "/tags?page_size=100").json()))
                .containsExactlyElementsOf(names(page));
        assertThat(u.hub().send("HEAD", tags, null).status()).isEqualTo(200);
        assertThat(u.hub().send("HEAD", tags + "/single", null).status()).isEqualTo(200);
        assertThat(u.hub().send("HEAD", tags + "/absent", null).status()).isEqualTo(404);
        assertThat(assertValid(u.hub().get(tags + "/absent")).status()).isEqualTo(404);
        assertThat(assertValid(u.hub().get(tags + "/-not-a-tag")).status()).isEqualTo(404);
        create(u, "empty", false);
        assertThat(u.hub().send("HEAD", u.repos() + "/empty/tags", null).status()).isEqualTo(404);

        Http.Response deleted = u.hub().delete("/v2/repositories/" + repo + "/tags/single/");
        assertThat(deleted.status()).as("%s", deleted).isEqualTo(204);
        assertThat(u.registry().get("/v2/" + repo + "/manifests/single", "Accept", OCI_MANIFEST).status())
                .isEqualTo(404);
        assertThat(u.hub().delete("/v2/repositories/" + repo + "/tags/single/").status()).isEqualTo(404);
        assertThat(server.http().delete("/v2/repositories/" + repo + "/tags/both/").status()).isEqualTo(401);
        JsonNode info = assertValid(u.hub().get(u.repos() + "/multi")).json();
        assertThat(info.get("media_types").toString()).contains(OCI_INDEX, OCI_MANIFEST);
    }

    // ---------------------------------------------------------------------------------------------- immutable tags

    @Test
    void immutableTagsRefuseAMoveAndADeleteThroughTheRegistryButAllowNewTagsAndTheSameDigest() {
        User u = newUser("imm");
        User outsider = newUser("out");
        create(u, "rel", false);
        String repo = u.name() + "/rel";
        String settings = u.repos() + "/rel/immutabletags";
        Pushed v1 = pushImage(u.registry(), repo, "v1.0", "amd64", null);
        pushImage(u.registry(), repo, "latest", "amd64", null);

        Http.Response verify = assertValid(u.hub().post(settings + "/verify", Map.of("regex", "v.*")));
        assertThat(verify.status()).isEqualTo(200);
        assertThat(verify.json().get("tags").toString()).isEqualTo("[\"v1.0\"]");
        Http.Response on = assertValid(u.hub().patch(settings, Map.of("immutable_tags", true,
                "immutable_tags_rules", List.of("v.*", ".*-RELEASE"))));
        assertThat(on.status()).as("%s", on).isEqualTo(200);
        assertThat(on.json().get("immutable_tags_settings").toString())
                .isEqualTo("{\"enabled\":true,\"rules\":[\"v.*\",\".*-RELEASE\"]}");

        RegistryClient.Res moved = u.registry().put("/v2/" + repo + "/manifests/v1.0",
                pushImage(u.registry(), repo, "other", "amd64", null).manifest(), "Content-Type", OCI_MANIFEST);
        assertThat(moved.status()).as("%s", moved).isEqualTo(403);
        assertThat(moved.code()).isEqualTo("DENIED");
        assertThat(u.registry().put("/v2/" + repo + "/manifests/v1.0", v1.manifest(), "Content-Type", OCI_MANIFEST)
                .status()).isEqualTo(201);
        assertThat(u.registry().head("/v2/" + repo + "/manifests/v1.0").header("Docker-Content-Digest"))
                .isEqualTo(v1.digest());
        pushImage(u.registry(), repo, "v2.0", "amd64", null);
        pushImage(u.registry(), repo, "latest", "amd64", null);
        RegistryClient.Res deleted = u.registry().delete("/v2/" + repo + "/manifests/" + v1.digest());
        assertThat(deleted.status()).as("%s", deleted).isEqualTo(403);
        assertThat(deleted.code()).isEqualTo("DENIED");
        Http.Response hubDelete = u.hub().delete("/v2/repositories/" + repo + "/tags/v1.0");
        assertThat(hubDelete.status()).isEqualTo(403);
        assertThat(u.hub().delete("/v2/repositories/" + repo + "/tags/latest").status()).isEqualTo(204);
        assertThat(assertValid(u.hub().post(settings + "/verify", Map.of("regex", "v.*"))).json().get("tags")
                .toString()).isEqualTo("[\"v1.0\",\"v2.0\"]");

        // Switched off, the rules stay but no longer protect.
        assertThat(assertValid(u.hub().patch(settings, Map.of("immutable_tags", false,
                "immutable_tags_rules", List.of("v.*")))).status()).isEqualTo(200);
        assertThat(u.hub().delete("/v2/repositories/" + repo + "/tags/v1.0").status()).isEqualTo(204);

        for (Object bad : List.of(Map.of("immutable_tags", true, "immutable_tags_rules", List.of("v(")),
                Map.of("immutable_tags", true, "immutable_tags_rules", List.of("a,b")),
                Map.of("immutable_tags", true, "immutable_tags_rules", List.of("x".repeat(201))),
                Map.of("immutable_tags", true, "immutable_tags_rules", java.util.Collections.nCopies(21, "v.*")),
                Map.of("immutable_tags", true), Map.of("immutable_tags_rules", List.of()), "{", "[1]")) {
            Http.Response r = u.hub().patch(settings, bad);
            assertThat(r.status()).as("%s", r).isEqualTo(400);
            assertThat(r.json().has("fields")).isTrue();
        }
        assertThat(assertValid(u.hub().post(settings + "/verify", Map.of("regex", "[z"))).status()).isEqualTo(400);
        assertThat(assertValid(u.hub().post(settings + "/verify", Map.of())).status()).isEqualTo(400);
        assertThat(assertValid(outsider.hub().patch(settings, Map.of("immutable_tags", true,
                "immutable_tags_rules", List.of()))).status()).isEqualTo(403);
        // A pathological rule cannot hang the server: a tag it runs out of matching budget on counts as matched,
        // and a rule that does so on many tags is refused.
        String costly = "a".repeat(40) + "-";
        assertThat(u.registry().put("/v2/" + repo + "/manifests/" + costly + "0", v1.manifest(),
                "Content-Type", OCI_MANIFEST).status()).isEqualTo(201);
        assertThat(assertValid(u.hub().post(settings + "/verify", Map.of("regex", "(.*a){12}"))).json().get("tags")
                .toString()).isEqualTo("[\"" + costly + "0\"]");
        for (int i = 1; i <= 10; i++) {
            assertThat(u.registry().put("/v2/" + repo + "/manifests/" + costly + i, v1.manifest(),
                    "Content-Type", OCI_MANIFEST).status()).isEqualTo(201);
        }
        Http.Response tooCostly = assertValid(u.hub().post(settings + "/verify", Map.of("regex", "(.*a){12}")));
        assertThat(tooCostly.status()).isEqualTo(400);
        assertThat(tooCostly.json().get("fields").has("regex")).isTrue();

        JsonNode logs = u.hub().get("/v2/auditlogs/" + u.name() + "?action=repo.immutable.tags.updated").json()
                .get("logs");
        assertThat(logs).hasSize(2);
    }

    @Test
    void organizationAccessTokensAreRefusedOnTheLegacyRoutesOnly() {
        User owner = newUser("oat");
        String org = uniqueName("org");
        assertThat(owner.hub().post("/api/v1/orgs", Map.of("name", org)).status()).isEqualTo(201);
        String orgRepos = "/v2/namespaces/" + org + "/repositories";
        assertThat(owner.hub().post(orgRepos, Map.of("name", "app", "namespace", org)).status()).isEqualTo(201);
        Http.Response token = owner.hub().post("/v2/orgs/" + org + "/access-tokens", Map.of("label", "ci",
                "resources", List.of(Map.of("type", "TYPE_REPO", "path", org + "/*", "scopes",
                        List.of("scope-image-pull")), Map.of("type", "TYPE_ORG", "path", org, "scopes",
                        List.of("scope-repository-list")))));
        assertThat(token.status()).as("%s", token).isEqualTo(201);
        Http robot = server.http().bearer(server.http().post("/v2/auth/token", Map.of("identifier", org,
                "secret", token.json().get("token").asText())).json().get("access_token").asText());
        assertThat(names(assertValid(robot.get(orgRepos)).json())).containsExactly("app");
        assertThat(assertValid(robot.get(orgRepos + "/app")).status()).isEqualTo(200);
        for (String legacy : List.of("/v2/repositories/" + org + "/", "/v2/repositories/" + org + "/app/",
                "/v2/repositories/" + org + "/app/tags")) {
            Http.Response r = robot.get(legacy);
            assertThat(r.status()).as("%s", r).isEqualTo(403);
            assertThat(r.json().get("detail").asText())
                    .isEqualTo("token issued from organization access token is not allowed");
        }
    }

    @Test
    void strangeInputNeverCausesAServerError() {
        User u = newUser("odd");
        create(u, "ok", false);
        List<String> paths = List.of("/v2/namespaces/" + u.name() + "/repositories/UPPER",
                "/v2/namespaces/" + u.name() + "/repositories/a..b/tags", "/v2/namespaces/%20/repositories",
                "/v2/namespaces/" + u.name() + "/repositories/ok/tags/" + "t".repeat(300),
                "/v2/repositories/" + u.name() + "/ok/tags/%2F", "/v2/namespaces/" + u.name()
                        + "/repositories?page=99999999999999", "/v2/namespaces/" + u.name()
                        + "/repositories?ordering=&name=", "/v2/namespaces/" + u.name() + "/repositories/ok/tags?page=-1");
        for (String path : paths) {
            for (Http caller : List.of(server.http(), u.hub())) {
                for (String method : List.of("GET", "HEAD", "DELETE", "PATCH", "POST")) {
                    Http.Response r = caller.send(method, path, method.equals("PATCH") || method.equals("POST")
                            ? "{\"description\": 5}" : null);
                    assertThat(r.status()).as("%s %s", method, r).isLessThan(500);
                }
            }
        }
        for (String v1 : List.of("/v1/repositories/" + u.name() + "/ok/images", "/v1/repositories/x/tags")) {
            assertThat(server.http().get(v1).status()).isEqualTo(410);
            assertThat(u.hub().send("PUT", v1, "{}").status()).isEqualTo(410);
        }
        String longRule = "{\"regex\":\"" + "a".repeat(5000) + "\"}";
        assertThat(u.hub().post(u.repos() + "/ok/immutabletags/verify", longRule).status()).isEqualTo(400);
        assertThat(u.hub().patch("/v2/repositories/" + u.name() + "/ok", "{\"description\": 5}").status())
                .isEqualTo(400);
    }
}
