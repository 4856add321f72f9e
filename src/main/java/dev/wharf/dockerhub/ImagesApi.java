package dev.wharf.dockerhub;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wharf.access.AccessPolicy;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.core.Timestamps;
import dev.wharf.core.Validation;
import dev.wharf.http.Json;
import dev.wharf.http.QueryTimes;
import dev.wharf.http.Requests;
import dev.wharf.http.Routed;
import dev.wharf.repositories.Action;
import dev.wharf.repositories.ImageDeletion;
import dev.wharf.repositories.Images;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.Repository;
import dev.wharf.repositories.RepositoryName;
import dev.wharf.storage.Digest;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Docker Hub's images API (Advanced Image Management, seed 004): a repository's images with their tags and activity,
 * an activity summary, and bulk deletion. Reading needs pull access to the repository, deleting the access policy's
 * delete action; every error is written in the API's {@code {txnid, message, errinfo}} shape by {@link HubErrors}.
 */
public final class ImagesApi {
    /** Room for {@link ImageDeletion#MAX_MANIFESTS} manifests with their acknowledged warnings and tags. */
    static final long DELETE_BODY_MAX_BYTES = 4L * 1024 * 1024;
    /** Acknowledged warnings per call: two per manifest at most mean something. */
    static final int MAX_ACKNOWLEDGED = 2 * ImageDeletion.MAX_MANIFESTS;
    /** Tags per acknowledged warning. */
    static final int MAX_ACKNOWLEDGED_TAGS = 1000;
    private static final Map<String, Images.Ordering> ORDERINGS = Map.of(
            "last_activity", Images.Ordering.LAST_ACTIVITY, "-last_activity", Images.Ordering.LAST_ACTIVITY_DESC,
            "digest", Images.Ordering.DIGEST, "-digest", Images.Ordering.DIGEST_DESC);
    private static final String ORDERING_VALUES = "last_activity, -last_activity, digest, -digest";
    private static final Map<ImageDeletion.Caution, String> CAUTIONS = Map.of(
            ImageDeletion.Caution.IS_ACTIVE, "is_active", ImageDeletion.Caution.CURRENT_TAG, "current_tag");

    private final Images images;
    private final Repositories repositories;
    private final AccessPolicy policy;
    private final Requests requests;
    private final Clock clock;

    public ImagesApi(Images images, Repositories repositories, AccessPolicy policy, Requests requests, Clock clock) {
        this.images = images;
        this.repositories = repositories;
        this.policy = policy;
        this.requests = requests;
        this.clock = clock;
    }

    Clock clock() {
        return clock;
    }

    /** The wire name of a warning, as seed 004 spells it; the error names are {@link HubErrors}'. */
    static String cautionName(ImageDeletion.Caution caution) {
        return CAUTIONS.get(caution);
    }

    private record ManifestRef(String repository, String digest) {
    }

    private record Acknowledged(String repository, String digest, String warning, List<String> tags) {
    }

    private record DeleteRequest(@JsonProperty("dry_run") Boolean dryRun,
                                 @JsonProperty("active_from") String activeFrom,
                                 List<ManifestRef> manifests,
                                 @JsonProperty("ignore_warnings") List<Acknowledged> ignoreWarnings) {
    }

    /** {@code GET /v2/namespaces/{namespace}/repositories/{repository}/images}. */
    void list(Context ctx) {
        Repository repo = readable(ctx);
        Paging paging = Paging.from(ctx, 10, 100);
        Validation v = new Validation();
        Boolean active = null;
        String status = ctx.queryParam("status");
        if (status != null && !status.isEmpty()) {
            v.check(status.equals("active") || status.equals("inactive"), "status",
                    "Invalid status value. Must be one of: active, inactive");
            active = status.equals("active");
        }
        Boolean tagged = null;
        String currentlyTagged = ctx.queryParam("currently_tagged");
        if (currentlyTagged != null && !currentlyTagged.isEmpty()) {
            v.check(currentlyTagged.equals("true") || currentlyTagged.equals("false"), "currently_tagged",
                    "Must be true or false.");
            tagged = currentlyTagged.equals("true");
        }
        String ordering = ctx.queryParam("ordering");
        Images.Ordering order = ordering == null || ordering.isEmpty() ? Images.Ordering.LAST_ACTIVITY_DESC
                : ORDERINGS.get(ordering);
        v.check(order != null, "ordering", "Invalid ordering value. Must be one of: " + ORDERING_VALUES);
        OffsetDateTime activeFrom = activeFrom(ctx.queryParam("active_from"), v);
        v.throwIfInvalid();
        Images.Page<Images.Image> page = images.list(repo, new Images.Query(activeFrom, active, tagged, order,
                paging.offset(), paging.pageSize()));
        String namespace = repo.name().namespace();
        String path = repositoryPath(repo.name());
        List<Map<String, Object>> results = new ArrayList<>();
        for (Images.Image image : page.items()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("namespace", namespace);
            out.put("repository", path);
            out.put("digest", image.digest().toString());
            out.put("tags", image.tags().stream().map(ImagesApi::tagJson).toList());
            out.put("last_pushed", Json.time(image.pushedAt()));
            out.put("last_pulled", Json.time(image.pulledAt()));
            out.put("status", image.active() ? "active" : "inactive");
            results.add(out);
        }
        ctx.json(paging.body(ctx, requests.baseUrl(ctx), "count", page.total(), results));
    }

