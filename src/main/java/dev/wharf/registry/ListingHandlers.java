package dev.wharf.registry;

import dev.wharf.access.AccessPolicy;
import dev.wharf.accounts.Account;
import dev.wharf.core.JsonDocuments;
import dev.wharf.http.Json;
import dev.wharf.repositories.ManifestDocument;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.Repository;
import dev.wharf.repositories.StoredManifest;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Listings: {@code /v2/<name>/tags/list}, {@code /v2/_catalog} and {@code /v2/<name>/referrers/<digest>}. */
final class ListingHandlers {
    private final Repositories repositories;
    private final AccessPolicy policy;

    ListingHandlers(Repositories repositories, AccessPolicy policy) {
        this.repositories = repositories;
        this.policy = policy;
    }

    /** The annotations of a stored manifest; the rest of it is skipped. */
    private record Annotated(Map<String, String> annotations) {
    }

    /** A manifest's annotations, or null when it has none the spec allows (string values only). */
    private static Map<String, String> annotations(byte[] manifest) {
        try {
            return JsonDocuments.read(manifest, Annotated.class).annotations();
        } catch (JsonDocuments.Malformed e) {
            return null;
        }
    }

    void tags(RegistryRequest r) {
        Repository repo = repositories.require(r.name());
        Paging paging = Paging.of(r.ctx());
        List<String> tags = paging.page(r.ctx(), "/v2/" + r.name() + "/tags/list",
                repositories.tags(repo, paging.last(), paging.n() + 1));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", r.name().value());
        body.put("tags", tags);
        r.ctx().json(body);
    }

    /** Lists the repositories the caller may see: every public one, and private ones they may pull. */
    void catalog(RegistryRequest r) {
        Context ctx = r.ctx();
        Paging paging = Paging.of(ctx);
        Long viewer = policy.catalogViewer(r.caller().principal()).map(Account::id).orElse(null);
        List<String> names = paging.page(ctx, "/v2/_catalog", repositories.catalog(viewer, paging.last(),
                paging.n() + 1));
        ctx.json(Map.of("repositories", names));
    }

    void referrers(RegistryRequest r) {
        var subject = BlobHandlers.digest(r.parameter("digest"));
        // A registry with the referrers API must not answer 404 (clients would fall back to the tag schema): a
        // repository that does not exist (yet) simply has no referrers.
        String artifactType = r.query("artifactType");
        List<StoredManifest> referrers = repositories.find(r.name())
                .map(repo -> repositories.referrers(repo, subject, artifactType)).orElse(List.of());
        List<Map<String, Object>> descriptors = new ArrayList<>();
        for (StoredManifest m : referrers) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("mediaType", m.mediaType());
            d.put("digest", m.digest().toString());
            d.put("size", m.size());
            if (m.artifactType() != null) {
                d.put("artifactType", m.artifactType());
            }
            Map<String, String> annotations = annotations(repositories.manifestBytes(m));
            if (annotations != null) {
                d.put("annotations", annotations);
            }
            descriptors.add(d);
        }
        if (artifactType != null) {
            r.ctx().header("OCI-Filters-Applied", "artifactType");
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", ManifestDocument.OCI_INDEX);
        index.put("manifests", descriptors);
        r.ctx().contentType(ManifestDocument.OCI_INDEX).result(Json.bytes(index));
    }
}
