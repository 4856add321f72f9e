package dev.wharf.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.testing.Http;
import dev.wharf.testing.Sessions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restricted images end to end with the real {@code skopeo}: a member of an organization whose policy is on pulls
 * only the organization's own images, official images ({@code library/*}) when the policy allows them, and verified
 * publishers' images when it allows those and a site admin marked the publisher; any other pull is refused at
 * {@code /token} and on the registry path with a message naming the policy, which skopeo prints. Pushes, robots and
 * outsiders are not restricted.
 */
@Timeout(600)
abstract class RestrictedImagesTest extends RegistryTestBase {
    private static final String OFFICIAL = "library/rsbase";

    /** Static: the world is built in a {@code @BeforeAll}, before instance fields are injected. */
    @TempDir
    static Path tmp;

    private String acme;
    private String vendor;
    private String carolName;
    private String carolPat;
    private Http aliceHub;
    private Http admin;
    private int pulls;

    @Override
    protected boolean needsSkopeo() {
        return true;
    }

    private String host() {
        return "127.0.0.1:" + server.port();
    }

    /**
     * alice owns {@code acme} with {@code acme/app}; carol is a plain member of it; bobby has the public
     * {@code bobby/app} and owns {@code vendor}, whose public {@code vendor/tool} a site admin marks as a verified
     * publisher's; and a site admin publishes an official image.
     */
    @BeforeAll
    void world() {
        aliceHub = hub().bearer(aliceSession);
        admin = hub().bearer(Sessions.adminSession(server));
        Http bobHub = hub().bearer(bobSession);
        acme = "acme" + backend().name().toLowerCase(java.util.Locale.ROOT);
        vendor = "vendor" + backend().name().toLowerCase(java.util.Locale.ROOT);
        assertThat(aliceHub.post("/api/v1/orgs", Map.of("name", acme)).status()).isEqualTo(201);
        assertThat(bobHub.post("/api/v1/orgs", Map.of("name", vendor)).status()).isEqualTo(201);
        carolName = "carol" + backend().name().toLowerCase(java.util.Locale.ROOT);
        String carolSession = Sessions.newUser(server, carolName, PASSWORD);
        carolPat = Sessions.newToken(server, carolSession, "carol-read", "repo:read");
        assertThat(aliceHub.put("/api/v1/orgs/" + acme + "/members/" + carolName, Map.of("role", "member"))
                .status()).isEqualTo(200);
        Path image = layout("image", 900);
        push(image, acme + "/app", "alice:" + alicePat);
        push(image, "bobby/app", "bobby:" + bobPat);
        push(image, vendor + "/tool", "bobby:" + bobPat);
        makePublic("bobby/app");
        makePublic(vendor + "/tool");
        publishOfficialImage(image);
        assertThat(admin.put("/api/v1/namespaces/" + vendor + "/verified-publisher", null).status()).isEqualTo(200);
    }

    private Path layout(String name, long seed) {
        Path dir = tmp.resolve(name);
        OciLayout.write(dir, "latest", List.of(OciLayout.layer(seed, 20_000)));
        return dir;
    }

    private void push(Path layout, String repo, String creds) {
        Skopeo.Result r = Skopeo.push(layout, "latest", host() + "/" + repo + ":v1", creds);
        assertThat(r.ok()).as("push %s: %s", repo, r).isTrue();
    }

    /**
     * The official image is published the way any would be: a site admin creates the {@code library} organization,
     * which they own, makes bobby its editor, bobby pushes {@code library/rsbase} and the admin makes it public.
     */
    private void publishOfficialImage(Path image) {
        assertThat(admin.post("/api/v1/orgs", Map.of("name", "library")).status()).isEqualTo(201);
        assertThat(admin.put("/api/v1/orgs/library/members/bobby", Map.of("role", "editor")).status())
                .isEqualTo(200);
        push(image, OFFICIAL, "bobby:" + bobPat);
        assertThat(admin.post("/v2/repositories/" + OFFICIAL + "/privacy", Map.of("is_private", false)).status())
                .isEqualTo(200);
    }

