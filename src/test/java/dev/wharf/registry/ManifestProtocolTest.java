package dev.wharf.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.audit.AuditEvent;
import dev.wharf.audit.AuditLog;
import dev.wharf.repositories.ManifestDocument;
import dev.wharf.repositories.PullCounter;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.StoredManifest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Manifests, tags, catalog and referrers of the OCI distribution spec, over HTTP, with their error cases. */
abstract class ManifestProtocolTest extends RegistryTestBase {
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";

    @Test
    void putGetHeadByTagAndDigest() {
        Image image = pushImage(alice(), "alice/app", "v1", 2);
        RegistryClient.Res byTag = alice().get("/v2/alice/app/manifests/v1", "Accept", OCI_MANIFEST);
        assertThat(byTag.status()).isEqualTo(200);
        assertThat(byTag.bytes()).isEqualTo(image.manifest());
        assertThat(byTag.header("Content-Type")).isEqualTo(OCI_MANIFEST);
        assertThat(byTag.header("Docker-Content-Digest")).isEqualTo(image.digest());
        assertThat(byTag.header("Content-Length")).isEqualTo(String.valueOf(image.manifest().length));

        RegistryClient.Res byDigest = alice().get("/v2/alice/app/manifests/" + image.digest());
        assertThat(byDigest.bytes()).isEqualTo(image.manifest());

        RegistryClient.Res head = alice().head("/v2/alice/app/manifests/v1");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Docker-Content-Digest")).isEqualTo(image.digest());
        assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(image.manifest().length));
        assertThat(head.header("Content-Type")).isEqualTo(OCI_MANIFEST);
        assertThat(head.bytes()).isEmpty();
    }

    @Test
    void manifestsAreServedFromTheDatabaseWhenTheBlobStoreCannotServeThem() throws Exception {
        Image image = pushImage(alice(), "alice/fromdb", "v1", 1);
        List<String> paths = List.of("/v2/alice/fromdb/manifests/v1", "/v2/alice/fromdb/manifests/" + image.digest());
        List<String> before = new ArrayList<>();
        for (String path : paths) {
            before.add(answer(alice().get(path, "Accept", OCI_MANIFEST)));
            before.add(answer(alice().head(path, "Accept", OCI_MANIFEST)));
        }

        java.nio.file.Files.delete(dev.wharf.testing.Collections.blobFile(server.dataDir(), image.digest()));
        assertThat(server.wharf().blobStore().size(dev.wharf.storage.Digest.parse(image.digest()))).isEmpty();

        List<String> after = new ArrayList<>();
        for (String path : paths) {
            RegistryClient.Res get = alice().get(path, "Accept", OCI_MANIFEST);
            assertThat(get.status()).as(get.toString()).isEqualTo(200);
            assertThat(get.bytes()).isEqualTo(image.manifest());
            after.add(answer(get));
            after.add(answer(alice().head(path, "Accept", OCI_MANIFEST)));
        }
        assertThat(after).isEqualTo(before);
    }

    /** A manifest answer's status, the headers a client reads, and its body's bytes. */
    private static String answer(RegistryClient.Res r) {
        return r.status() + " " + r.header("Content-Type") + " " + r.header("Content-Length") + " "
                + r.header("Docker-Content-Digest") + " " + r.header("ETag") + " "
                + java.util.HexFormat.of().formatHex(r.bytes());
    }

    @Test
    void putAnswersWithLocationAndDigest() {
        byte[] config = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        pushBlob(alice(), "alice/loc", config);
        byte[] body = manifest(config);
        RegistryClient.Res r = alice().put("/v2/alice/loc/manifests/latest", body, "Content-Type", OCI_MANIFEST);
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.header("Location")).isEqualTo("/v2/alice/loc/manifests/" + RegistryClient.digest(body));
        assertThat(r.header("Docker-Content-Digest")).isEqualTo(RegistryClient.digest(body));

        RegistryClient.Res byDigest = alice().put("/v2/alice/loc/manifests/" + RegistryClient.digest(body), body,
                "Content-Type", OCI_MANIFEST);
        assertThat(byDigest.status()).isEqualTo(201);
        RegistryClient.Res wrong = alice().put("/v2/alice/loc/manifests/" + RegistryClient.digest(config), body,
                "Content-Type", OCI_MANIFEST);
        assertThat(wrong.status()).isEqualTo(400);
        assertThat(wrong.code()).isEqualTo("DIGEST_INVALID");
    }

    @Test
    void dockerSchema2ManifestAndList() {
        byte[] config = "{\"architecture\":\"arm64\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        pushBlob(alice(), "alice/docker", config);
        Map<String, Object> m = manifestMap(DOCKER_MANIFEST, "application/vnd.docker.container.image.v1+json",
                config);
        byte[] body = RegistryClient.json(m);
        assertThat(alice().put("/v2/alice/docker/manifests/one", body, "Content-Type", DOCKER_MANIFEST).status())
                .isEqualTo(201);
        String list = "application/vnd.docker.distribution.manifest.list.v2+json";
        Map<String, Object> idx = new LinkedHashMap<>();
        idx.put("schemaVersion", 2);
        idx.put("mediaType", list);
        idx.put("manifests", List.of(descriptor(DOCKER_MANIFEST, body)));
        byte[] indexBody = RegistryClient.json(idx);
        RegistryClient.Res put = alice().put("/v2/alice/docker/manifests/multi", indexBody, "Content-Type", list);
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        assertThat(alice().get("/v2/alice/docker/manifests/multi", "Accept", list).header("Content-Type"))
                .isEqualTo(list);
    }

    @Test
    void whatAManifestRefersToItsPlatformAndSizeAreRecordedWhenItIsStored() throws InterruptedException {
        Image image = pushImage(alice(), "alice/facts", "v1", 2);
        StoredManifest stored = server.wharf().repositories().manifest(repository("alice/facts"), "v1").orElseThrow();
        Repositories.ManifestFacts facts = server.wharf().repositories().facts(stored);
        assertThat(facts.platform()).isEqualTo(new ManifestDocument.Platform("linux", "amd64", null));
        long blobs = image.blobs().stream().mapToLong(b -> b.length).sum();
        assertThat(facts.totalSize()).isEqualTo(image.manifest().length + blobs);
        assertThat(facts.references()).extracting(ManifestDocument.Reference::kind)
                .containsExactly(ManifestDocument.Kind.CONFIG, ManifestDocument.Kind.LAYER,
                        ManifestDocument.Kind.LAYER);
        assertThat(facts.references().get(1).digest().toString()).isEqualTo(RegistryClient.digest(image.blobs()
                .get(1)));
        assertThat(facts.pushedAt()).isNotNull();
        assertThat(facts.pulledAt()).isNull();

        Map<String, Object> child = new LinkedHashMap<>(descriptor(OCI_MANIFEST, image.manifest()));
        child.put("platform", Map.of("os", "linux", "architecture", "arm64", "variant", "v8"));
        byte[] index = RegistryClient.json(Map.of("schemaVersion", 2, "mediaType", OCI_INDEX,
                "manifests", List.of(child)));
        assertThat(alice().put("/v2/alice/facts/manifests/multi", index, "Content-Type", OCI_INDEX).status())
                .isEqualTo(201);
        StoredManifest multi = server.wharf().repositories().manifest(repository("alice/facts"), "multi")
                .orElseThrow();
        Repositories.ManifestFacts indexFacts = server.wharf().repositories().facts(multi);
        assertThat(indexFacts.platform()).isNull();
        assertThat(indexFacts.totalSize()).isEqualTo(index.length + facts.totalSize());
        assertThat(indexFacts.references()).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(ManifestDocument.Kind.MANIFEST);
            assertThat(r.platform()).isEqualTo(new ManifestDocument.Platform("linux", "arm64", "v8"));
        });

        assertThat(alice().get("/v2/alice/facts/manifests/v1").status()).isEqualTo(200);
        settleBookkeeping();
        assertThat(server.wharf().repositories().facts(stored).pulledAt()).isNotNull();
        int blobRows = server.wharf().database().jdbi().withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) FROM blobs WHERE digest IN (<d>)")
                .bindList("d", List.of(image.digest(), RegistryClient.digest(image.blobs().get(0)),
                        RegistryClient.digest(index))).mapTo(Integer.class).one());
        assertThat(blobRows).as("the manifest, its config and the index are in the blob table").isEqualTo(3);
    }

    @Test
    void acceptNegotiation() {
        Image image = pushImage(alice(), "alice/accept", "v1", 1);
        RegistryClient.Res notAccepted = alice().get("/v2/alice/accept/manifests/v1", "Accept", DOCKER_MANIFEST);
        assertThat(notAccepted.status()).isEqualTo(404);
        assertThat(notAccepted.code()).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(alice().get("/v2/alice/accept/manifests/v1", "Accept", DOCKER_MANIFEST + ", " + OCI_MANIFEST)
                .status()).isEqualTo(200);
        assertThat(alice().get("/v2/alice/accept/manifests/v1", "Accept", "*/*").status()).isEqualTo(200);
        assertThat(alice().head("/v2/alice/accept/manifests/" + image.digest(), "Accept", DOCKER_MANIFEST)
                .status()).isEqualTo(404);
    }

    @Test
    void manifestsMustReferToKnownContent() {
        byte[] config = "{\"x\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] body = manifest(config);
        RegistryClient.Res missingBlob = alice().put("/v2/alice/refs/manifests/a", body, "Content-Type", OCI_MANIFEST);
        assertThat(missingBlob.status()).isEqualTo(404);
        assertThat(missingBlob.code()).isEqualTo("MANIFEST_BLOB_UNKNOWN");

        Map<String, Object> idx = new LinkedHashMap<>();
        idx.put("schemaVersion", 2);
        idx.put("mediaType", OCI_INDEX);
        idx.put("manifests", List.of(descriptor(OCI_MANIFEST, body)));
        RegistryClient.Res missingChild = alice().put("/v2/alice/refs/manifests/b", RegistryClient.json(idx),
                "Content-Type", OCI_INDEX);
        assertThat(missingChild.status()).isEqualTo(404);
        assertThat(missingChild.code()).isEqualTo("MANIFEST_UNKNOWN");

        pushBlob(alice(), "alice/refs", config);
        assertThat(alice().put("/v2/alice/refs/manifests/a", body, "Content-Type", OCI_MANIFEST).status())
                .isEqualTo(201);
        assertThat(alice().put("/v2/alice/refs/manifests/b", RegistryClient.json(idx), "Content-Type", OCI_INDEX)
                .status()).isEqualTo(201);
    }

    @Test
    void invalidManifestsAreRefusedClearly() {
        byte[] config = "{\"y\":2}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        pushBlob(alice(), "alice/invalid", config);
        String schema1 = "{\"schemaVersion\":1,\"name\":\"alice/invalid\",\"tag\":\"x\",\"fsLayers\":[]}";
        RegistryClient.Res s1 = alice().put("/v2/alice/invalid/manifests/x", schema1.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "Content-Type", "application/vnd.docker.distribution.manifest.v1+prettyjws");
        assertThat(s1.status()).isEqualTo(400);
        assertThat(s1.code()).isEqualTo("MANIFEST_INVALID");
        assertThat(s1.json().path("errors").path(0).path("detail").asText()).contains("schema 1");
        RegistryClient.Res s1json = alice().put("/v2/alice/invalid/manifests/x", schema1.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "Content-Type", "application/json");
        assertThat(s1json.json().path("errors").path(0).path("detail").asText()).contains("schema 1");

        for (String bad : new String[] {"not json", "[]", "{\"schemaVersion\":2}", "{\"schemaVersion\":2,"
                + "\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"digest\":\"sha256:totallywrong\","
                + "\"size\":1,\"mediaType\":\"x\"},\"layers\":[]}"}) {
            RegistryClient.Res r = alice().put("/v2/alice/invalid/manifests/x", bad.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "Content-Type", OCI_MANIFEST);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.code()).as(bad).isEqualTo("MANIFEST_INVALID");
        }
        RegistryClient.Res mismatch = alice().put("/v2/alice/invalid/manifests/x", manifest(config),
                "Content-Type", DOCKER_MANIFEST);
        assertThat(mismatch.code()).isEqualTo("MANIFEST_INVALID");
        RegistryClient.Res unsupported = alice().put("/v2/alice/invalid/manifests/x", "{\"schemaVersion\":2}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), "Content-Type", "application/vnd.example+json");
        assertThat(unsupported.code()).isEqualTo("MANIFEST_INVALID");
        Map<String, Object> longType = manifestMap(OCI_MANIFEST, OCI_CONFIG, config);
        longType.put("artifactType", "application/" + "x".repeat(300));
        assertThat(alice().put("/v2/alice/invalid/manifests/x", RegistryClient.json(longType),
                "Content-Type", OCI_MANIFEST).code()).isEqualTo("MANIFEST_INVALID");
        RegistryClient.Res badTag = alice().put("/v2/alice/invalid/manifests/-bad", manifest(config),
                "Content-Type", OCI_MANIFEST);
        assertThat(badTag.status()).isEqualTo(400);
        assertThat(badTag.code()).isEqualTo("MANIFEST_INVALID");
    }

    @Test
    void manifestSizeIsLimited() {
        byte[] config = "{\"big\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        pushBlob(alice(), "alice/big", config);
        Map<String, Object> m = manifestMap(OCI_MANIFEST, OCI_CONFIG, config);
        m.put("annotations", Map.of("padding", "x".repeat(4 * 1024 * 1024)));
        RegistryClient.Res r = alice().put("/v2/alice/big/manifests/huge", RegistryClient.json(m),
                "Content-Type", OCI_MANIFEST);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.code()).isEqualTo("MANIFEST_INVALID");

        // Far more than the socket buffers hold: the client must still read the 413, not a reset connection.
        m.put("annotations", Map.of("padding", "x".repeat(24 * 1024 * 1024)));
        byte[] huge = RegistryClient.json(m);
        for (int i = 0; i < 3; i++) {
            assertThat(alice().put("/v2/alice/big/manifests/huge", huge, "Content-Type", OCI_MANIFEST).status())
                    .isEqualTo(413);
        }
    }

    @Test
    void badAndUnknownReferences() {
        pushImage(alice(), "alice/refsbad", "v1", 1);
        RegistryClient.Res wrong = alice().get("/v2/alice/refsbad/manifests/sha256:totallywrong");
        assertThat(wrong.status()).isIn(400, 404);
        assertThat(wrong.code()).isEqualTo("DIGEST_INVALID");
        assertThat(alice().head("/v2/alice/refsbad/manifests/sha256:totallywrong").status()).isIn(400, 404);
        assertThat(alice().delete("/v2/alice/refsbad/manifests/sha256:totallywrong").status()).isIn(400, 404);
        RegistryClient.Res unknownTag = alice().get("/v2/alice/refsbad/manifests/nope");
        assertThat(unknownTag.status()).isEqualTo(404);
        assertThat(unknownTag.code()).isEqualTo("MANIFEST_UNKNOWN");
        RegistryClient.Res unknownDigest = alice().get("/v2/alice/refsbad/manifests/"
                + RegistryClient.digest(randomBytes(3)));
        assertThat(unknownDigest.code()).isEqualTo("MANIFEST_UNKNOWN");
        RegistryClient.Res unknownRepo = alice().get("/v2/alice/nothere/manifests/v1");
        assertThat(unknownRepo.status()).isEqualTo(404);
        assertThat(unknownRepo.code()).isEqualTo("NAME_UNKNOWN");
        assertThat(alice().get("/v2/alice/refsbad/manifests/" + "%20").status()).isLessThan(500);
    }

    @Test
    void deleteByTagAndByDigestWithAudit() {
        Image image = pushImage(alice(), "alice/del", "one", 1);
        RegistryClient.Res retag = alice().put("/v2/alice/del/manifests/two", image.manifest(),
                "Content-Type", OCI_MANIFEST);
        assertThat(retag.status()).isEqualTo(201);
        alice().put("/v2/alice/del/manifests/three", image.manifest(), "Content-Type", OCI_MANIFEST);

        assertThat(alice().delete("/v2/alice/del/manifests/one").status()).isEqualTo(202);
        assertThat(alice().get("/v2/alice/del/manifests/one").code()).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(alice().get("/v2/alice/del/manifests/" + image.digest()).status()).isEqualTo(200);
        assertThat(alice().delete("/v2/alice/del/manifests/one").code()).isEqualTo("MANIFEST_UNKNOWN");

        assertThat(alice().delete("/v2/alice/del/manifests/" + image.digest()).status()).isEqualTo(202);
        assertThat(alice().get("/v2/alice/del/manifests/" + image.digest()).code()).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(alice().get("/v2/alice/del/manifests/two").code()).isEqualTo("MANIFEST_UNKNOWN");
        assertThat(alice().get("/v2/alice/del/tags/list").json().path("tags")).isEmpty();

        List<AuditEvent> events = audit("alice/del");
        List<String> tagDeletes = new ArrayList<>();
        for (AuditEvent e : events) {
            if (e.action().equals("repo.tag.delete")) {
                tagDeletes.add(e.data().get("tag"));
            }
            assertThat(e.actor()).isEqualTo("alice");
        }
        assertThat(tagDeletes).containsExactlyInAnyOrder("one", "two", "three");
        assertThat(events).anyMatch(e -> e.action().equals("repo.manifest.delete")
                && e.data().get("digest").equals(image.digest()));
        assertThat(events).anyMatch(e -> e.action().equals("repo.create"));
        assertThat(events).filteredOn(e -> e.action().equals("repo.tag.push")).allSatisfy(e -> {
            assertThat(e.data()).containsKeys("tag", "digest");
            assertThat(e.credentialUuid()).as("the PAT's uuid").isNotNull();
        });
        assertThat(server.wharf().repositories().tagHistory(repository("alice/del"), "one"))
                .extracting(c -> c.digest()).containsExactly(null, image.digest());
    }

    @Test
    void tagsListWithPagination() {
        Image image = pushImage(alice(), "alice/tags", "a", 1);
        for (String t : new String[] {"b", "c", "d", "e"}) {
            alice().put("/v2/alice/tags/manifests/" + t, image.manifest(), "Content-Type", OCI_MANIFEST);
        }
        RegistryClient.Res all = alice().get("/v2/alice/tags/tags/list");
        assertThat(all.json().path("name").asText()).isEqualTo("alice/tags");
        assertThat(texts(all.json().path("tags"))).containsExactly("a", "b", "c", "d", "e");
        assertThat(all.header("Link")).isNull();

        RegistryClient.Res page = alice().get("/v2/alice/tags/tags/list?n=2");
        assertThat(texts(page.json().path("tags"))).containsExactly("a", "b");
        assertThat(page.header("Link")).isEqualTo("</v2/alice/tags/tags/list?n=2&last=b>; rel=\"next\"");
        RegistryClient.Res next = alice().get("/v2/alice/tags/tags/list?n=2&last=b");
        assertThat(texts(next.json().path("tags"))).containsExactly("c", "d");
        RegistryClient.Res lastPage = alice().get("/v2/alice/tags/tags/list?n=2&last=d");
        assertThat(texts(lastPage.json().path("tags"))).containsExactly("e");
        assertThat(lastPage.header("Link")).isNull();
        assertThat(texts(alice().get("/v2/alice/tags/tags/list?n=0").json().path("tags"))).isEmpty();
        RegistryClient.Res bad = alice().get("/v2/alice/tags/tags/list?n=abc");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.code()).isEqualTo("UNSUPPORTED");
        assertThat(alice().get("/v2/alice/tags/tags/list?n=-1").status()).isEqualTo(400);
        assertThat(alice().get("/v2/alice/nosuch/tags/list").code()).isEqualTo("NAME_UNKNOWN");
    }

    @Test
    void catalogListsOnlyWhatTheCallerMaySee() {
        pushImage(alice(), "alice/cat-private", "v1", 1);
        pushImage(alice(), "alice/cat-public", "v1", 1);
        makePublic("alice/cat-public");
        pushImage(bob(), "bobby/cat-private", "v1", 1);

        List<String> anon = texts(anonymous().get("/v2/_catalog").json().path("repositories"));
        assertThat(anon).contains("alice/cat-public").doesNotContain("alice/cat-private", "bobby/cat-private");
        List<String> asAlice = texts(alice().get("/v2/_catalog").json().path("repositories"));
        assertThat(asAlice).contains("alice/cat-public", "alice/cat-private").doesNotContain("bobby/cat-private");
        List<String> asBob = texts(bob().get("/v2/_catalog").json().path("repositories"));
        assertThat(asBob).contains("alice/cat-public", "bobby/cat-private").doesNotContain("alice/cat-private");

        String publicRead = dev.wharf.testing.Sessions.newToken(server, aliceSession, "catalog-pr", "repo:public_read");
        List<String> asPublicRead = texts(anonymous().basic("alice", publicRead).get("/v2/_catalog").json()
                .path("repositories"));
        assertThat(asPublicRead).contains("alice/cat-public").doesNotContain("alice/cat-private");

        RegistryClient.Res page = alice().get("/v2/_catalog?n=1");
        assertThat(texts(page.json().path("repositories"))).hasSize(1);
        assertThat(page.header("Link")).startsWith("</v2/_catalog?n=1&last=");
        String first = texts(page.json().path("repositories")).get(0);
        List<String> rest = texts(alice().get("/v2/_catalog?n=1000&last=" + first).json().path("repositories"));
        assertThat(rest).doesNotContain(first);
        assertThat(rest.size() + 1).isEqualTo(asAlice.size());
        assertThat(alice().get("/v2/_catalog?n=x").status()).isEqualTo(400);
    }

    @Test
    void referrersWithArtifactTypeFilter() {
        Image subject = pushImage(alice(), "alice/refer", "v1", 1);
        byte[] empty = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        pushBlob(alice(), "alice/refer", empty);
        Map<String, Object> sig = new LinkedHashMap<>();
        sig.put("schemaVersion", 2);
        sig.put("mediaType", OCI_MANIFEST);
        sig.put("artifactType", "application/vnd.example.signature");
        sig.put("config", descriptor("application/vnd.oci.empty.v1+json", empty));
        sig.put("layers", List.of(descriptor("application/vnd.oci.empty.v1+json", empty)));
        sig.put("subject", descriptor(OCI_MANIFEST, subject.manifest()));
        sig.put("annotations", Map.of("org.example.signer", "alice"));
        byte[] sigBody = RegistryClient.json(sig);
        RegistryClient.Res put = alice().put("/v2/alice/refer/manifests/" + RegistryClient.digest(sigBody), sigBody,
                "Content-Type", OCI_MANIFEST);
        assertThat(put.status()).isEqualTo(201);
        assertThat(put.header("OCI-Subject")).isEqualTo(subject.digest());

        RegistryClient.Res all = alice().get("/v2/alice/refer/referrers/" + subject.digest());
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.header("Content-Type")).startsWith(OCI_INDEX);
        JsonNode manifests = all.json().path("manifests");
        assertThat(manifests).hasSize(1);
        assertThat(manifests.get(0).path("digest").asText()).isEqualTo(RegistryClient.digest(sigBody));
        assertThat(manifests.get(0).path("artifactType").asText()).isEqualTo("application/vnd.example.signature");
        assertThat(manifests.get(0).path("annotations").path("org.example.signer").asText()).isEqualTo("alice");
        assertThat(manifests.get(0).path("size").asLong()).isEqualTo(sigBody.length);

        RegistryClient.Res filtered = alice().get("/v2/alice/refer/referrers/" + subject.digest()
                + "?artifactType=application/vnd.example.signature");
        assertThat(filtered.header("OCI-Filters-Applied")).isEqualTo("artifactType");
        assertThat(filtered.json().path("manifests")).hasSize(1);
        assertThat(alice().get("/v2/alice/refer/referrers/" + subject.digest() + "?artifactType=other/type")
                .json().path("manifests")).isEmpty();
        assertThat(alice().get("/v2/alice/refer/referrers/" + RegistryClient.digest(randomBytes(4)))
                .json().path("manifests")).isEmpty();
        assertThat(alice().get("/v2/alice/refer/referrers/sha256:totallywrong").code()).isEqualTo("DIGEST_INVALID");
        RegistryClient.Res noRepo = alice().get("/v2/alice/never-pushed/referrers/" + subject.digest());
        assertThat(noRepo.status()).isEqualTo(200);
        assertThat(noRepo.json().path("manifests")).isEmpty();
    }

    @Test
    void pullsAreCountedPerRepositoryAndTag() {
        pushImage(alice(), "alice/counted", "v1", 1);
        alice().get("/v2/alice/counted/manifests/v1");
        alice().head("/v2/alice/counted/manifests/v1");
        settleBookkeeping();
        PullCounter.Stats stats = server.wharf().pulls().tagStats(repository("alice/counted"), "v1");
        assertThat(stats.count()).isEqualTo(1);
        assertThat(stats.pulledAt()).isNotNull();
        assertThat(server.wharf().pulls().repositoryStats(repository("alice/counted")).count()).isEqualTo(1);
        alice().get("/v2/alice/counted/manifests/v1");
        server.wharf().pulls().flushAll();
        assertThat(server.wharf().pulls().tagStats(repository("alice/counted"), "v1").count()).isEqualTo(2);
    }

    @Test
    void firstPushCreatesAPrivateRepository() {
        pushImage(alice(), "alice/fresh", "v1", 1);
        assertThat(repository("alice/fresh").isPrivate()).isTrue();
        assertThat(anonymous().get("/v2/alice/fresh/manifests/v1").status()).isEqualTo(401);
        assertThat(bob().get("/v2/alice/fresh/manifests/v1").status()).isEqualTo(403);
        makePublic("alice/fresh");
        assertThat(anonymous().get("/v2/alice/fresh/manifests/v1").status()).isEqualTo(200);
        assertThat(bob().get("/v2/alice/fresh/manifests/v1").status()).isEqualTo(200);
        assertThat(bob().delete("/v2/alice/fresh/manifests/v1").status()).isEqualTo(403);
    }

    @Test
    void deletingARepositoryRemovesEverythingAndIsAudited() {
        pushImage(alice(), "alice/doomed", "v1", 1);
        server.wharf().repositories().delete(repository("alice/doomed"),
                server.wharf().accounts().find("alice").orElseThrow().asActor());
        assertThat(alice().get("/v2/alice/doomed/manifests/v1").code()).isEqualTo("NAME_UNKNOWN");
        assertThat(alice().get("/v2/alice/doomed/tags/list").code()).isEqualTo("NAME_UNKNOWN");
        assertThat(audit("alice/doomed")).anyMatch(e -> e.action().equals("repo.delete") && e.actor().equals("alice"));
        pushImage(alice(), "alice/doomed", "v2", 1);
        assertThat(texts(alice().get("/v2/alice/doomed/tags/list").json().path("tags"))).containsExactly("v2");
    }

    private byte[] manifest(byte[] config) {
        return RegistryClient.json(manifestMap(OCI_MANIFEST, OCI_CONFIG, config));
    }

    /** A manifest without layers, as a mutable map so that a test can add fields. */
    private static Map<String, Object> manifestMap(String mediaType, String configType, byte[] config) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2);
        m.put("mediaType", mediaType);
        m.put("config", descriptor(configType, config));
        m.put("layers", List.of());
        return m;
    }

    /** Pull counts are written in the background; this waits for what is queued. */
    private void settleBookkeeping() {
        try {
            server.wharf().bookkeeping().settle();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private List<AuditEvent> audit(String repo) {
        return server.wharf().audit().query(server.wharf().accounts().find("alice").orElseThrow().logOwner(),
                new AuditLog.Filter(null, repo, null, null, null, 1, 100));
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
