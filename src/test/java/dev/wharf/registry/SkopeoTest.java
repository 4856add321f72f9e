package dev.wharf.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Http;
import dev.wharf.testing.Sessions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with the real {@code skopeo}: push and pull byte-identical, list-tags, delete, and the whole scope matrix
 * (each PAT scope × pull/push/delete × own/other namespace × public/private, anonymous, deactivated and deleted PATs).
 */
@Timeout(600)
abstract class SkopeoTest extends RegistryTestBase {
    @TempDir
    Path tmp;

    @Override
    protected boolean needsSkopeo() {
        return true;
    }

    String host() {
        return "127.0.0.1:" + server.port();
    }

    Path layout(String name, long seed, int... layerSizes) {
        Path dir = tmp.resolve(name);
        List<byte[]> layers = new ArrayList<>();
        for (int i = 0; i < layerSizes.length; i++) {
            layers.add(OciLayout.layer(seed * 100 + i, layerSizes[i]));
        }
        OciLayout.write(dir, "latest", layers);
        return dir;
    }

    @Test
    void pushThenPullBackByteIdentical() {
        Path source = layout("src", 1, 2_000_000, 300_000);
        Skopeo.Result push = Skopeo.push(source, "latest", host() + "/alice/e2e:v1", "alice:" + alicePat);
        assertThat(push.ok()).as(push.toString()).isTrue();
        Path copy = tmp.resolve("copy");
        Skopeo.Result pull = Skopeo.pull(host() + "/alice/e2e:v1", copy, "v1", "alice:" + alicePat);
        assertThat(pull.ok()).as(pull.toString()).isTrue();
        Map<String, byte[]> original = OciLayout.blobs(source);
        Map<String, byte[]> pulled = OciLayout.blobs(copy);
        assertThat(pulled.keySet()).containsExactlyInAnyOrderElementsOf(original.keySet());
        original.forEach((digest, bytes) -> assertThat(pulled.get(digest)).as(digest).isEqualTo(bytes));
    }

    @Test
    void aPushToANameWithoutANamespaceSaysWhy() {
        Path source = layout("bare", 3, 1_000);
        Skopeo.Result push = Skopeo.push(source, "latest", host() + "/bare:v1", "alice:" + alicePat);
        assertThat(push.ok()).isFalse();
        // What skopeo prints is the registry's reason, not a bare "400 (Bad Request)".
        assertThat(push.toString()).contains("name invalid: repository name must start with a namespace")
                .doesNotContain("400 (Bad Request)");
    }

    @Test
    void dockerSchema2PushAndPull() {
        Path source = layout("docker", 7, 400_000);
        Skopeo.Result push = Skopeo.run("copy", "--format", "v2s2", "--dest-tls-verify=false", "--dest-creds",
                "alice:" + alicePat, "oci:" + source + ":latest", "docker://" + host() + "/alice/dockerfmt:v1");
        assertThat(push.ok()).as(push.toString()).isTrue();
        RegistryClient.Res head = alice().head("/v2/alice/dockerfmt/manifests/v1",
                "Accept", "application/vnd.docker.distribution.manifest.v2+json");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Type")).isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
        Path copy = tmp.resolve("docker-copy");
        Skopeo.Result pull = Skopeo.run("copy", "--src-tls-verify=false", "--src-creds", "alice:" + alicePat,
                "docker://" + host() + "/alice/dockerfmt:v1", "dir:" + copy);
        assertThat(pull.ok()).as(pull.toString()).isTrue();
        Map<String, byte[]> original = OciLayout.blobs(source);
        for (Map.Entry<String, byte[]> layer : original.entrySet()) {
            Path file = copy.resolve(layer.getKey());
            if (java.nio.file.Files.exists(file)) {
                assertThat(readAll(file)).as(layer.getKey()).isEqualTo(layer.getValue());
            }
        }
        String layerHex = RegistryClient.digest(OciLayout.layer(700, 400_000)).substring("sha256:".length());
        assertThat(copy.resolve(layerHex)).as("the layer, unchanged").exists();
    }