    private static JsonNode read(byte[] json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void policy(String org, Http owner, boolean enabled, boolean official, boolean verified) {
        Map<String, Object> restricted = new LinkedHashMap<>();
        restricted.put("enabled", enabled);
        restricted.put("allow_official_images", official);
        restricted.put("allow_verified_publishers", verified);
        Http.Response r = owner.put("/v2/orgs/" + org + "/settings", Map.of("restricted_images", restricted));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
    }

    private Skopeo.Result pull(String repo, String creds) {
        return Skopeo.pull(host() + "/" + repo + ":v1", tmp.resolve("pull-" + pulls++), "v1", creds);
    }

    private String carol() {
        return carolName + ":" + carolPat;
    }

    private void assertPulls(String repo, String creds) {
        Skopeo.Result r = pull(repo, creds);
        assertThat(r.ok()).as("pull of %s: %s", repo, r).isTrue();
    }

    private void assertRefused(String repo, String creds, String org, String allowed) {
        Skopeo.Result r = pull(repo, creds);
        assertThat(r.ok()).as("pull of %s: %s", repo, r).isFalse();
        assertThat(r.output()).as("what skopeo prints").contains("pull of " + repo + " refused: organization " + org
                + " restricts images to " + allowed);
    }

    @Test
    void aMemberPullsOnlyWhatTheOrgsPolicyAllows() {
        String all = "its own, official and verified-publisher repositories";
        try {
            assertPulls("bobby/app", carol());
            policy(acme, aliceHub, true, true, true);
            assertPulls(acme + "/app", carol());
            assertPulls(OFFICIAL, carol());
            assertPulls(vendor + "/tool", carol());
            assertRefused("bobby/app", carol(), acme, all);
            assertRefused("bobby/app", carolName + ":" + PASSWORD, acme, all);

            policy(acme, aliceHub, true, false, true);
            assertRefused(OFFICIAL, carol(), acme, "its own and verified-publisher repositories");
            assertPulls(vendor + "/tool", carol());

            policy(acme, aliceHub, true, true, false);
            assertRefused(vendor + "/tool", carol(), acme, "its own and official repositories");
            assertPulls(OFFICIAL, carol());

            policy(acme, aliceHub, true, false, false);
            assertRefused(OFFICIAL, carol(), acme, "its own repositories");
            assertPulls(acme + "/app", carol());

            policy(acme, aliceHub, true, true, true);
            assertThat(admin.delete("/api/v1/namespaces/" + vendor + "/verified-publisher").status()).isEqualTo(204);
            assertRefused(vendor + "/tool", carol(), acme, all);
            assertThat(admin.put("/api/v1/namespaces/" + vendor + "/verified-publisher", null).status())
                    .isEqualTo(200);
            assertPulls(vendor + "/tool", carol());

            policy(acme, aliceHub, false, true, true);
            assertPulls("bobby/app", carol());
        } finally {
            policy(acme, aliceHub, false, true, true);
        }
    }

    @Test
    void theRegistryPathRefusesATokenIssuedBeforeThePolicyWasTurnedOn() {
        RegistryClient carol = anonymous().basic(carolName, carolPat);
        RegistryClient.Res issued = carol.get("/token?service=" + host() + "&scope=repository:bobby/app:pull");
        assertThat(issued.status()).as("%s", issued).isEqualTo(200);
        RegistryClient bearer = anonymous().bearer(issued.json().path("token").asText());
        assertThat(bearer.get("/v2/bobby/app/manifests/v1").status()).isEqualTo(200);
        try {
            policy(acme, aliceHub, true, true, true);
            String message = "pull of bobby/app refused: organization " + acme + " restricts images to its own,"
                    + " official and verified-publisher repositories";
            for (String path : List.of("/v2/bobby/app/manifests/v1", "/v2/bobby/app/tags/list")) {
                RegistryClient.Res refused = bearer.get(path);
                assertThat(refused.status()).as("%s", refused).isEqualTo(403);
                assertThat(refused.code()).isEqualTo("DENIED");
                assertThat(refused.json().path("errors").path(0).path("message").asText()).isEqualTo(message);
            }
            RegistryClient.Res head = bearer.head("/v2/bobby/app/manifests/v1");
            assertThat(head.status()).as("%s", head).isEqualTo(403);
            RegistryClient.Res basic = carol.get("/v2/bobby/app/manifests/v1");
            assertThat(basic.status()).as("%s", basic).isEqualTo(403);
            assertThat(basic.json().path("errors").path(0).path("message").asText()).isEqualTo(message);

            RegistryClient.Res token = carol.get("/token?service=" + host() + "&scope=repository:bobby/app:pull");
            assertThat(token.status()).as("%s", token).isEqualTo(401);
            assertThat(token.code()).isEqualTo("DENIED");
            assertThat(token.json().path("errors").path(0).path("message").asText()).isEqualTo(message);
            RegistryClient.Res form = anonymous().post("/token", ("grant_type=password&username=" + carolName
                            + "&password=" + carolPat + "&scope=repository:bobby/app:pull")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "Content-Type", "application/x-www-form-urlencoded");
            assertThat(form.status()).as("%s", form).isEqualTo(401);
            assertThat(form.json().path("errors").path(0).path("message").asText()).isEqualTo(message);

            // A token request that also asks for something allowed gets it, without the refused pull.
            RegistryClient.Res mixed = carol.get("/token?service=" + host() + "&scope=repository:bobby/app:pull"
                    + "&scope=repository:" + acme + "/app:pull");
            assertThat(mixed.status()).as("%s", mixed).isEqualTo(200);
            RegistryClient mixedBearer = anonymous().bearer(mixed.json().path("token").asText());
            assertThat(mixedBearer.get("/v2/" + acme + "/app/manifests/v1").status()).isEqualTo(200);
            assertThat(mixedBearer.get("/v2/bobby/app/manifests/v1").status()).isEqualTo(403);
        } finally {
            policy(acme, aliceHub, false, true, true);
        }
        assertThat(bearer.get("/v2/bobby/app/manifests/v1").status()).isEqualTo(200);
    }

    @Test
    void pushesRobotsAndOutsidersAreNotRestricted() {
        Path image = layout("own", 901);
        String carolWrite = carolName + ":" + Sessions.newToken(server,
                Sessions.login(hub(), carolName, PASSWORD), "carol-write", "repo:write");
        Http.Response oat = aliceHub.post("/v2/orgs/" + acme + "/access-tokens", Map.of("label", "puller",
                "resources", List.of(Map.of("type", "TYPE_REPO", "path", "*/*/public",
                        "scopes", List.of("scope-image-pull")))));
        assertThat(oat.status()).as("%s", oat).isEqualTo(201);
        String robot = acme + ":" + oat.json().path("token").asText();
        try {
            policy(acme, aliceHub, true, false, false);
            // carol's own namespace is no approved source, but pushing there (with its blob checks) is not a pull.
            push(image, carolName + "/own", carolWrite);
            push(image, carolName + "/own-again", carolWrite);
            assertRefused(carolName + "/own", carolWrite, acme, "its own repositories");
            assertPulls("bobby/app", robot);
            assertPulls("bobby/app", "bobby:" + bobPat);
            assertPulls("bobby/app", null);
        } finally {
            policy(acme, aliceHub, false, true, true);
        }
        assertPulls(carolName + "/own", carolWrite);
    }

    @Test
    void aPushMayNotMountFromARefusedRepositoryButStillGetsItsToken() {
        String configDigest = read(server.wharf().repositories().manifestBytes(server.wharf().repositories()
                .manifest(repository("bobby/app"), "v1").orElseThrow())).path("config").path("digest").asText();
        RegistryClient carol = anonymous().basic(carolName, Sessions.newToken(server,
                Sessions.login(hub(), carolName, PASSWORD), "carol-mount", "repo:write"));
        String target = carolName + "/mounted";
        try {
            policy(acme, aliceHub, true, true, true);
            RegistryClient.Res token = carol.get("/token?service=" + host() + "&scope=repository:" + target
                    + ":pull,push&scope=repository:bobby/app:pull");
            assertThat(token.status()).as("%s", token).isEqualTo(200);
            RegistryClient bearer = anonymous().bearer(token.json().path("token").asText());
            RegistryClient.Res mount = bearer.post("/v2/" + target + "/blobs/uploads/?mount=" + configDigest
                    + "&from=bobby/app", new byte[0]);
            assertThat(mount.status()).as("an upload instead of a mount: %s", mount).isEqualTo(202);
        } finally {
            policy(acme, aliceHub, false, true, true);
        }
        RegistryClient.Res token = carol.get("/token?service=" + host() + "&scope=repository:" + target
                + ":pull,push&scope=repository:bobby/app:pull");
        RegistryClient bearer = anonymous().bearer(token.json().path("token").asText());
        RegistryClient.Res mount = bearer.post("/v2/" + target + "/blobs/uploads/?mount=" + configDigest
                + "&from=bobby/app", new byte[0]);
        assertThat(mount.status()).as("with the policy off, a mount: %s", mount).isEqualTo(201);
    }

    @Test
    void aMemberOfSeveralRestrictingOrgsPullsOnlyWhatEveryOneOfThemAllows() {
        String beta = "beta" + backend().name().toLowerCase(java.util.Locale.ROOT);
        Http bobHub = hub().bearer(bobSession);
        assertThat(bobHub.post("/api/v1/orgs", Map.of("name", beta)).status()).isEqualTo(201);
        assertThat(bobHub.put("/api/v1/orgs/" + beta + "/members/" + carolName, Map.of("role", "member"))
                .status()).isEqualTo(200);
        Path image = layout("beta", 902);
        push(image, beta + "/app", "bobby:" + bobPat);
        try {
            policy(acme, aliceHub, true, true, true);
            policy(beta, bobHub, true, true, true);
            assertRefused(beta + "/app", carol(), acme, "its own, official and verified-publisher repositories");
            assertRefused(acme + "/app", carol(), beta, "its own, official and verified-publisher repositories");
            assertPulls(OFFICIAL, carol());
            policy(beta, bobHub, false, true, true);
            assertPulls(acme + "/app", carol());
            assertThat(bobHub.delete("/api/v1/orgs/" + beta + "/members/" + carolName).status()).isEqualTo(204);
            policy(beta, bobHub, true, false, false);
            assertPulls(acme + "/app", carol());
        } finally {
            policy(acme, aliceHub, false, true, true);
            policy(beta, bobHub, false, true, true);
        }
    }
}
