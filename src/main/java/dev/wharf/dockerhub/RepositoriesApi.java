package dev.wharf.dockerhub;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wharf.access.AccessPolicy;
import dev.wharf.accounts.Account;
import dev.wharf.audit.LogOwner;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.core.Validation;
import dev.wharf.http.Json;
import dev.wharf.http.Requests;
import dev.wharf.http.Routed;
import dev.wharf.repositories.Action;
import dev.wharf.repositories.ImmutableTags;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.Repository;
import dev.wharf.repositories.RepositoryName;
import dev.wharf.repositories.RepositoryProfiles;
import dev.wharf.repositories.TagViews;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Docker Hub's repositories and tags ({@code /v2/namespaces/{namespace}/repositories…} and the legacy
 * {@code /v2/repositories/…} routes), translated to {@link RepositoryProfiles}, {@link TagViews} and
 * {@link Repositories}. Every permission comes from {@link AccessPolicy#actions}: read is pull, write is push, admin
 * is delete. A repository the caller may not read answers 404 exactly as a missing one does, so its existence never
 * leaks.
 */
final class RepositoriesApi {
    private static final List<String> ORDERINGS = List.of("name", "-name", "last_updated", "-last_updated",
            "pull_count", "-pull_count");
    private static final int NAME_FILTER_MAX = 255;
    /** Verify answers at most this many matching tags; a rule that matches more is too broad to review by list. */
    private static final int VERIFY_MAX = 1000;
    private static final String V1_GONE = "Docker Hub API v1 has been removed; use /v2/.";
    private static final String OAT_REFUSED = "token issued from organization access token is not allowed";

    private final Repositories repositories;
    private final RepositoryProfiles profiles;
    private final TagViews tags;
    private final AccessPolicy policy;
    private final Requests requests;

    RepositoriesApi(Repositories repositories, RepositoryProfiles profiles, TagViews tags, AccessPolicy policy,
                    Requests requests) {
        this.repositories = repositories;
        this.profiles = profiles;
        this.tags = tags;
        this.policy = policy;
        this.requests = requests;
    }

    /** Hub's {@code repo_creation_request}; its {@code registry} is always this one and is not read. */
    private record NewRepository(String name, String namespace, String description,
                                 @JsonProperty("full_description") String fullDescription,
                                 @JsonProperty("is_private") Boolean isPrivate) {
    }

    private record Descriptions(String description, @JsonProperty("full_description") String fullDescription) {
    }

    private record Privacy(@JsonProperty("is_private") Boolean isPrivate) {
    }

    private record ImmutableSettings(@JsonProperty("immutable_tags") Boolean enabled,
                                     @JsonProperty("immutable_tags_rules") List<String> rules) {
    }

    private record Verify(String regex) {
    }

    // ---------------------------------------------------------------------------------------------- repositories

    /** {@code GET /v2/namespaces/{namespace}/repositories}. */
    void list(Context ctx) {
        Principal caller = HubAuth.caller(ctx);
        Account namespace = namespace(ctx);
        Paging paging = Paging.from(ctx, 10, 100);
        RepositoryProfiles.Sort sort = ordering(ctx.queryParam("ordering"));
        String name = ctx.queryParam("name");
        if (name != null && name.length() > NAME_FILTER_MAX) {
            throw new DomainException.Invalid("name", "Ensure this value has at most " + NAME_FILTER_MAX
                    + " characters.");
        }
        RepositoryProfiles.Page<RepositoryProfiles.Summary> page = profiles.list(new RepositoryProfiles.Query(
                namespace.id(), namespace.name(), name == null || name.isEmpty() ? null : name,
                policy.listsPrivate(caller, namespace), sort, paging.offset(), paging.pageSize()));
        requireOnPage(paging, page.total());
        ctx.json(paging.body(ctx, requests.baseUrl(ctx), "count", page.total(),
                page.items().stream().map(RepositoriesApi::listEntry).toList()));
    }

    /** {@code GET /v2/repositories/{namespace}}: the same listing, which OATs may not use. */
    void legacyList(Context ctx) {
        refuseOrgTokens(ctx);
        list(ctx);
    }

    /** {@code POST /v2/namespaces/{namespace}/repositories}: whoever may push to the namespace may create. */
    void create(Context ctx) {
        Principal caller = HubAuth.principal(ctx);
        Account namespace = namespace(ctx);
        NewRepository body = body(ctx, NewRepository.class);
        Validation v = new Validation();
        v.check(body.name() != null, "name", "This field is required.");
        v.check(namespace.name().equals(body.namespace()), "namespace",
                body.namespace() == null ? "This field is required."
                        : "The namespace must be the one in the path: " + namespace.name());
        v.throwIfInvalid();
        String problem = RepositoryProfiles.nameProblem(namespace.name(), body.name());
        if (problem == null && !policy.allows(caller,
                new RepositoryName(namespace.name() + "/" + body.name()), Set.of(Action.PUSH))) {
            throw new DomainException.Forbidden("You do not have permission to create repositories in "
                    + namespace.name() + ".");
        }
        Repository created = profiles.create(new LogOwner(namespace.id(), namespace.name()), body.name(),
                Boolean.TRUE.equals(body.isPrivate()), body.description(), body.fullDescription(), caller.actor());
        ctx.status(201).json(info(caller, profiles.summary(created)));
    }

    /** {@code GET /v2/namespaces/{namespace}/repositories/{repository}}. */
    void get(Context ctx) {
        Principal caller = HubAuth.caller(ctx);
        ctx.json(info(caller, profiles.summary(readable(ctx, caller, Set.of()))));
    }

    /** {@code HEAD /v2/namespaces/{namespace}/repositories/{repository}}: 200 with no body, or 404. */
    void head(Context ctx) {
        readable(ctx, HubAuth.caller(ctx), Set.of());
        ctx.status(200);
    }

    /** {@code GET /v2/repositories/{namespace}/{repository}}. */
    void legacyGet(Context ctx) {
        refuseOrgTokens(ctx);
        get(ctx);
    }

    /** {@code PATCH /v2/repositories/{namespace}/{repository}}: the descriptions; needs write. */
    void update(Context ctx) {
        refuseOrgTokens(ctx);
        Principal caller = HubAuth.principal(ctx);
        Repository repo = readable(ctx, caller, Set.of(Action.PUSH));
        Descriptions body = body(ctx, Descriptions.class);
        profiles.update(repo, body.description(), body.fullDescription(), caller.actor());
        ctx.json(info(caller, profiles.summary(repo)));
    }

    /** {@code DELETE /v2/repositories/{namespace}/{repository}}: gone from the registry too; needs admin. */
    void delete(Context ctx) {
        refuseOrgTokens(ctx);
        Principal caller = HubAuth.principal(ctx);
        repositories.delete(readable(ctx, caller, Set.of(Action.DELETE)), caller.actor());
        ctx.status(204);
    }

    /** {@code POST /v2/repositories/{namespace}/{repository}/privacy} {@code {is_private}}; needs admin. */
    void privacy(Context ctx) {
        refuseOrgTokens(ctx);
        Principal caller = HubAuth.principal(ctx);
        Repository repo = readable(ctx, caller, Set.of(Action.DELETE));
        Privacy body = body(ctx, Privacy.class);
        if (body.isPrivate() == null) {
            throw new DomainException.Invalid("is_private", "This field is required.");
        }
        profiles.changePrivacy(repo, body.isPrivate(), caller.actor());
        ctx.json(info(caller, profiles.summary(repo)));
    }

    /** {@code PATCH …/{repository}/immutabletags}; needs admin. */
    void updateImmutableTags(Context ctx) {
        Principal caller = HubAuth.principal(ctx);
        Repository repo = readable(ctx, caller, Set.of(Action.DELETE));
        ImmutableSettings body = body(ctx, ImmutableSettings.class);
        Validation v = new Validation();
        v.check(body.enabled() != null, "immutable_tags", "This field is required.");
        v.check(body.rules() != null, "immutable_tags_rules", "This field is required.");
        v.throwIfInvalid();
        profiles.setImmutableTags(repo, ImmutableTags.of(body.enabled(), body.rules(), "immutable_tags_rules"),
                caller.actor());
        ctx.json(info(caller, profiles.summary(repo)));
    }

    /** {@code POST …/{repository}/immutabletags/verify} {@code {regex}}: the existing tags the rule matches. */
    void verifyImmutableTags(Context ctx) {
        Principal caller = HubAuth.principal(ctx);
        Repository repo = readable(ctx, caller, Set.of(Action.DELETE));
        Verify body = body(ctx, Verify.class);
        if (body.regex() == null) {
            throw new DomainException.Invalid("regex", "This field is required.");
        }
        ctx.json(Map.of("tags", profiles.tagsMatching(repo, body.regex(), VERIFY_MAX)));
    }

    // ---------------------------------------------------------------------------------------------- tags

    /** {@code GET …/{repository}/tags} (and the legacy {@code /v2/repositories/…/tags}): newest push first. */
    void listTags(Context ctx) {
        Repository repo = readable(ctx, HubAuth.caller(ctx), Set.of());
        Paging paging = Paging.from(ctx, 10, 100);
        long total = tags.count(repo);
        requireOnPage(paging, total);
        List<Map<String, Object>> results = tags.page(repo, paging.offset(), paging.pageSize()).stream()
                .map(RepositoriesApi::tagJson).toList();
        ctx.json(paging.body(ctx, requests.baseUrl(ctx), "count", total, results));
    }

    /** {@code GET /v2/repositories/{namespace}/{repository}/tags}, which OATs may not use. */
    void legacyListTags(Context ctx) {
        refuseOrgTokens(ctx);
        listTags(ctx);
    }

    /** {@code HEAD …/{repository}/tags}: 200 when the repository has tags, else 404. */
    void headTags(Context ctx) {
        if (tags.count(readable(ctx, HubAuth.caller(ctx), Set.of())) == 0) {
            throw new DomainException.NotFound("The repository has no tags.");
        }
        ctx.status(200);
    }

    /** {@code GET …/{repository}/tags/{tag}}. */
    void getTag(Context ctx) {
        ctx.json(tagJson(tag(ctx)));
    }

    /** {@code HEAD …/{repository}/tags/{tag}}. */
    void headTag(Context ctx) {
        tag(ctx);
        ctx.status(200);
    }

    /** {@code DELETE /v2/repositories/{namespace}/{repository}/tags/{tag}}: needs admin; immutable tags stay. */
    void deleteTag(Context ctx) {
        refuseOrgTokens(ctx);
        Principal caller = HubAuth.principal(ctx);
        Repository repo = readable(ctx, caller, Set.of(Action.DELETE));
        String tag = Routed.parameter(ctx, "tag");
        if (!Repositories.TAG.matcher(tag).matches()) {
            throw new DomainException.NotFound("tag not found");
        }
        try {
            repositories.deleteTag(repo, tag, caller.actor());
        } catch (DomainException.NotFound e) {
            throw new DomainException.NotFound("tag not found");
        }
        ctx.status(204);
    }

    private TagViews.Tag tag(Context ctx) {
        Repository repo = readable(ctx, HubAuth.caller(ctx), Set.of());
        String name = Routed.parameter(ctx, "tag");
        DomainException.NotFound missing = new DomainException.NotFound("tag not found");
        if (!Repositories.TAG.matcher(name).matches()) {
            throw missing;
        }
        return tags.find(repo, name).orElseThrow(() -> missing);
    }

    /** {@code /v1/…}: Docker Hub removed API v1 on 2022-08-23 and answers 410 Gone. */
    void v1Gone(Context ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("detail", V1_GONE);
        body.put("message", V1_GONE);
        ctx.status(410).json(body);
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /** The namespace in the path, or 404. */
    private Account namespace(Context ctx) {
        return policy.namespace(Routed.parameter(ctx, "namespace"))
                .orElseThrow(() -> new DomainException.NotFound("namespace not found"));
    }

    /**
     * The repository in the path, if the caller may read it (a missing one and an unreadable one are both 404) and
     * do every one of {@code needed} on it (403 otherwise).
     */
    private Repository readable(Context ctx, Principal caller, Set<Action> needed) {
        String raw = Routed.parameter(ctx, "namespace") + "/" + Routed.parameter(ctx, "repository");
        DomainException.NotFound missing = new DomainException.NotFound("object not found");
        if (RepositoryName.problem(raw) != null) {
            throw missing;
        }
        RepositoryName name = new RepositoryName(raw);
        Set<Action> actions = policy.actions(caller, name);
        Repository repo = repositories.find(name).orElseThrow(() -> missing);
        if (!actions.contains(Action.PULL)) {
            throw missing;
        }
        if (!actions.containsAll(needed)) {
            throw new DomainException.Forbidden("You do not have permission to perform this action.");
        }
        return repo;
    }

    /** Hub refuses every organization access token on the legacy {@code /v2/repositories/…} routes. */
    private static void refuseOrgTokens(Context ctx) {
        Principal caller = HubAuth.caller(ctx);
        if (caller != null && caller.isRobot()) {
            throw new DomainException.Forbidden(OAT_REFUSED);
        }
    }

    private <T> T body(Context ctx, Class<T> type) {
        T body = requests.body(ctx, type);
        if (body == null) {
            throw new DomainException.Invalid("body", "A JSON object is required.");
        }
        return body;
    }

    private static RepositoryProfiles.Sort ordering(String raw) {
        if (raw == null || raw.isEmpty()) {
            return RepositoryProfiles.Sort.DEFAULT;
        }
        if (!ORDERINGS.contains(raw)) {
            throw new DomainException.Invalid("Invalid ordering value", Map.of("ordering", List.of(
                    "Invalid ordering value. Must be one of: " + String.join(", ", ORDERINGS))));
        }
        boolean descending = raw.startsWith("-");
        RepositoryProfiles.SortField field = switch (descending ? raw.substring(1) : raw) {
            case "last_updated" -> RepositoryProfiles.SortField.LAST_UPDATED;
            case "pull_count" -> RepositoryProfiles.SortField.PULL_COUNT;
            default -> RepositoryProfiles.SortField.NAME;
        };
        return new RepositoryProfiles.Sort(field, descending);
    }

    /** As on Hub, a page past the end of a listing is not found; the first page of an empty one is empty. */
    private static void requireOnPage(Paging paging, long total) {
        if (paging.page() > 1 && paging.offset() >= total) {
            throw new DomainException.NotFound("Invalid page.");
        }
    }

    /** The fields {@code repository_list_entry} and {@code repository_info} share. */
    private static Map<String, Object> common(RepositoryProfiles.Summary s) {
        Repository r = s.repository();
        String full = r.name().value();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", full.substring(full.indexOf('/') + 1));
        out.put("namespace", r.name().namespace());
        // Hub types a repository by what it holds: "image" once it holds images, null while empty.
        out.put("repository_type", s.contentTypes().contains("image") ? "image" : null);
        out.put("status", 1);
        out.put("status_description", "active");
        out.put("description", s.profile().description() == null ? "" : s.profile().description());
        out.put("is_private", r.isPrivate());
        // Wharf has no stars; the count is truthfully zero.
        out.put("star_count", 0);
        out.put("pull_count", r.pullCount());
        return out;
    }

    private static Map<String, Object> listEntry(RepositoryProfiles.Summary s) {
        Repository r = s.repository();
        Map<String, Object> out = common(s);
        out.put("last_updated", Json.time(r.pushedAt()));
        out.put("last_modified", Json.time(s.profile().modifiedAt()));
        out.put("date_registered", Json.time(r.createdAt()));
        out.put("affiliation", "");
        out.put("media_types", s.mediaTypes());
        out.put("content_types", s.contentTypes());
        out.put("categories", List.of());
        out.put("storage_size", s.storageBytes());
        return out;
    }

    private Map<String, Object> info(Principal caller, RepositoryProfiles.Summary s) {
        Repository r = s.repository();
        Set<Action> actions = policy.actions(caller, r.name());
        Map<String, Object> out = common(s);
        out.put("user", r.name().namespace());
        out.put("is_automated", false);
        // Required and not nullable: a repository nothing was pushed to yet was last updated when it was created,
        // as the spec's own example of a new repository shows.
        out.put("last_updated", Json.time(r.pushedAt() == null ? r.createdAt() : r.pushedAt()));
        out.put("last_modified", Json.time(s.profile().modifiedAt()));
        out.put("date_registered", Json.time(r.createdAt()));
        out.put("collaborator_count", 0);
        out.put("affiliation", "");
        out.put("hub_user", r.name().namespace());
        out.put("has_starred", false);
        out.put("full_description", s.profile().fullDescription());
        Map<String, Object> permissions = new LinkedHashMap<>();
        permissions.put("read", actions.contains(Action.PULL));
        permissions.put("write", actions.contains(Action.PUSH));
        permissions.put("admin", actions.contains(Action.DELETE));
        out.put("permissions", permissions);
        out.put("media_types", s.mediaTypes());
        out.put("content_types", s.contentTypes());
        out.put("categories", List.of());
        Map<String, Object> immutable = new LinkedHashMap<>();
        immutable.put("enabled", s.profile().immutableTags().enabled());
        immutable.put("rules", s.profile().immutableTags().rules());
        out.put("immutable_tags_settings", immutable);
        out.put("storage_size", s.storageBytes());
        out.put("source", null);
        return out;
    }

    /** A tag in the live shape ({@code images} an array, {@code v2} a boolean, {@code tag_status}). */
    private static Map<String, Object> tagJson(TagViews.Tag t) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", t.id());
        List<Map<String, Object>> images = new ArrayList<>();
        for (TagViews.Image i : t.images()) {
            Map<String, Object> image = new LinkedHashMap<>();
            image.put("architecture", i.architecture());
            image.put("features", "");
            image.put("variant", i.variant());
            image.put("digest", i.digest().toString());
            image.put("os", i.os());
            image.put("os_features", String.join(" ", i.osFeatures()));
            image.put("os_version", i.osVersion());
            image.put("size", i.size());
            image.put("status", i.active() ? "active" : "inactive");
            image.put("last_pulled", Json.time(i.lastPulled()));
            image.put("last_pushed", Json.time(i.lastPushed()));
            image.put("layers", i.layers().stream().map(l -> Map.<String, Object>of("digest", l.digest().toString(),
                    "size", l.size(), "instruction", l.instruction())).toList());
            images.add(image);
        }
        out.put("images", images);
        if (t.creatorId() != null) {
            out.put("creator", t.creatorId());
        }
        out.put("last_updated", Json.time(t.pushedAt()));
        if (t.updaterId() != null) {
            out.put("last_updater", t.updaterId());
        }
        out.put("last_updater_username", t.updaterName());
        out.put("name", t.name());
        out.put("repository", t.repositoryId());
        out.put("full_size", t.fullSize());
        out.put("v2", true);
        out.put("tag_status", t.active() ? "active" : "inactive");
        out.put("tag_last_pulled", Json.time(t.pulledAt()));
        out.put("tag_last_pushed", Json.time(t.pushedAt()));
        out.put("digest", t.digest().toString());
        return out;
    }
}
