package dev.wharf.dockerhub;

import static dev.wharf.testing.ImagesShape.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wharf.repositories.RepositoryName;
import dev.wharf.testing.Http;
import dev.wharf.testing.ManualClock;
import dev.wharf.testing.Pushes;
import dev.wharf.testing.ServerTest;
import dev.wharf.testing.Sessions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The images API of seed 004 over real HTTP, on images pushed through the registry API: lists with their filters and
 * orderings, an image's tags, the summary, and delete-images with its errors, warnings, dry runs and metrics. Every
 * response is checked against seed 004's shapes.
 */
abstract class ImagesApiTest extends ServerTest {
    private static final String PASSWORD = "correct-horse-battery";
    private final ManualClock clock = new ManualClock();

    @Override
    protected Clock clock() {
        return clock;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A user with a session for the Hub and a token for the registry. */
    private record User(String name, Http hub, Pushes registry) {
        String images(String repo) {
            return "/v2/namespaces/" + name + "/repositories/" + repo + "/images";
        }
    }

    private User newUser(String prefix) {
        String name = uniqueName(prefix);
        String session = Sessions.newUser(server, name, PASSWORD);
        String pat = Sessions.newToken(server, session, "push", "repo:admin");
        return new User(name, server.http().bearer(session), new Pushes(server.url(), name, pat));
    }

    /** The same user signed in again: a test that moves the clock by days outlives a session. */
    private User signedInAgain(User u) {
        return new User(u.name(), server.http().bearer(Sessions.login(server.http(), u.name(), PASSWORD)),
                u.registry());
    }

    private static List<String> digests(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.path("results").forEach(r -> out.add(r.path("digest").asText()));
        return out;
    }

    private static JsonNode image(JsonNode page, String digest) {
        for (JsonNode r : page.path("results")) {
            if (r.path("digest").asText().equals(digest)) {
                return r;
            }
        }
        throw new AssertionError(digest + " not in " + page);
    }

    private Http.Response ok(Http.Response r) {
        assertValid(r);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r;
    }

    private void settlePulls() {
        try {
            server.wharf().bookkeeping().settle();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void imagesShowTheirCurrentAndFormerTagsAndFilterByTagging() {
        User u = newUser("img");
        String a = u.registry().image(u.name() + "/app", "v1", "amd64", 1);
        String b = u.registry().image(u.name() + "/app", "v1", "arm64", 2);
        String c = u.registry().image(u.name() + "/app", null, "amd64", 3);
        JsonNode all = ok(u.hub().get(u.images("app"))).json();
        assertThat(all.path("count").asLong()).isEqualTo(3);
        assertThat(digests(all)).containsExactlyInAnyOrder(a, b, c);
        JsonNode first = image(all, a);
        assertThat(first.path("namespace").asText()).isEqualTo(u.name());
        assertThat(first.path("repository").asText()).isEqualTo("app");
        assertThat(first.path("tags").toString()).isEqualTo("[{\"tag\":\"v1\",\"is_current\":false}]");
        assertThat(image(all, b).path("tags").toString()).isEqualTo("[{\"tag\":\"v1\",\"is_current\":true}]");
        assertThat(image(all, c).path("tags").size()).isZero();
        assertThat(first.path("status").asText()).isEqualTo("active");
        assertThat(Instant.parse(first.path("last_pushed").asText()))
                .isEqualTo(clock.instant().truncatedTo(ChronoUnit.MICROS));
        assertThat(first.path("last_pulled").isNull()).isTrue();

        assertThat(digests(ok(u.hub().get(u.images("app") + "?currently_tagged=true")).json()))
                .containsExactly(b);
        JsonNode untagged = ok(u.hub().get(u.images("app") + "?currently_tagged=false")).json();
        assertThat(digests(untagged)).containsExactlyInAnyOrder(a, c);
        assertThat(untagged.path("count").asLong()).isEqualTo(2);
    }

    @Test
    void activityIsPushOrPullSinceActiveFromWhichDefaultsToAMonthAgo() {
        User u = newUser("act");
        String old = u.registry().image(u.name() + "/app", "old", "amd64", 10);
        clock.advance(Duration.ofDays(40));
        u = signedInAgain(u);
        String fresh = u.registry().image(u.name() + "/app", "fresh", "amd64", 11);
        String images = u.images("app");
        assertThat(digests(ok(u.hub().get(images + "?status=active")).json())).containsExactly(fresh);
        assertThat(digests(ok(u.hub().get(images + "?status=inactive")).json())).containsExactly(old);
        String fiftyDaysAgo = clock.instant().minus(Duration.ofDays(50)).toString();
        assertThat(digests(ok(u.hub().get(images + "?status=active&active_from=" + fiftyDaysAgo)).json()))
                .containsExactlyInAnyOrder(old, fresh);

        JsonNode summary = ok(u.hub().get("/v2/namespaces/" + u.name() + "/repositories/app/images-summary")).json();
        assertThat(Instant.parse(summary.path("active_from").asText()))
                .isEqualTo(clock.instant().atOffset(java.time.ZoneOffset.UTC).minusMonths(1).toInstant()
                        .truncatedTo(ChronoUnit.MICROS));
        assertThat(summary.path("statistics").toString()).isEqualTo("{\"total\":2,\"active\":1,\"inactive\":1}");
        JsonNode wider = ok(u.hub().get("/v2/namespaces/" + u.name() + "/repositories/app/images-summary"
                + "?active_from=" + fiftyDaysAgo)).json();
        assertThat(wider.path("statistics").toString()).isEqualTo("{\"total\":2,\"active\":2,\"inactive\":0}");

        // A pull makes the old image active again, and shows as its last pull.
        clock.advance(Duration.ofSeconds(1));
        assertThat(u.registry().pull(u.name() + "/app", "old")).isEqualTo(200);
        settlePulls();
        JsonNode active = ok(u.hub().get(images + "?status=active&ordering=-last_activity")).json();
        assertThat(digests(active)).containsExactly(old, fresh);
        assertThat(Instant.parse(image(active, old).path("last_pulled").asText()))
                .isEqualTo(clock.instant().truncatedTo(ChronoUnit.MICROS));
    }

    @Test
    void aManifestsLastPullIsWrittenAtMostOnceAMinuteHoweverManyTagsNameIt() {
        User u = newUser("pull");
        String repo = u.name() + "/app";
        String digest = u.registry().image(repo, "one", "amd64", 20);
        u.registry().tag(repo, "two", digest);
        Instant firstPull = clock.instant().truncatedTo(ChronoUnit.MICROS);
        assertThat(u.registry().pull(repo, "one")).isEqualTo(200);
        settlePulls();
        clock.advance(Duration.ofSeconds(10));
        assertThat(u.registry().pull(repo, "two")).isEqualTo(200);
        assertThat(u.registry().pull(repo, digest)).isEqualTo(200);
        settlePulls();
        JsonNode page = ok(u.hub().get(u.images("app"))).json();
        assertThat(Instant.parse(image(page, digest).path("last_pulled").asText())).isEqualTo(firstPull);
        clock.advance(Duration.ofMinutes(1));
        server.wharf().pulls().flushDue();
        settlePulls();
        page = ok(u.hub().get(u.images("app"))).json();
        assertThat(Instant.parse(image(page, digest).path("last_pulled").asText()))
                .isEqualTo(clock.instant().truncatedTo(ChronoUnit.MICROS));
    }

    @Test
    void orderingsAndPagesWithAbsoluteLinks() {
        User u = newUser("ord");
        List<String> pushed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            pushed.add(u.registry().image(u.name() + "/app", "t" + i, "amd64", 30 + i));
            clock.advance(Duration.ofSeconds(1));
        }
        String images = u.images("app");
        assertThat(digests(ok(u.hub().get(images + "?ordering=last_activity")).json())).isEqualTo(pushed);
        assertThat(digests(ok(u.hub().get(images + "?ordering=-last_activity")).json()))
                .isEqualTo(List.of(pushed.get(2), pushed.get(1), pushed.get(0)));
        assertThat(digests(ok(u.hub().get(images)).json()).get(0)).as("newest first by default")
                .isEqualTo(pushed.get(2));
        List<String> sorted = pushed.stream().sorted().toList();
        assertThat(digests(ok(u.hub().get(images + "?ordering=digest")).json())).isEqualTo(sorted);
        assertThat(digests(ok(u.hub().get(images + "?ordering=-digest")).json()))
                .isEqualTo(List.of(sorted.get(2), sorted.get(1), sorted.get(0)));

        JsonNode one = ok(u.hub().get(images + "?ordering=digest&page_size=2")).json();
        assertThat(one.path("count").asLong()).isEqualTo(3);
        assertThat(digests(one)).isEqualTo(sorted.subList(0, 2));
        assertThat(one.path("previous").isNull()).isTrue();
        String next = one.path("next").asText();
        assertThat(next).startsWith(server.url() + images + "?").contains("ordering=digest", "page=2", "page_size=2");
        JsonNode two = ok(u.hub().get(next.substring(server.url().length()))).json();
        assertThat(digests(two)).isEqualTo(sorted.subList(2, 3));
        assertThat(two.path("count").asLong()).isEqualTo(3);
        assertThat(two.path("next").isNull()).isTrue();
        assertThat(two.path("previous").asText()).contains("page=1");
        JsonNode beyond = ok(u.hub().get(images + "?page=5")).json();
        assertThat(beyond.path("count").asLong()).isEqualTo(3);
        assertThat(beyond.path("results").size()).isZero();
    }

    @Test
    void anImagesTagsAreThoseThatPointOrPointedAtIt() {
        User u = newUser("tags");
        String repo = u.name() + "/app";
        String a = u.registry().image(repo, "v1", "amd64", 40);
        u.registry().tag(repo, "stable", a);
        u.registry().image(repo, "v1", "amd64", 41);
        String tags = u.images("app") + "/" + a + "/tags";
        JsonNode page = ok(u.hub().get(tags)).json();
        assertThat(page.path("count").asLong()).isEqualTo(2);
        assertThat(page.path("results").toString())
                .isEqualTo("[{\"tag\":\"stable\",\"is_current\":true},{\"tag\":\"v1\",\"is_current\":false}]");
        JsonNode first = ok(u.hub().get(tags + "?page_size=1")).json();
        assertThat(first.path("count").asLong()).isEqualTo(2);
        assertThat(first.path("next").asText()).contains("page=2");
        String unknown = Pushes.digest("nothing".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Http.Response missing = assertValid(u.hub().get(u.images("app") + "/" + unknown + "/tags"));
        assertThat(missing.status()).isEqualTo(404);
        Http.Response bad = assertValid(u.hub().get(u.images("app") + "/sha256:nothex/tags"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("errinfo").path("api_call_name").asText()).isEqualTo("GetImageTags");
    }

    /** A delete-images body for {@code digests} of {@code repo}, with {@code ignore} as ignore_warnings. */
    private static Map<String, Object> deletion(String repo, boolean dryRun, List<String> digests, JsonNode ignore) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dry_run", dryRun);
        body.put("manifests", digests.stream().map(d -> Map.of("repository", repo, "digest", d)).toList());
        if (ignore != null) {
            body.put("ignore_warnings", ignore);
        }
        return body;
    }

    private static String deleteImages(User u) {
        return "/v2/namespaces/" + u.name() + "/delete-images";
    }

    @Test
    void warningsBlockEveryDeletionUntilTheyAreAcknowledged() {
        User u = newUser("del");
        String repo = u.name() + "/app";
        String tagged = u.registry().image(repo, "v1", "amd64", 50);
        u.registry().tag(repo, "latest", tagged);
        String untagged = u.registry().image(repo, null, "amd64", 51);
        List<String> both = List.of(tagged, untagged);

        Http.Response refused = assertValid(u.hub().post(deleteImages(u), deletion("app", false, both, null)));
        assertThat(refused.status()).isEqualTo(400);
        JsonNode errinfo = refused.json().path("errinfo");
        assertThat(errinfo.path("type").asText()).isEqualTo("validation");
        assertThat(errinfo.path("api_call_name").asText()).isEqualTo("DeleteImages");
        assertThat(refused.json().path("txnid").asText()).isEqualTo(refused.header("X-Request-Id"))
                .isEqualTo(errinfo.path("api_call_txnid").asText());
        JsonNode warnings = errinfo.path("details").path("warnings");
        assertThat(errinfo.path("details").path("errors").size()).isZero();
        assertThat(warnings.toString()).contains(
                "{\"repository\":\"app\",\"digest\":\"" + tagged + "\",\"warning\":\"is_active\",\"tags\":[]}",
                "{\"repository\":\"app\",\"digest\":\"" + tagged
                        + "\",\"warning\":\"current_tag\",\"tags\":[\"latest\",\"v1\"]}",
                "{\"repository\":\"app\",\"digest\":\"" + untagged + "\",\"warning\":\"is_active\",\"tags\":[]}");
        assertThat(warnings.size()).isEqualTo(3);
        assertThat(ok(u.hub().get(u.images("app"))).json().path("count").asLong()).as("nothing deleted").isEqualTo(2);

        // Acknowledging only some of the warnings still blocks all; an acknowledged current_tag must name every tag.
        List<JsonNode> partial = new ArrayList<>();
        warnings.forEach(w -> {
            if (!w.path("warning").asText().equals("current_tag")) {
                partial.add(w);
            }
        });
        Map<String, Object> oneTagOnly = Map.of("repository", "app", "digest", tagged, "warning", "current_tag",
                "tags", List.of("v1"));
        JsonNode partialIgnore = JSON.valueToTree(concat(partial, JSON.valueToTree(oneTagOnly)));
        Http.Response stillRefused = assertValid(u.hub().post(deleteImages(u),
                deletion("app", false, both, partialIgnore)));
        assertThat(stillRefused.status()).isEqualTo(400);
        assertThat(stillRefused.json().path("errinfo").path("details").path("warnings").size()).isEqualTo(1);

        Http.Response dry = ok(u.hub().post(deleteImages(u), deletion("app", true, both, warnings)));
        assertThat(dry.json().toString()).isEqualTo("{\"dry_run\":true,\"metrics\":{\"manifest_deletes\":2,"
                + "\"manifest_errors\":0,\"tag_deletes\":2,\"tag_errors\":0}}");
        assertThat(ok(u.hub().get(u.images("app"))).json().path("count").asLong()).as("a dry run").isEqualTo(2);

        Http.Response done = ok(u.hub().post(deleteImages(u), deletion("app", false, both, warnings)));
        assertThat(done.json().toString()).isEqualTo("{\"dry_run\":false,\"metrics\":{\"manifest_deletes\":2,"
                + "\"manifest_errors\":0,\"tag_deletes\":2,\"tag_errors\":0}}");
        assertThat(ok(u.hub().get(u.images("app"))).json().path("count").asLong()).isZero();
        assertThat(u.registry().pull(repo, "v1")).isEqualTo(404);
        assertThat(u.registry().pull(repo, untagged)).isEqualTo(404);

        JsonNode logs = u.hub().get("/v2/auditlogs/" + u.name() + "?page_size=100").json().path("logs");
        List<String> events = new ArrayList<>();
        logs.forEach(l -> events.add(l.path("action").asText() + " " + l.path("data").path("tag").asText("")
                + " " + l.path("data").path("digest").asText()));
        assertThat(events).contains("repo.manifest.delete  " + tagged, "repo.manifest.delete  " + untagged,
                "repo.tag.delete v1 " + tagged, "repo.tag.delete latest " + tagged);
    }

    private static List<JsonNode> concat(List<JsonNode> list, JsonNode more) {
        List<JsonNode> out = new ArrayList<>(list);
        out.add(more);
        return out;
    }

    @Test
    void errorsNameEachManifestAndBlockTheOthers() {
        User u = newUser("err");
        String repo = u.name() + "/app";
        String image = u.registry().image(repo, null, "amd64", 60);
        clock.advance(Duration.ofDays(60));
        u = signedInAgain(u);
        String unknown = Pushes.digest("never pushed".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Http.Response refused = assertValid(u.hub().post(deleteImages(u),
                deletion("app", false, List.of(image, unknown), null)));
        assertThat(refused.status()).isEqualTo(400);
        JsonNode details = refused.json().path("errinfo").path("details");
        assertThat(details.path("errors").toString())
                .isEqualTo("[{\"repository\":\"app\",\"digest\":\"" + unknown + "\",\"error\":\"not_found\"}]");
        assertThat(details.path("warnings").size()).as("an old, untagged image warns of nothing").isZero();
        assertThat(u.registry().head(repo, image)).isEqualTo(200);
        Http.Response noRepo = assertValid(u.hub().post(deleteImages(u),
                deletion("nothere", false, List.of(image), null)));
        assertThat(noRepo.json().path("errinfo").path("details").path("errors").path(0).path("error").asText())
                .isEqualTo("not_found");

        // Another user may read the repository once it is public, but may not delete from it.
        User other = newUser("oth");
        Http.Response privateRead = assertValid(other.hub().get(u.images("app")));
        assertThat(privateRead.status()).isEqualTo(401);
        server.wharf().repositories().setPrivate(server.wharf().repositories().require(new RepositoryName(repo)),
                false);
        ok(other.hub().get(u.images("app")));
        Http.Response unauthorized = assertValid(other.hub().post(deleteImages(u),
                deletion("app", false, List.of(image), null)));
        assertThat(unauthorized.status()).isEqualTo(400);
        assertThat(unauthorized.json().path("errinfo").path("details").path("errors").toString())
                .isEqualTo("[{\"repository\":\"app\",\"digest\":\"" + image + "\",\"error\":\"unauthorized\"}]");
        assertThat(unauthorized.json().path("errinfo").path("api_call_docker_id").asText()).isNotEmpty();
        assertThat(u.registry().head(repo, image)).isEqualTo(200);

        assertThat(ok(u.hub().post(deleteImages(u), deletion("app", false, List.of(image), null))).json()
                .path("metrics").path("manifest_deletes").asInt()).isEqualTo(1);
    }

    @Test
    void anIndexsChildCannotBeDeletedAloneAndDeletingTheIndexLeavesItsChildren() {
        User u = newUser("idx");
        String repo = u.name() + "/multi";
        String amd = u.registry().image(repo, null, "amd64", 70);
        String arm = u.registry().image(repo, null, "arm64", 71);
        String index = u.registry().index(repo, "v1", List.of(amd, arm));
        Http.Response alone = assertValid(u.hub().post(deleteImages(u),
                deletion("multi", false, List.of(amd), null)));
        assertThat(alone.status()).isEqualTo(400);
        assertThat(alone.json().path("errinfo").path("details").path("errors").toString())
                .isEqualTo("[{\"repository\":\"multi\",\"digest\":\"" + amd + "\",\"error\":\"child_manifest\"}]");

        Http.Response first = assertValid(u.hub().post(deleteImages(u),
                deletion("multi", false, List.of(index, amd), null)));
        assertThat(first.json().path("errinfo").path("details").path("errors").size())
                .as("the child goes with its index").isZero();
        JsonNode warnings = first.json().path("errinfo").path("details").path("warnings");
        JsonNode done = ok(u.hub().post(deleteImages(u), deletion("multi", false, List.of(index, amd), warnings)))
                .json();
        assertThat(done.path("metrics").toString()).isEqualTo(
                "{\"manifest_deletes\":2,\"manifest_errors\":0,\"tag_deletes\":1,\"tag_errors\":0}");
        JsonNode left = ok(u.hub().get("/v2/namespaces/" + u.name() + "/repositories/multi/images")).json();
        assertThat(digests(left)).containsExactly(arm);
        assertThat(image(left, arm).path("tags").size()).isZero();
        assertThat(u.registry().pull(repo, arm)).isEqualTo(200);
        assertThat(u.registry().pull(repo, "v1")).isEqualTo(404);
    }

    @Test
    void badInputIsA4xxInTheImagesErrorShape() {
        User u = newUser("bad");
        u.registry().image(u.name() + "/app", "v1", "amd64", 80);
        String images = u.images("app");
        for (String query : List.of("?ordering=name", "?status=gone", "?currently_tagged=yes",
                "?active_from=yesterday", "?page_size=101", "?page=0", "?page=x")) {
            Http.Response r = assertValid(u.hub().get(images + query));
            assertThat(r.status()).as(query).isEqualTo(400);
            assertThat(r.json().path("errinfo").path("details").path("fields").isObject()).as(query).isTrue();
            assertThat(r.json().path("errinfo").path("api_call_name").asText()).isEqualTo("GetImages");
        }
        assertThat(assertValid(u.hub().get(images + "?ordering=name")).json().path("message").asText())
                .contains("last_activity, -last_activity, digest, -digest");
        Http.Response summary = assertValid(u.hub().get("/v2/namespaces/" + u.name()
                + "/repositories/app/images-summary?active_from=" + "9".repeat(200)));
        assertThat(summary.status()).isEqualTo(400);
        assertThat(assertValid(server.http().get(images)).status()).isEqualTo(401);
        assertThat(assertValid(u.hub().get("/v2/namespaces/" + u.name() + "/repositories/nothere/images"))
                .status()).isEqualTo(404);
        assertThat(assertValid(u.hub().get("/v2/namespaces/" + u.name() + "/repositories/NOT..valid/images"))
                .status()).isEqualTo(404);

        String digest = Pushes.digest(new byte[] {1});
        String path = deleteImages(u);
        List<Object> bodies = List.of(
                Map.of("manifests", List.of()),
                Map.of("manifests", List.of(Map.of("repository", "app", "digest", "sha256:short"))),
                Map.of("manifests", List.of(Map.of("repository", "../x", "digest", digest))),
                Map.of("manifests", List.of(Map.of("repository", "app", "digest", digest),
                        Map.of("repository", "other", "digest", digest))),
                Map.of("manifests", "app"),
                Map.of("manifests", List.of(Map.of("repository", "app", "digest", digest)), "dry_run", "often"),
                Map.of("manifests", List.of(Map.of("repository", "app", "digest", digest)), "active_from", "soon"),
                Map.of("manifests", List.of(Map.of("repository", "app", "digest", digest)),
                        "ignore_warnings", List.of(Map.of("repository", "app", "digest", digest, "warning", "x"))),
                Map.of("manifests", java.util.Collections.nCopies(1001, Map.of("repository", "app", "digest",
                        digest))),
                "{not json", "[]", "null");
        for (Object body : bodies) {
            Http.Response r = assertValid(u.hub().post(path, body));
            assertThat(r.status()).as(String.valueOf(body).substring(0, Math.min(200, String.valueOf(body).length())))
                    .isEqualTo(400);
        }
        Http.Response mixed = assertValid(u.hub().post(path, bodies.get(3)));
        assertThat(mixed.json().path("message").asText()).contains("one repository per call");
        Http.Response huge = assertValid(u.hub().post(path, "{\"manifests\":\"" + "x".repeat(5 * 1024 * 1024)
                + "\"}"));
        assertThat(huge.status()).isEqualTo(413);
        Http.Response anonymous = assertValid(server.http().post(path, bodies.get(1)));
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.json().path("errinfo").path("api_call_docker_id").asText()).isEmpty();
    }
}