    private static byte[] readAll(Path file) {
        try {
            return java.nio.file.Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void listTagsAndDelete() {
        Path one = layout("one", 2, 10_000);
        Path two = layout("two", 3, 10_000);
        String creds = "alice:" + alicePat;
        assertThat(Skopeo.push(one, "latest", host() + "/alice/tagged:v1", creds).ok()).isTrue();
        assertThat(Skopeo.push(two, "latest", host() + "/alice/tagged:v2", creds).ok()).isTrue();
        Skopeo.Result tags = Skopeo.listTags(host() + "/alice/tagged", creds);
        assertThat(tags.ok()).as(tags.toString()).isTrue();
        assertThat(tags.output()).contains("\"v1\"", "\"v2\"");
        Skopeo.Result delete = Skopeo.delete(host() + "/alice/tagged:v2", creds);
        assertThat(delete.ok()).as(delete.toString()).isTrue();
        Skopeo.Result after = Skopeo.listTags(host() + "/alice/tagged", creds);
        assertThat(after.output()).contains("\"v1\"").doesNotContain("\"v2\"");
        assertThat(alice().get("/v2/alice/tagged/manifests/v2").status()).isEqualTo(404);
    }

    /** What a PAT of this scope may do on a repository, by the scope table and the account rules. */
    static boolean expected(String scope, String action, boolean own, boolean isPublic) {
        boolean account = own || (action.equals("pull") && isPublic);
        boolean credential = switch (scope) {
            case "repo:public_read" -> action.equals("pull") && isPublic;
            case "repo:read" -> action.equals("pull");
            case "repo:write" -> !action.equals("delete");
            default -> true;
        };
        return account && credential;
    }

    @Test
    void scopeMatrix() throws IOException {
        Path image = layout("matrix", 4, 5_000);
        String bobCreds = "bobby:" + bobPat;
        String[][] targets = {{"alice/mx-private", "own", "private"}, {"alice/mx-public", "own", "public"},
                {"bobby/mx-private", "other", "private"}, {"bobby/mx-public", "other", "public"}};
        for (String[] t : targets) {
            String ownerCreds = t[1].equals("own") ? "alice:" + alicePat : bobCreds;
            assertThat(Skopeo.push(image, "latest", host() + "/" + t[0] + ":v1", ownerCreds).ok()).isTrue();
            if (t[2].equals("public")) {
                makePublic(t[0]);
            }
        }
        List<String> failures = new ArrayList<>();
        int deleteSeed = 0;
        for (String scope : new String[] {"repo:public_read", "repo:read", "repo:write", "repo:admin"}) {
            String creds = "alice:" + Sessions.newToken(server, aliceSession, "matrix " + scope, scope);
            String suffix = scope.substring(scope.indexOf(':') + 1).replace("_", "");
            for (String[] t : targets) {
                boolean own = t[1].equals("own");
                boolean isPublic = t[2].equals("public");
                RegistryClient owner = own ? alice() : bob();
                String where = scope + " on " + t[0] + " ";

                Path pulled = tmp.resolve("pull-" + suffix + "-" + t[0].replace('/', '-'));
                boolean pullOk = Skopeo.pull(host() + "/" + t[0] + ":v1", pulled, "v1", creds).ok();
                check(failures, where + "pull", expected(scope, "pull", own, isPublic), pullOk);

                boolean pushOk = Skopeo.push(image, "latest", host() + "/" + t[0] + ":push-" + suffix, creds).ok();
                check(failures, where + "push", expected(scope, "push", own, isPublic), pushOk);
                check(failures, where + "push visible", pushOk,
                        owner.head("/v2/" + t[0] + "/manifests/push-" + suffix).status() == 200);

                Image victim = pushImage(owner, t[0], "del-" + suffix + "-" + deleteSeed++, 1);
                String tag = "del-" + suffix + "-" + (deleteSeed - 1);
                boolean deleteOk = Skopeo.delete(host() + "/" + t[0] + ":" + tag, creds).ok();
                check(failures, where + "delete", expected(scope, "delete", own, isPublic), deleteOk);
                check(failures, where + "delete effective", !deleteOk,
                        owner.head("/v2/" + t[0] + "/manifests/" + victim.digest()).status() == 200);
            }
        }
        assertThat(failures).isEmpty();
    }

    private static void check(List<String> failures, String what, boolean expected, boolean actual) {
        if (expected != actual) {
            failures.add(what + ": expected " + (expected ? "allowed" : "refused") + " but was "
                    + (actual ? "allowed" : "refused"));
        }
    }

    @Test
    void anonymousMayPullPublicOnly() {
        Path image = layout("anon", 5, 5_000);
        String creds = "alice:" + alicePat;
        assertThat(Skopeo.push(image, "latest", host() + "/alice/anon-public:v1", creds).ok()).isTrue();
        assertThat(Skopeo.push(image, "latest", host() + "/alice/anon-private:v1", creds).ok()).isTrue();
        makePublic("alice/anon-public");
        assertThat(Skopeo.pull(host() + "/alice/anon-public:v1", tmp.resolve("a1"), "v1", null).ok()).isTrue();
        assertThat(Skopeo.pull(host() + "/alice/anon-private:v1", tmp.resolve("a2"), "v1", null).ok()).isFalse();
        assertThat(Skopeo.push(image, "latest", host() + "/alice/anon-public:evil", null).ok()).isFalse();
        assertThat(Skopeo.delete(host() + "/alice/anon-public:v1", null).ok()).isFalse();
        assertThat(alice().head("/v2/alice/anon-public/manifests/evil").status()).isEqualTo(404);
    }

    @Test
    void deactivatedAndDeletedTokensStopWorking() throws IOException {
        Path image = layout("revoked", 6, 5_000);
        for (String how : new String[] {"deactivate", "delete"}) {
            Http.Response created = hub().bearer(aliceSession).post("/v2/access-tokens",
                    Map.of("token_label", "skopeo-" + how, "scopes", List.of("repo:admin")));
            String uuid = created.json().get("uuid").asText();
            String creds = "alice:" + created.json().get("token").asText();
            String repo = host() + "/alice/revoke-" + how;
            assertThat(Skopeo.push(image, "latest", repo + ":v1", creds).ok()).isTrue();
            Http.Response change = how.equals("delete")
                    ? hub().bearer(aliceSession).delete("/v2/access-tokens/" + uuid)
                    : hub().bearer(aliceSession).patch("/v2/access-tokens/" + uuid, Map.of("is_active", false));
            assertThat(change.status()).isIn(200, 204);
            assertThat(Skopeo.pull(repo + ":v1", tmp.resolve("r-" + how), "v1", creds).ok()).as(how).isFalse();
            assertThat(Skopeo.push(image, "latest", repo + ":v2", creds).ok()).as(how).isFalse();
            assertThat(Skopeo.delete(repo + ":v1", creds).ok()).as(how).isFalse();
        }
    }

    /** An organization access token created through the Hub API with these resources; its skopeo credentials. */
    private String orgToken(String org, List<Map<String, Object>> resources) {
        Http.Response r = hub().bearer(aliceSession).post("/v2/orgs/" + org + "/access-tokens",
                Map.of("label", "skopeo " + resources.size(), "resources", resources));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return org + ":" + r.json().get("token").asText();
    }

    private static Map<String, Object> repoResource(String path, String scope) {
        return Map.of("type", "TYPE_REPO", "path", path, "scopes", List.of(scope));
    }

    @Test
    void anOrgAccessTokenPullsAndPushesOnlyWhatItsResourcesNameInsideItsOrg() {
        String org = "skopeoorg";
        assertThat(hub().bearer(aliceSession).post("/api/v1/orgs", Map.of("name", org)).status()).isEqualTo(201);
        Path image = layout("oat", 8, 5_000);
        String aliceCreds = "alice:" + alicePat;
        for (String repo : List.of(org + "/app", org + "/lib-core", org + "/secret")) {
            assertThat(Skopeo.push(image, "latest", host() + "/" + repo + ":v1", aliceCreds).ok()).as(repo).isTrue();
        }
        String bobCreds = "bobby:" + bobPat;
        assertThat(Skopeo.push(image, "latest", host() + "/bobby/oat-public:v1", bobCreds).ok()).isTrue();
        assertThat(Skopeo.push(image, "latest", host() + "/bobby/oat-private:v1", bobCreds).ok()).isTrue();
        makePublic("bobby/oat-public");

        String pusher = orgToken(org, List.of(repoResource(org + "/app", "scope-image-push"),
                repoResource(org + "/lib-*", "scope-image-pull")));
        String deleter = orgToken(org, List.of(repoResource("*/*/public", "scope-image-pull"),
                repoResource(org + "/*", "scope-image-delete")));
        record Expect(String creds, String action, String repo, boolean allowed) {
        }
        List<Expect> matrix = List.of(
                new Expect(pusher, "pull", org + "/app", true),
                new Expect(pusher, "push", org + "/app", true),
                new Expect(pusher, "delete", org + "/app", false),
                new Expect(pusher, "pull", org + "/lib-core", true),
                new Expect(pusher, "push", org + "/lib-core", false),
                new Expect(pusher, "push", org + "/lib-new", false),
                new Expect(pusher, "pull", org + "/secret", false),
                new Expect(pusher, "push", org + "/secret", false),
                new Expect(pusher, "pull", "bobby/oat-public", false),
                new Expect(pusher, "push", "alice/oat-escape", false),
                new Expect(deleter, "pull", "bobby/oat-public", true),
                new Expect(deleter, "push", "bobby/oat-public", false),
                new Expect(deleter, "delete", "bobby/oat-public", false),
                new Expect(deleter, "pull", "bobby/oat-private", false),
                new Expect(deleter, "pull", org + "/secret", true),
                new Expect(deleter, "push", org + "/secret", true),
                new Expect(deleter, "delete", org + "/secret", true));
        List<String> failures = new ArrayList<>();
        int n = 0;
        for (Expect e : matrix) {
            String target = host() + "/" + e.repo();
            boolean ok = switch (e.action()) {
                case "pull" -> Skopeo.pull(target + ":v1", tmp.resolve("oat-pull-" + n++), "v1", e.creds()).ok();
                case "push" -> Skopeo.push(image, "latest", target + ":oat-" + n++, e.creds()).ok();
                default -> Skopeo.delete(target + ":v1", e.creds()).ok();
            };
            check(failures, (e.creds().equals(pusher) ? "pusher " : "deleter ") + e.action() + " " + e.repo(),
                    e.allowed(), ok);
        }
        assertThat(failures).isEmpty();
        assertThat(alice().head("/v2/" + org + "/secret/manifests/v1").status()).as("deleted").isEqualTo(404);
        assertThat(alice().head("/v2/" + org + "/app/manifests/v1").status()).as("kept").isEqualTo(200);
        assertThat(bob().head("/v2/bobby/oat-public/manifests/v1").status()).as("kept").isEqualTo(200);
    }
}