    /** {@code GET /v2/namespaces/{namespace}/repositories/{repository}/images/{digest}/tags}. */
    void tags(Context ctx) {
        Repository repo = readable(ctx);
        Paging paging = Paging.from(ctx, 10, 100);
        String raw = Routed.parameter(ctx, "digest");
        String problem = Digest.problem(raw);
        if (problem != null) {
            throw new DomainException.Invalid("digest", problem);
        }
        Images.Page<Images.ImageTag> page = images.tags(repo, Digest.parse(raw),
                        paging.offset(), paging.pageSize())
                .orElseThrow(() -> new DomainException.NotFound("image " + raw + " is not in " + repo.name()));
        ctx.json(paging.body(ctx, requests.baseUrl(ctx), "count", page.total(),
                page.items().stream().map(ImagesApi::tagJson).toList()));
    }

    /** {@code GET /v2/namespaces/{namespace}/repositories/{repository}/images-summary}. */
    void summary(Context ctx) {
        Repository repo = readable(ctx);
        Validation v = new Validation();
        OffsetDateTime activeFrom = activeFrom(ctx.queryParam("active_from"), v);
        v.throwIfInvalid();
        Images.Summary summary = images.summary(repo, activeFrom);
        Map<String, Object> statistics = new LinkedHashMap<>();
        statistics.put("total", summary.total());
        statistics.put("active", summary.active());
        statistics.put("inactive", summary.inactive());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("active_from", Json.time(activeFrom));
        out.put("statistics", statistics);
        ctx.json(out);
    }

    /** {@code POST /v2/namespaces/{namespace}/delete-images}: one repository per call, at most 1,000 manifests. */
    void delete(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        String namespace = Routed.parameter(ctx, "namespace");
        DeleteRequest body = requests.body(ctx, DeleteRequest.class, DELETE_BODY_MAX_BYTES);
        if (body == null) {
            throw new DomainException.Invalid("body", "A JSON object is required.");
        }
        Validation v = new Validation();
        OffsetDateTime activeFrom = activeFrom(body.activeFrom(), v);
        List<ImageDeletion.Target> targets = targets(namespace, body.manifests(), v);
        List<ImageDeletion.Warning> acknowledged = acknowledged(namespace, body.ignoreWarnings(), v);
        v.throwIfInvalid();
        RepositoryName name = targets.get(0).repository();
        boolean mayDelete = policy.allows(p, name, Set.of(Action.DELETE));
        ImageDeletion.Plan plan = images.plan(repositories.find(name), targets, mayDelete, activeFrom, acknowledged);
        boolean dryRun = Boolean.TRUE.equals(body.dryRun());
        ImageDeletion.Metrics m = dryRun ? Images.preview(plan) : images.delete(plan, p.actor());
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("manifest_deletes", m.manifestDeletes());
        metrics.put("manifest_errors", m.manifestErrors());
        metrics.put("tag_deletes", m.tagDeletes());
        metrics.put("tag_errors", m.tagErrors());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dry_run", dryRun);
        out.put("metrics", metrics);
        ctx.json(out);
    }

    /** The manifests to delete, distinct and all in one repository; problems are added to {@code v}. */
    private static List<ImageDeletion.Target> targets(String namespace, List<ManifestRef> refs, Validation v) {
        if (refs == null || refs.isEmpty()) {
            v.add("manifests", "At least one manifest is required.");
            return List.of();
        }
        if (refs.size() > ImageDeletion.MAX_MANIFESTS) {
            v.add("manifests", "Ensure this field has no more than " + ImageDeletion.MAX_MANIFESTS + " elements.");
            return List.of();
        }
        Set<ImageDeletion.Target> out = new LinkedHashSet<>();
        for (ManifestRef ref : refs) {
            ImageDeletion.Target target = ref == null ? null : target(namespace, ref.repository(), ref.digest(),
                    "manifests", v);
            if (ref == null) {
                v.add("manifests", "Each manifest needs a repository and a digest.");
            } else if (target != null) {
                out.add(target);
            }
        }
        if (out.stream().map(ImageDeletion.Target::repository).distinct().count() > 1) {
            v.add("manifests", "All manifests must be in the same repository: delete-images deletes from one"
                    + " repository per call.");
        }
        return List.copyOf(out);
    }

