package dev.wharf.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.accounts.Account;
import dev.wharf.testing.Http;
import dev.wharf.testing.Sessions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official images' namespace {@code library}: reserved for everyone but a site admin, who creates the
 * organization through the admin API and so owns it; its owners and editors push {@code library/<repo>} with the
 * real {@code skopeo}, and anyone pulls what is public. It is an organization, so nobody signs in as it.
 */
@Timeout(600)
abstract class OfficialImagesTest extends RegistryTestBase {
    private static final String LIBRARY = "library";

    /** Static: the world is built in a {@code @BeforeAll}, before instance fields are injected. */
    @TempDir
    static Path tmp;

    private Http admin;
    private int pulls;

    @Override
    protected boolean needsSkopeo() {
        return true;
    }

    private String host() {
        return "127.0.0.1:" + server.port();
    }

    /** The site admin creates {@code library} and makes bobby an editor of it. */
    @BeforeAll
    void library() {
        admin = hub().bearer(Sessions.adminSession(server));
        Http.Response created = admin.post("/api/v1/orgs", Map.of("name", LIBRARY));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        assertThat(created.json().path("name").asText()).isEqualTo(LIBRARY);
        Http.Response editor = admin.put("/api/v1/orgs/" + LIBRARY + "/members/bobby", Map.of("role", "editor"));
        assertThat(editor.status()).as("%s", editor).isEqualTo(200);
    }

    @Test
    void onlyASiteAdminMayCreateTheOfficialImagesOrganization() {
        // bobby is even an editor of library; neither membership nor anything but site admin lets one create it.
        for (Http notAdmin : List.of(hub().bearer(aliceSession), hub().bearer(bobSession))) {
            Http.Response refused = notAdmin.post("/api/v1/orgs", Map.of("name", LIBRARY));
            assertThat(refused.status()).as("%s", refused).isEqualTo(400);
            assertThat(refused.json().path("fields").path("name").toString()).contains("This name is reserved.");
        }
        Http.Response again = admin.post("/api/v1/orgs", Map.of("name", LIBRARY));
        assertThat(again.status()).as("%s", again).isEqualTo(409);
        // Every other reserved name stays reserved for site admins too.
        Http.Response reserved = admin.post("/api/v1/orgs", Map.of("name", "registry"));
        assertThat(reserved.status()).as("%s", reserved).isEqualTo(400);

        Account library = server.wharf().accounts().find(LIBRARY).orElseThrow();
        assertThat(library.isOrg()).isTrue();
        Account siteAdmin = server.wharf().accounts().user("admin");
        assertThat(server.wharf().accounts().roleOf(library.id(), siteAdmin.id()).orElseThrow().wireName())
                .isEqualTo("owner");
        assertThat(server.wharf().accounts().verifyPassword(LIBRARY, PASSWORD)).isEmpty();
        Http.Response login = hub().post("/v2/users/login", Map.of("username", LIBRARY, "password", PASSWORD));
        assertThat(login.status()).as("%s", login).isEqualTo(401);
        assertThat(anonymous().basic(LIBRARY, PASSWORD).get("/token?service=" + host()
                + "&scope=repository:library/base:pull").status()).isEqualTo(401);
    }

    @Test
    void anEditorPushesAnOfficialImageAndAnyonePullsItOncePublic() {
        Path image = tmp.resolve("base");
        OciLayout.write(image, "latest", List.of(OciLayout.layer(700, 20_000)));
        String base = host() + "/library/base:v1";
        Skopeo.Result outsider = Skopeo.push(image, "latest", base, "alice:" + alicePat);
        assertThat(outsider.ok()).as("a push by a non-member: %s", outsider).isFalse();
        Skopeo.Result pushed = Skopeo.push(image, "latest", base, "bobby:" + bobPat);
        assertThat(pushed.ok()).as("the editor's push: %s", pushed).isTrue();

        // /v2/library/... is the registry's path space, not the Hub's: a refusal comes in the registry's shape.
        RegistryClient.Res anonymousTags = anonymous().get("/v2/library/base/tags/list");
        assertThat(anonymousTags.status()).as("%s", anonymousTags).isEqualTo(401);
        assertThat(anonymousTags.code()).isEqualTo("UNAUTHORIZED");
        assertThat(pull("library/base", null).ok()).as("a private image, anonymously").isFalse();
        assertThat(pull("library/base", "alice:" + alicePat).ok()).as("a private image, by an outsider").isFalse();

        Http.Response publish = admin.post("/v2/repositories/library/base/privacy", Map.of("is_private", false));
        assertThat(publish.status()).as("%s", publish).isEqualTo(200);
        for (String creds : Arrays.asList(null, "alice:" + alicePat, "bobby:" + bobPat)) {
            Skopeo.Result r = pull("library/base", creds);
            assertThat(r.ok()).as("pull as %s: %s", creds, r).isTrue();
        }
        RegistryClient.Res tags = anonymous().get("/v2/library/base/tags/list");
        assertThat(tags.status()).as("%s", tags).isEqualTo(200);
        assertThat(tags.json().path("name").asText()).isEqualTo("library/base");

        // The owner pushes too; the new repository is private until made public.
        String ownerPat = Sessions.newToken(server, Sessions.adminSession(server), "admin-push", "repo:write");
        Skopeo.Result owner = Skopeo.push(image, "latest", host() + "/library/tools:v1", "admin:" + ownerPat);
        assertThat(owner.ok()).as("the owner's push: %s", owner).isTrue();
        assertThat(pull("library/tools", null).ok()).isFalse();
        assertThat(pull("library/tools", "admin:" + ownerPat).ok()).isTrue();
    }

    private Skopeo.Result pull(String repo, String creds) {
        return Skopeo.pull(host() + "/" + repo + ":v1", tmp.resolve("pull-" + pulls++), "v1", creds);
    }
}
