package dev.wharf.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Http;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A team's permission on a repository, enforced by the registry, with the real {@code skopeo}: an org member (role
 * member: pull only) cannot push until their team gets {@code write}, cannot delete until it gets {@code admin}, and
 * loses both when they leave the team.
 */
@Timeout(600)
abstract class TeamPermissionSkopeoTest extends RegistryTestBase {
    private static final String ORG = "teamworks";

    @TempDir
    Path tmp;

    @Override
    protected boolean needsSkopeo() {
        return true;
    }

    private String image(String tag) {
        return "127.0.0.1:" + server.port() + "/" + ORG + "/app:" + tag;
    }

    private Path layout(String name, long seed) {
        Path dir = tmp.resolve(name);
        OciLayout.write(dir, "latest", List.of(OciLayout.layer(seed, 50_000 + (int) seed)));
        return dir;
    }

    private static void ok(Http.Response r, int status) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
    }

    @Test
    void aTeamsPermissionLetsAMemberPushThenDeleteUntilTheyLeaveTheTeam() {
        Http alice = server.http().bearer(aliceSession);
        ok(alice.post("/api/v1/orgs", Map.of("name", ORG)), 201);
        ok(alice.put("/api/v1/orgs/" + ORG + "/members/bobby", Map.of("role", "member")), 200);
        String bob = "bobby:" + bobPat;
        Skopeo.Result first = Skopeo.push(layout("v1", 1), "latest", image("v1"), "alice:" + alicePat);
        assertThat(first.ok()).as(first.toString()).isTrue();

        Path v2 = layout("v2", 2);
        Skopeo.Result refused = Skopeo.push(v2, "latest", image("v2"), bob);
        assertThat(refused.ok()).as(refused.toString()).isFalse();
        Skopeo.Result pulled = Skopeo.pull(image("v1"), tmp.resolve("pulled"), "v1", bob);
        assertThat(pulled.ok()).as("a member pulls: %s", pulled).isTrue();

        ok(alice.post("/v2/orgs/" + ORG + "/groups", Map.of("name", "builders")), 201);
        ok(alice.post("/v2/orgs/" + ORG + "/groups/builders/members", Map.of("member", "bobby")), 200);
        long team = alice.get("/v2/orgs/" + ORG + "/groups/builders").json().get("id").asLong();
        String grants = "/v2/repositories/" + ORG + "/app/groups";
        ok(alice.post(grants, Map.of("group_id", team, "permission", "read")), 200);
        Skopeo.Result readOnly = Skopeo.push(v2, "latest", image("v2"), bob);
        assertThat(readOnly.ok()).as(readOnly.toString()).isFalse();

        ok(alice.post(grants, Map.of("group_id", team, "permission", "write")), 200);
        Skopeo.Result pushed = Skopeo.push(v2, "latest", image("v2"), bob);
        assertThat(pushed.ok()).as(pushed.toString()).isTrue();
        Skopeo.Result notDeleted = Skopeo.delete(image("v2"), bob);
        assertThat(notDeleted.ok()).as(notDeleted.toString()).isFalse();

        ok(alice.post(grants, Map.of("group_id", team, "permission", "admin")), 200);
        Skopeo.Result deleted = Skopeo.delete(image("v2"), bob);
        assertThat(deleted.ok()).as(deleted.toString()).isTrue();
        Skopeo.Result gone = Skopeo.pull(image("v2"), tmp.resolve("gone"), "v2", "alice:" + alicePat);
        assertThat(gone.ok()).as(gone.toString()).isFalse();
        assertThat(Skopeo.pull(image("v1"), tmp.resolve("kept"), "v1", bob).ok()).isTrue();

        ok(alice.delete("/v2/orgs/" + ORG + "/groups/builders/members/bobby"), 204);
        Skopeo.Result left = Skopeo.push(layout("v3", 3), "latest", image("v3"), bob);
        assertThat(left.ok()).as(left.toString()).isFalse();
        Skopeo.Result stillPulls = Skopeo.pull(image("v1"), tmp.resolve("again"), "v1", bob);
        assertThat(stillPulls.ok()).as(stillPulls.toString()).isTrue();

        // Leaving the org leaves its teams: back in the org at once, bob has a member's grants only.
        ok(alice.post("/v2/orgs/" + ORG + "/groups/builders/members", Map.of("member", "bobby")), 200);
        Skopeo.Result back = Skopeo.push(layout("v3", 3), "latest", image("v3"), bob);
        assertThat(back.ok()).as(back.toString()).isTrue();
        ok(alice.delete("/v2/orgs/" + ORG + "/members/bobby"), 204);
        ok(alice.put("/api/v1/orgs/" + ORG + "/members/bobby", Map.of("role", "member")), 200);
        Skopeo.Result rejoined = Skopeo.push(layout("v4", 4), "latest", image("v4"), bob);
        assertThat(rejoined.ok()).as(rejoined.toString()).isFalse();
        assertThat(alice.get("/v2/orgs/" + ORG + "/groups/builders").json().get("member_count").asInt()).isZero();
    }
}