    private static List<ImageDeletion.Warning> acknowledged(String namespace, List<Acknowledged> list,
                                                            Validation v) {
        if (list == null) {
            return List.of();
        }
        if (list.size() > MAX_ACKNOWLEDGED) {
            v.add("ignore_warnings", "Ensure this field has no more than " + MAX_ACKNOWLEDGED + " elements.");
            return List.of();
        }
        List<ImageDeletion.Warning> out = new ArrayList<>();
        for (Acknowledged a : list) {
            if (a == null) {
                v.add("ignore_warnings", "Each warning needs a repository, a digest and a warning.");
                continue;
            }
            ImageDeletion.Target target = target(namespace, a.repository(), a.digest(), "ignore_warnings", v);
            ImageDeletion.Caution caution = CAUTIONS.entrySet().stream().filter(e -> e.getValue().equals(a.warning()))
                    .map(Map.Entry::getKey).findFirst().orElse(null);
            if (caution == null) {
                v.add("ignore_warnings", "Invalid warning. Must be one of: is_active, current_tag");
            }
            List<String> tags = a.tags() == null ? List.of() : a.tags();
            if (tags.size() > MAX_ACKNOWLEDGED_TAGS || tags.stream().anyMatch(t -> t == null
                    || !Repositories.TAG.matcher(t).matches())) {
                v.add("ignore_warnings", "tags must be at most " + MAX_ACKNOWLEDGED_TAGS + " valid tag names.");
            } else if (target != null && caution != null) {
                out.add(new ImageDeletion.Warning(target, caution, tags));
            }
        }
        return out;
    }

    /** A manifest named in the body, or null with the problem added to {@code v} on {@code field}. */
    private static ImageDeletion.Target target(String namespace, String repository, String digest, String field,
                                               Validation v) {
        String full = namespace + "/" + repository;
        if (repository == null || repository.isEmpty() || RepositoryName.problem(full) != null) {
            v.add(field, "Invalid repository '" + (repository == null ? "" : abbreviated(repository)) + "'.");
            return null;
        }
        String problem = Digest.problem(digest);
        if (problem != null) {
            v.add(field, "Invalid digest '" + (digest == null ? "" : abbreviated(digest)) + "': " + problem + ".");
            return null;
        }
        return new ImageDeletion.Target(new RepositoryName(full), Digest.parse(digest));
    }

    /** A value quoted in a message, cut short: messages never echo unbounded input. */
    private static String abbreviated(String value) {
        return value.length() <= 80 ? value : value.substring(0, 80) + "…";
    }

    /** The repository in the path, if the caller may pull from it: 401 when it may not, 404 when there is none. */
    private Repository readable(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        String full = Routed.parameter(ctx, "namespace") + "/" + Routed.parameter(ctx, "repository");
        if (RepositoryName.problem(full) != null) {
            throw new DomainException.NotFound("repository not found");
        }
        RepositoryName name = new RepositoryName(full);
        if (!policy.allows(p, name, Set.of(Action.PULL))) {
            throw new DomainException.Unauthenticated("user does not have read access to the repository");
        }
        return repositories.find(name).orElseThrow(() -> new DomainException.NotFound("repository not found"));
    }

    /** {@code active_from}, defaulting to a month before now; a bad value is added to {@code v}. */
    private OffsetDateTime activeFrom(String raw, Validation v) {
        try {
            OffsetDateTime parsed = QueryTimes.parse(raw, "active_from");
            return parsed != null ? parsed : Timestamps.now(clock).minusMonths(1);
        } catch (DomainException.Invalid e) {
            v.add("active_from", e.getMessage());
            return null;
        }
    }

    private static Map<String, Object> tagJson(Images.ImageTag tag) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tag", tag.tag());
        out.put("is_current", tag.current());
        return out;
    }

    /** The repository's name without its namespace, as Hub names repositories. */
    static String repositoryPath(RepositoryName name) {
        return name.value().substring(name.namespace().length() + 1);
    }
}
