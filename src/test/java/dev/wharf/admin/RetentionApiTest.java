package dev.wharf.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.audit.Actor;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.Retention;
import dev.wharf.repositories.RetentionPolicies;
import dev.wharf.testing.Http;
import dev.wharf.testing.ManualClock;
import dev.wharf.testing.Pushes;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Retention policies through the admin API over real HTTP: validation, who may, audit, and dry runs that list exactly
 * what the policy removes (time moved by a {@link ManualClock}); applying a plan deletes those tags and never an
 * immutable one.
 */
abstract class RetentionApiTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";
    private final ManualClock clock = new ManualClock();

    @Override
    protected Clock clock() {
        return clock;
    }

    /** A user with a session for the admin API and a token for the registry. */
    private record User(String name, Http api, Pushes registry) {
    }

    private User newUser(String prefix) {
        String name = uniqueName(prefix);
        String session = Sessions.newUser(server, name, PASSWORD);
        String pat = Sessions.newToken(server, session, "push", "repo:admin");
        return new User(name, server.http().bearer(session), new Pushes(server.url(), name, pat));
    }

    /** Signed in again: a test that moves the clock by days outlives a session. */
    private User again(User u) {
        return new User(u.name(), server.http().bearer(Sessions.login(server.http(), u.name(), PASSWORD)),
                u.registry());
    }

    private static String repoPolicy(String repo) {
        return "/api/v1/repositories/" + repo + "/retention";
    }

    private static String nsPolicy(String ns) {
        return "/api/v1/namespaces/" + ns + "/retention";
    }

    private static Map<String, Object> policy(Object... kv) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put((String) kv[i], kv[i + 1]);
        }
        return out;
    }

    private Jdbi jdbi() {
        return server.wharf().database().jdbi();
    }

    private static List<String> tagNames(JsonNode plan) {
        List<String> out = new ArrayList<>();
        plan.path("tags").forEach(t -> out.add(t.path("tag").asText()));
        return out;
    }

    private static List<String> untagged(JsonNode plan) {
        List<String> out = new ArrayList<>();
        plan.path("untagged_manifests").forEach(t -> out.add(t.path("digest").asText()));
        return out;
    }

    @Test
    void invalidPoliciesAreRefusedFieldByField() {
        User u = newUser("val");
        String repo = u.name() + "/app";
        u.registry().image(repo, "v1", "amd64", 1);
        Map<Map<String, Object>, String> cases = new LinkedHashMap<>();
        cases.put(policy("keep_pattern", "v(", "keep_count", 3), "keep_pattern");
        cases.put(policy("keep_pattern", "a".repeat(257), "keep_count", 3), "keep_pattern");
        cases.put(policy("keep_count", 3), "keep_pattern");
        cases.put(policy("keep_pattern", "v.*"), "keep_count");
        cases.put(policy("keep_pattern", "v.*", "keep_count", 0), "keep_count");
        cases.put(policy("keep_pattern", "v.*", "keep_count", 10_001), "keep_count");
        cases.put(policy("unpulled_days", 0), "unpulled_days");
        cases.put(policy("untagged_days", 36_501), "untagged_days");
        cases.put(policy(), "policy");
        cases.put(policy("unpulled_days", "soon"), "unpulled_days");
        for (Map.Entry<Map<String, Object>, String> c : cases.entrySet()) {
            Http.Response r = u.api().put(repoPolicy(repo), c.getKey());
            assertThat(r.status()).as("%s -> %s", c.getKey(), r).isEqualTo(400);
            assertThat(r.json().get("message").asText()).isNotBlank();
            assertThat(r.json().path("fields").has(c.getValue())).as("%s -> %s", c.getKey(), r).isTrue();
            Http.Response ns = u.api().put(nsPolicy(u.name()), c.getKey());
            assertThat(ns.status()).as("%s -> %s", c.getKey(), ns).isEqualTo(400);
        }
        assertThat(u.api().get(repoPolicy(repo)).status()).as("nothing was stored").isEqualTo(404);
        assertThat(u.api().put(repoPolicy(repo), policy("keep_pattern", "a".repeat(256), "keep_count", 10_000,
                "unpulled_days", 36_500, "untagged_days", 1)).status()).as("the bounds themselves").isEqualTo(200);
    }

    @Test
    void onlyOwnersAndSiteAdminsMayAndOthersSeeNothingPrivate() {
        User owner = newUser("own");
        User other = newUser("oth");
        String repo = owner.name() + "/app";
        owner.registry().image(repo, "v1", "amd64", 2);

        Http.Response hidden = other.api().get(repoPolicy(repo));
        assertThat(hidden.status()).as("a private repository: %s", hidden).isEqualTo(404);
        assertThat(hidden.json().get("message").asText()).isNotBlank();
        assertThat(other.api().put(repoPolicy(repo), policy("unpulled_days", 3)).status()).isEqualTo(404);
        assertThat(other.api().post(repoPolicy(repo) + "/dry-run", null).status()).isEqualTo(404);
        assertThat(other.api().put(nsPolicy(owner.name()), policy("unpulled_days", 3)).status()).isEqualTo(403);
        assertThat(other.api().delete(nsPolicy(owner.name())).status()).isEqualTo(403);
        assertThat(other.api().post(nsPolicy(owner.name()) + "/dry-run", null).status()).isEqualTo(403);
        assertThat(server.http().get(repoPolicy(repo)).status()).isEqualTo(401);

        jdbi().useHandle(h -> h.createUpdate("UPDATE repositories SET is_private = FALSE WHERE name = :n")
                .bind("n", repo).execute());
        clock.advance(Duration.ofSeconds(2));
        Http.Response forbidden = other.api().put(repoPolicy(repo), policy("unpulled_days", 3));
        assertThat(forbidden.status()).as("a public repository: %s", forbidden).isEqualTo(403);

        Http admin = server.http().bearer(Sessions.adminSession(server));
        assertThat(admin.put(repoPolicy(repo), policy("unpulled_days", 3)).status()).isEqualTo(200);
        assertThat(admin.get(repoPolicy(repo)).json().get("updated_by").asText()).isEqualTo("admin");
        for (String unknown : List.of(owner.name() + "/nope", "nosuchns42/app", "x/Bad!")) {
            Http.Response r = admin.get(repoPolicy(unknown));
            assertThat(r.status()).as("%s", r).isEqualTo(404);
            assertThat(r.json().get("message").asText()).isNotBlank();
        }
        assertThat(admin.get(nsPolicy("nosuchns42")).status()).isEqualTo(404);
        assertThat(admin.post(nsPolicy("nosuchns42") + "/dry-run", null).status()).isEqualTo(404);

        String org = uniqueName("org");
        assertThat(owner.api().post("/api/v1/orgs", Map.of("name", org)).status()).isEqualTo(201);
        assertThat(owner.api().put(nsPolicy(org), policy("untagged_days", 7)).status()).as("its owner")
                .isEqualTo(200);
        assertThat(other.api().get(nsPolicy(org)).status()).isEqualTo(403);
    }

    @Test
    void setGetAndDeleteAreAuditedAndARepositoryInheritsItsNamespaceDefault() {
        User u = newUser("aud");
        String repo = u.name() + "/app";
        u.registry().image(repo, "v1", "amd64", 3);

        Http.Response set = u.api().put(nsPolicy(u.name()), policy("unpulled_days", 90));
        assertThat(set.status()).as("%s", set).isEqualTo(200);
        assertThat(set.json().get("unpulled_days").asInt()).isEqualTo(90);
        assertThat(set.json().get("keep_pattern").isNull()).isTrue();
        assertThat(set.json().get("updated_by").asText()).isEqualTo(u.name());
        assertThat(u.api().put(nsPolicy(u.name()), policy("unpulled_days", 60)).status()).as("replaced, not added")
                .isEqualTo(200);
        long defaults = jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM retention_policies p"
                + " JOIN accounts a ON a.id = p.namespace_id WHERE a.name = :n AND p.repository_id IS NULL")
                .bind("n", u.name()).mapTo(Long.class).one());
        assertThat(defaults).isEqualTo(1);

        JsonNode inherited = u.api().get(repoPolicy(repo)).json();
        assertThat(inherited.get("inherited").asBoolean()).isTrue();
        assertThat(inherited.get("unpulled_days").asInt()).isEqualTo(60);

        Http.Response own = u.api().put(repoPolicy(repo), policy("keep_pattern", "v[0-9]+", "keep_count", 5,
                "untagged_days", 14));
        assertThat(own.status()).as("%s", own).isEqualTo(200);
        JsonNode got = u.api().get(repoPolicy(repo) + "/").json();
        assertThat(got.get("inherited").asBoolean()).isFalse();
        assertThat(got.get("keep_pattern").asText()).isEqualTo("v[0-9]+");
        assertThat(got.get("keep_count").asInt()).isEqualTo(5);
        assertThat(got.get("unpulled_days").isNull()).as("replaces the default as a whole").isTrue();
        assertThat(got.get("untagged_days").asInt()).isEqualTo(14);
        assertThat(OffsetDateTime.parse(got.get("updated_at").asText())).isNotNull();

        assertThat(u.api().delete(repoPolicy(repo)).status()).isEqualTo(204);
        assertThat(u.api().get(repoPolicy(repo)).json().get("inherited").asBoolean()).isTrue();
        assertThat(u.api().delete(nsPolicy(u.name())).status()).isEqualTo(204);
        assertThat(u.api().delete(nsPolicy(u.name())).status()).as("already gone").isEqualTo(204);
        assertThat(u.api().get(repoPolicy(repo)).status()).isEqualTo(404);
        assertThat(u.api().get(nsPolicy(u.name())).status()).isEqualTo(404);

        JsonNode logs = u.api().get("/v2/auditlogs/" + u.name() + "?page_size=100").json().get("logs");
        List<String> actions = new ArrayList<>();
        logs.forEach(e -> {
            if (e.get("action").asText().startsWith("repo.retention.")) {
                actions.add(e.get("action").asText() + " " + e.get("name").asText() + " "
                        + e.get("data").get("scope").asText());
            }
        });
        assertThat(actions).as("newest first").containsExactly(
                "repo.retention.delete " + u.name() + " namespace",
                "repo.retention.delete " + repo + " repository",
                "repo.retention.set " + repo + " repository",
                "repo.retention.set " + u.name() + " namespace",
                "repo.retention.set " + u.name() + " namespace");
    }

    @Test
    void aDryRunListsExactlyWhatThePolicyRemovesAndApplyingItSparesImmutableTags() {
        User u = newUser("dry");
        String repo = u.name() + "/app";
        Map<String, String> digests = new LinkedHashMap<>();
        // Pushed a day apart, oldest first: v1 .. v5, then "latest" and "stale".
        for (int i = 1; i <= 5; i++) {
            digests.put("v" + i, u.registry().image(repo, "v" + i, "amd64", 100 + i));
            clock.advance(Duration.ofDays(1));
        }
        digests.put("latest", u.registry().image(repo, "latest", "amd64", 200));
        digests.put("stale", u.registry().image(repo, "stale", "amd64", 201));
        u.registry().tag(repo, "v5-alias", digests.get("v5"));
        String untaggedOld = u.registry().image(repo, null, "arm64", 300);
        jdbi().useHandle(h -> h.createUpdate("UPDATE repositories SET immutable_tags = TRUE,"
                + " immutable_tag_rules = 'v1' WHERE name = :n").bind("n", repo).execute());

        User signedIn = again(u);
        assertThat(signedIn.api().put(repoPolicy(repo), policy("keep_pattern", "v[0-9]+", "keep_count", 2,
                "untagged_days", 10)).status()).isEqualTo(200);
        JsonNode now = signedIn.api().post(repoPolicy(repo) + "/dry-run", null).json();
        assertThat(now.get("repository").asText()).isEqualTo(repo);
        assertThat(tagNames(now)).as("beyond the newest two v tags, but not the immutable v1")
                .containsExactly("v2", "v3");
        assertThat(now.get("tags").get(0).get("digest").asText()).isEqualTo(digests.get("v2"));
        assertThat(untagged(now)).as("nothing is 10 days old yet").isEmpty();

        // 40 days on; "latest" is pulled, the rest is not.
        clock.advance(Duration.ofDays(40));
        assertThat(u.registry().pull(repo, "latest")).isEqualTo(200);
        try {
            server.wharf().bookkeeping().settle();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        signedIn = again(u);
        assertThat(signedIn.api().put(repoPolicy(repo), policy("keep_pattern", "v[0-9]+", "keep_count", 2,
                "unpulled_days", 30, "untagged_days", 10)).status()).isEqualTo(200);
        JsonNode later = signedIn.api().post(repoPolicy(repo) + "/dry-run", null).json();
        assertThat(tagNames(later)).as("v4 and v5 kept as the newest v tags, latest as pulled, v1 as immutable")
                .containsExactly("stale", "v2", "v3", "v5-alias");
        List<String> expectedUntagged = new ArrayList<>(List.of(untaggedOld, digests.get("v2"), digests.get("v3"),
                digests.get("stale")));
        expectedUntagged.sort(null);
        assertThat(untagged(later)).as("the untagged one and those left untagged; v5 keeps its tag v5")
                .containsExactlyElementsOf(expectedUntagged);

        JsonNode ns = signedIn.api().post(nsPolicy(u.name()) + "/dry-run", null).json();
        assertThat(ns.get("repositories")).hasSize(1);
        assertThat(tagNames(ns.get("repositories").get(0))).isEqualTo(tagNames(later));
        assertThat(u.registry().head(repo, "stale")).as("a dry run deletes nothing").isEqualTo(200);

        RetentionPolicies policies = new RetentionPolicies(jdbi(), server.wharf().audit(), clock);
        Retention retention = new Retention(jdbi(), server.wharf().repositories(), policies);
        long repoId = jdbi().withHandle(h -> h.createQuery("SELECT id FROM repositories WHERE name = :n")
                .bind("n", repo).mapTo(Long.class).one());
        List<Repositories.RemovedTag> removed = jdbi().inTransaction(h -> retention.apply(h, repoId,
                clock.instant().atOffset(ZoneOffset.UTC), Actor.COLLECTOR));
        assertThat(removed.stream().map(Repositories.RemovedTag::tag).toList())
                .containsExactly("stale", "v2", "v3", "v5-alias");
        clock.advance(Duration.ofSeconds(2));
        List<String> left = jdbi().withHandle(h -> h.createQuery("SELECT name FROM tags WHERE repository_id = :r"
                + " ORDER BY name").bind("r", repoId).mapTo(String.class).list());
        assertThat(left).containsExactly("latest", "v1", "v4", "v5");
        assertThat(u.registry().pull(repo, "v1")).isEqualTo(200);
        assertThat(u.registry().head(repo, "stale")).isEqualTo(404);
        JsonNode after = signedIn.api().post(repoPolicy(repo) + "/dry-run", null).json();
        assertThat(tagNames(after)).as("nothing more to remove").isEmpty();
    }
}
