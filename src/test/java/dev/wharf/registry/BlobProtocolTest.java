package dev.wharf.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Http;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The blob and upload endpoints of the OCI distribution spec, over HTTP, with their error cases. */
abstract class BlobProtocolTest extends RegistryTestBase {

    @Test
    void baseEndpointChallengesAnonymousCallers() {
        RegistryClient.Res r = anonymous().get("/v2/");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("Docker-Distribution-API-Version")).isEqualTo("registry/2.0");
        assertThat(r.header("WWW-Authenticate"))
                .isEqualTo("Bearer realm=\"" + server.url() + "/token\",service=\"127.0.0.1:" + server.port() + "\"");
        assertThat(r.code()).isEqualTo("UNAUTHORIZED");
        RegistryClient.Res ok = alice().get("/v2/");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.header("Docker-Distribution-API-Version")).isEqualTo("registry/2.0");
        assertThat(anonymous().basic("alice", "wrong-password").get("/v2/").status()).isEqualTo(401);
        assertThat(anonymous().bearer("not.a.jwt").get("/v2/").status()).isEqualTo(401);
        assertThat(anonymous().with("Authorization", "Digest abc").get("/v2/").status()).isEqualTo(401);
        RegistryClient.Res head = anonymous().head("/v2/");
        assertThat(head.status()).isEqualTo(401);
        assertThat(head.header("WWW-Authenticate")).startsWith("Bearer realm=");
        assertThat(alice().head("/v2/").status()).isEqualTo(200);
        assertThat(alice().get("/v2").status()).isEqualTo(200);
    }

    @Test
    void hubRoutesStillReachTheHub() {
        Http.Response login = hub().post("/v2/users/login", Map.of("username", "alice", "password", PASSWORD));
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.json().has("token")).isTrue();
        Http.Response tokens = hub().get("/v2/access-tokens");
        assertThat(tokens.status()).isEqualTo(401);
        assertThat(tokens.json().has("detail")).isTrue();
        Http.Response logs = hub().get("/v2/auditlogs/alice");
        assertThat(logs.status()).isEqualTo(401);
        assertThat(logs.json().has("errors")).as("answered by the Hub, not the registry").isFalse();
        assertThat(hub().bearer(aliceSession).get("/v2/access-tokens").status()).isEqualTo(200);
    }

    @Test
    void monolithicPostStoresAndServesABlob() {
        byte[] data = randomBytes(100_000);
        String digest = RegistryClient.digest(data);
        RegistryClient.Res r = alice().post("/v2/alice/mono/blobs/uploads/?digest=" + digest, data);
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.header("Location")).isEqualTo("/v2/alice/mono/blobs/" + digest);
        assertThat(r.header("Docker-Content-Digest")).isEqualTo(digest);

        RegistryClient.Res head = alice().head("/v2/alice/mono/blobs/" + digest);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Length")).isEqualTo("100000");
        assertThat(head.header("Docker-Content-Digest")).isEqualTo(digest);
        assertThat(head.bytes()).isEmpty();

        RegistryClient.Res get = alice().get("/v2/alice/mono/blobs/" + digest);
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.bytes()).isEqualTo(data);
        assertThat(get.header("Content-Type")).isEqualTo("application/octet-stream");
    }

    @Test
    void postThenPutIsAMonolithicUpload() {
        byte[] data = randomBytes(5000);
        String digest = RegistryClient.digest(data);
        RegistryClient.Res start = alice().post("/v2/alice/twostep/blobs/uploads/", null);
        assertThat(start.status()).isEqualTo(202);
        String location = start.header("Location");
        assertThat(location).startsWith("/v2/alice/twostep/blobs/uploads/");
        assertThat(start.header("Range")).isEqualTo("0-0");
        assertThat(start.header("Docker-Upload-UUID")).isNotBlank();
        RegistryClient.Res put = alice().put(location + "?digest=" + digest, data,
                "Content-Type", "application/octet-stream");
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        assertThat(put.header("Docker-Content-Digest")).isEqualTo(digest);
        assertThat(alice().get("/v2/alice/twostep/blobs/" + digest).bytes()).isEqualTo(data);
        assertThat(alice().get(location).code()).isEqualTo("BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void chunkedUploadWithStatusAndOutOfOrderChunks() {
        byte[] data = randomBytes(300_000);
        String digest = RegistryClient.digest(data);
        String location = alice().post("/v2/alice/chunked/blobs/uploads/", null).header("Location");

        RegistryClient.Res first = alice().patch(location, Arrays.copyOfRange(data, 0, 100_000),
                "Content-Range", "0-99999", "Content-Type", "application/octet-stream");
        assertThat(first.status()).as(first.toString()).isEqualTo(202);
        assertThat(first.header("Range")).isEqualTo("0-99999");
        assertThat(first.header("Location")).isEqualTo(location);

        RegistryClient.Res status = alice().get(location);
        assertThat(status.status()).isEqualTo(204);
        assertThat(status.header("Range")).isEqualTo("0-99999");
        assertThat(status.header("Docker-Upload-UUID")).isNotBlank();

        RegistryClient.Res skipped = alice().patch(location, Arrays.copyOfRange(data, 200_000, 300_000),
                "Content-Range", "200000-299999");
        assertThat(skipped.status()).isEqualTo(416);
        assertThat(skipped.header("Range")).isEqualTo("0-99999");
        assertThat(skipped.json().path("errors").isArray()).isTrue();

        RegistryClient.Res second = alice().patch(location, Arrays.copyOfRange(data, 100_000, 200_000),
                "Content-Range", "100000-199999");
        assertThat(second.status()).isEqualTo(202);
        assertThat(second.header("Range")).isEqualTo("0-199999");

        RegistryClient.Res done = alice().put(location + "?digest=" + digest,
                Arrays.copyOfRange(data, 200_000, 300_000),
                "Content-Range", "200000-299999");
        assertThat(done.status()).as(done.toString()).isEqualTo(201);
        assertThat(alice().get("/v2/alice/chunked/blobs/" + digest).bytes()).isEqualTo(data);
    }

    @Test
    void streamedPatchWithoutContentRangeAppends() {
        byte[] data = randomBytes(50_000);
        String location = alice().post("/v2/alice/streamed/blobs/uploads/", null).header("Location");
        assertThat(alice().patch(location, Arrays.copyOfRange(data, 0, 20_000)).header("Range")).isEqualTo("0-19999");
        assertThat(alice().patch(location, Arrays.copyOfRange(data, 20_000, 50_000)).header("Range"))
                .isEqualTo("0-49999");
        assertThat(alice().put(location + "?digest=" + RegistryClient.digest(data), null).status()).isEqualTo(201);
    }

    @Test
    void malformedContentRangeIsRefused() {
        String location = alice().post("/v2/alice/badrange/blobs/uploads/", null).header("Location");
        RegistryClient.Res r = alice().patch(location, new byte[10], "Content-Range", "nonsense");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo("BLOB_UPLOAD_INVALID");
        RegistryClient.Res mismatch = alice().patch(location, new byte[10], "Content-Range", "0-99");
        assertThat(mismatch.status()).isEqualTo(400);
        RegistryClient.Res huge = alice().patch(location, new byte[10], "Content-Range",
                "99999999999999999999999-99999999999999999999999");
        assertThat(huge.status()).isEqualTo(400);
    }

    @Test
    void wrongDigestIsRefusedAndNothingIsVisible() {
        byte[] data = randomBytes(1000);
        String wrong = RegistryClient.digest(randomBytes(10));
        RegistryClient.Res r = alice().post("/v2/alice/wrong/blobs/uploads/?digest=" + wrong, data);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo("DIGEST_INVALID");
        assertThat(alice().head("/v2/alice/wrong/blobs/" + wrong).status()).isEqualTo(404);
        assertThat(alice().head("/v2/alice/wrong/blobs/" + RegistryClient.digest(data)).status()).isEqualTo(404);

        String location = alice().post("/v2/alice/wrong/blobs/uploads/", null).header("Location");
        RegistryClient.Res put = alice().put(location + "?digest=" + wrong, data);
        assertThat(put.code()).isEqualTo("DIGEST_INVALID");
        RegistryClient.Res noDigest = alice().put(alice().post("/v2/alice/wrong/blobs/uploads/", null)
                .header("Location"), data);
        assertThat(noDigest.status()).isEqualTo(400);
        assertThat(noDigest.code()).isEqualTo("DIGEST_INVALID");
    }

    @Test
    void cancelledUploadIsGone() {
        String location = alice().post("/v2/alice/cancel/blobs/uploads/", null).header("Location");
        alice().patch(location, new byte[100]);
        assertThat(alice().delete(location).status()).isEqualTo(204);
        RegistryClient.Res after = alice().get(location);
        assertThat(after.status()).isEqualTo(404);
        assertThat(after.code()).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        assertThat(alice().patch(location, new byte[1]).code()).isEqualTo("BLOB_UPLOAD_UNKNOWN");
        assertThat(alice().get("/v2/alice/cancel/blobs/uploads/not-a-uuid").code()).isEqualTo("BLOB_UPLOAD_UNKNOWN");
    }

    @Test
    void anUploadOfAnotherRepositoryIsUnknownHere() {
        String location = alice().post("/v2/alice/one/blobs/uploads/", null).header("Location");
        String id = location.substring(location.lastIndexOf('/') + 1);
        alice().post("/v2/alice/two/blobs/uploads/?digest=" + RegistryClient.digest(new byte[0]), new byte[0]);
        assertThat(alice().get("/v2/alice/two/blobs/uploads/" + id).status()).isEqualTo(404);
    }

    @Test
    void rangeRequests() {
        byte[] data = randomBytes(1000);
        String digest = pushBlob(alice(), "alice/ranges", data);
        RegistryClient.Res part = alice().get("/v2/alice/ranges/blobs/" + digest, "Range", "bytes=10-19");
        assertThat(part.status()).isEqualTo(206);
        assertThat(part.header("Content-Range")).isEqualTo("bytes 10-19/1000");
        assertThat(part.bytes()).isEqualTo(Arrays.copyOfRange(data, 10, 20));
        RegistryClient.Res tail = alice().get("/v2/alice/ranges/blobs/" + digest, "Range", "bytes=-5");
        assertThat(tail.bytes()).isEqualTo(Arrays.copyOfRange(data, 995, 1000));
        RegistryClient.Res open = alice().get("/v2/alice/ranges/blobs/" + digest, "Range", "bytes=990-");
        assertThat(open.header("Content-Range")).isEqualTo("bytes 990-999/1000");
        RegistryClient.Res beyond = alice().get("/v2/alice/ranges/blobs/" + digest, "Range", "bytes=5000-6000");
        assertThat(beyond.status()).isEqualTo(416);
        assertThat(beyond.header("Content-Range")).isEqualTo("bytes */1000");
    }

    @Test
    void unknownAndMalformedBlobs() {
        pushBlob(alice(), "alice/unknowns", randomBytes(10));
        String missing = RegistryClient.digest(randomBytes(10));
        RegistryClient.Res r = alice().get("/v2/alice/unknowns/blobs/" + missing);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.code()).isEqualTo("BLOB_UNKNOWN");
        assertThat(alice().head("/v2/alice/unknowns/blobs/" + missing).status()).isEqualTo(404);
        for (String bad : new String[] {"sha256:totallywrong", "md5:abc", "nocolon", "sha256:" + "A".repeat(64)}) {
            RegistryClient.Res b = alice().get("/v2/alice/unknowns/blobs/" + bad);
            assertThat(b.status()).as(bad).isIn(400, 404);
            assertThat(b.status()).as(bad).isLessThan(500);
        }
        assertThat(alice().get("/v2/alice/unknowns/blobs/sha256:totallywrong").code()).isEqualTo("DIGEST_INVALID");
        RegistryClient.Res noRepo = alice().get("/v2/alice/norepo/blobs/" + missing);
        assertThat(noRepo.status()).isEqualTo(404);
        assertThat(noRepo.code()).isEqualTo("NAME_UNKNOWN");
    }

    @Test
    void deleteUnlinksABlob() {
        String digest = pushBlob(alice(), "alice/deleteblob", randomBytes(100));
        assertThat(alice().delete("/v2/alice/deleteblob/blobs/" + digest).status()).isEqualTo(202);
        assertThat(alice().head("/v2/alice/deleteblob/blobs/" + digest).status()).isEqualTo(404);
        assertThat(alice().delete("/v2/alice/deleteblob/blobs/" + digest).code()).isEqualTo("BLOB_UNKNOWN");
    }

    @Test
    void crossRepositoryMount() {
        byte[] data = randomBytes(2000);
        String digest = pushBlob(alice(), "alice/source", data);
        RegistryClient.Res mounted = alice().post("/v2/alice/target/blobs/uploads/?mount=" + digest
                + "&from=alice/source", null);
        assertThat(mounted.status()).isEqualTo(201);
        assertThat(mounted.header("Location")).isEqualTo("/v2/alice/target/blobs/" + digest);
        assertThat(mounted.header("Docker-Content-Digest")).isEqualTo(digest);
        assertThat(alice().get("/v2/alice/target/blobs/" + digest).bytes()).isEqualTo(data);

        // Bob may not pull alice's private repository: no mount, an ordinary upload session instead.
        RegistryClient.Res refused = bob().post("/v2/bobby/target/blobs/uploads/?mount=" + digest
                + "&from=alice/source", null);
        assertThat(refused.status()).isEqualTo(202);
        assertThat(refused.header("Location")).startsWith("/v2/bobby/target/blobs/uploads/");
        assertThat(bob().head("/v2/bobby/target/blobs/" + digest).status()).isEqualTo(404);

        // A blob the source does not hold: also an ordinary upload.
        RegistryClient.Res absent = alice().post("/v2/alice/target/blobs/uploads/?mount="
                + RegistryClient.digest(randomBytes(5)) + "&from=alice/source", null);
        assertThat(absent.status()).isEqualTo(202);
    }

    @Test
    void invalidNamesAndPaths() {
        RegistryClient.Res upper = alice().get("/v2/alice/UPPER/tags/list");
        assertThat(upper.status()).isEqualTo(400);
        assertThat(upper.code()).isEqualTo("NAME_INVALID");
        assertThat(alice().get("/v2/alice/a..b/tags/list").code()).isEqualTo("NAME_INVALID");
        // A name without a namespace follows the spec's grammar: a pull finds nothing under it, a push is told why.
        RegistryClient.Res bare = alice().get("/v2/noslash/tags/list");
        assertThat(bare.code()).isEqualTo("NAME_UNKNOWN");
        assertThat(bare.json().path("errors").path(0).path("detail").asText()).contains("namespace");
        RegistryClient.Res barePush = alice().post("/v2/noslash/blobs/uploads/", null);
        assertThat(barePush.status()).isEqualTo(400);
        assertThat(barePush.code()).isEqualTo("NAME_INVALID");
        assertThat(barePush.json().path("errors").path(0).path("detail").asText()).contains("namespace");
        // A HEAD has no body to carry a reason: it gets 404, so that a client goes on to the request that does.
        assertThat(alice().head("/v2/noslash/blobs/" + RegistryClient.digest(randomBytes(3))).status())
                .isEqualTo(404);
        assertThat(alice().head("/v2/alice/UPPER/manifests/latest").status()).isEqualTo(404);
        assertThat(alice().get("/v2/alice/x/nonsense").status()).isEqualTo(404);
        RegistryClient.Res method = alice().send("PATCH", "/v2/alice/x/manifests/latest", new byte[0]);
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.code()).isEqualTo("UNSUPPORTED");
    }

    @Test
    void pushNeedsCredentialsAndRights() {
        RegistryClient.Res anon = anonymous().post("/v2/alice/guarded/blobs/uploads/", null);
        assertThat(anon.status()).isEqualTo(401);
        assertThat(anon.header("WWW-Authenticate")).contains("scope=\"repository:alice/guarded:pull,push\"");
        RegistryClient.Res foreign = bob().post("/v2/alice/guarded/blobs/uploads/", null);
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.code()).isEqualTo("DENIED");
        assertThat(alice().post("/v2/nosuchuser/repo/blobs/uploads/", null).status()).isEqualTo(403);
    }

    @Test
    void anUploadResumesAfterARestart() {
        byte[] data = randomBytes(200_000);
        String location = alice().post("/v2/alice/resume/blobs/uploads/", null).header("Location");
        alice().patch(location, Arrays.copyOfRange(data, 0, 80_000), "Content-Range", "0-79999");
        server = server.restart();
        RegistryClient.Res status = alice().get(location);
        assertThat(status.status()).isEqualTo(204);
        assertThat(status.header("Range")).isEqualTo("0-79999");
        alice().patch(location, Arrays.copyOfRange(data, 80_000, 200_000), "Content-Range", "80000-199999");
        String digest = RegistryClient.digest(data);
        assertThat(alice().put(location + "?digest=" + digest, null).status()).isEqualTo(201);
        assertThat(alice().get("/v2/alice/resume/blobs/" + digest).bytes()).isEqualTo(data);
    }

    @Test
    void defaultVisibilityPublicMakesNewRepositoriesPublic() {
        try (TestServer open = TestServer.start(backend(), c -> c.toBuilder().defaultPrivate(false).build())) {
            String session = Sessions.newUser(open, "carol", PASSWORD);
            String pat = Sessions.newToken(open, session, "carol", "repo:write");
            RegistryClient carol = new RegistryClient(open.url()).basic("carol", pat);
            String digest = pushBlob(carol, "carol/open", randomBytes(100));
            assertThat(new RegistryClient(open.url()).head("/v2/carol/open/blobs/" + digest).status()).isEqualTo(200);
        }
    }

    @Test
    void abandonedUploadsAreRemoved() {
        String location = alice().post("/v2/alice/abandoned/blobs/uploads/", null).header("Location");
        alice().patch(location, new byte[1000]);
        assertThat(server.wharf().uploads().removeAbandoned(Duration.ofHours(1))).isZero();
        assertThat(alice().get(location).status()).isEqualTo(204);
        assertThat(server.wharf().uploads().removeAbandoned(Duration.ofSeconds(-1))).isPositive();
        assertThat(alice().get(location).status()).isEqualTo(404);
    }
}
