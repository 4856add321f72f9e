package dev.wharf.web;

import dev.wharf.access.AccessPolicy;
import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.core.Timestamps;
import dev.wharf.http.Requests;
import dev.wharf.http.Routed;
import dev.wharf.repositories.Action;
import dev.wharf.repositories.ImageDeletion;
import dev.wharf.repositories.ImmutableTags;
import dev.wharf.repositories.Images;
import dev.wharf.repositories.ManifestDocument;
import dev.wharf.repositories.Repositories;
import dev.wharf.repositories.Repository;
import dev.wharf.repositories.RepositoryName;
import dev.wharf.repositories.RepositoryProfiles;
import dev.wharf.storage.Digest;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Repositories: a namespace's list (searchable, sortable, a page at a time), a repository's page with its images and
 * the lines to pull them, and deleting an image after a preview of exactly what the deletion would remove. Access is
 * the access policy's, as on every API: a repository the person may not pull is not found.
 */
public final class RepositoryPages {
    static final int PAGE_SIZE = 20;
    /** How many of a person's organizations the namespace switcher lists. */
    static final int MAX_NAMESPACES = 50;
    static final int SEARCH_MAX = 100;
    static final int TAGS_SHOWN = 50;
    /** The longest rules field read: every rule at its longest, each on a line of its own (CR LF). */
    private static final int RULES_TEXT_MAX = ImmutableTags.MAX_RULES * (ImmutableTags.MAX_RULE_LENGTH + 2);

    private final Accounts accounts;
    private final AccessPolicy policy;
    private final Repositories repositories;
    private final RepositoryProfiles profiles;
    private final Images images;
    private final Pages pages;
    private final Requests requests;
    private final Clock clock;

    RepositoryPages(Accounts accounts, AccessPolicy policy, Repositories repositories, RepositoryProfiles profiles,
                    Images images, Pages pages, Requests requests, Clock clock) {
        this.accounts = accounts;
        this.policy = policy;
        this.repositories = repositories;
        this.profiles = profiles;
        this.images = images;
        this.pages = pages;
        this.requests = requests;
        this.clock = clock;
    }

    /** One repository in a list. */
    public record Listed(String name, String path, boolean isPrivate, String description, String pushed,
                         long pulls, String size) {
    }

    /** A namespace's repositories, one page, with the query that chose them. */
    public record ListPage(Chrome chrome, String namespace, List<String> namespaces, List<Listed> repositories,
                           String search, String sort, long total, int page, int pages) {
    }

    /** One image of a repository. */
    public record ImageRow(String digest, String shortDigest, String tags, String platform, String size,
                           String pushed, String pulled, boolean active) {
    }

    /**
     * A repository's page: its images (a page of them), its tags (up to {@link #TAGS_SHOWN} after {@code tagsAfter},
     * with the next tag to continue from, or null), and what the person may change.
     */
    public record RepositoryPage(Chrome chrome, String namespace, String name, String path, boolean isPrivate,
                                 String description, String pullCommand, String copyCommand, List<ImageRow> images,
                                 long total, int page, int pages, List<String> tags, String moreTagsAfter,
                                 boolean mayDelete, boolean mayWrite, boolean immutableTags,
                                 String immutableRules) {
    }

    /** What deleting one image would do, or why it cannot be done. */
    public record DeletePreview(Chrome chrome, String path, String digest, List<String> problems, boolean active,
                                List<String> currentTags, List<String> tagsDeleted, boolean blocked, String note) {
    }

    void home(Context ctx) {
        ctx.redirect("/repositories/" + WebAuth.signedIn(ctx).principal().username(), HttpStatus.SEE_OTHER);
    }

    void list(Context ctx) {
        WebAuth.SignedIn s = WebAuth.signedIn(ctx);
        Principal p = s.principal();
        Account namespace = policy.namespace(Routed.parameter(ctx, "namespace"))
                .orElseThrow(() -> new DomainException.NotFound("There is no such namespace."));
        String search = ctx.queryParam("q") == null || ctx.queryParam("q").isBlank() ? null : ctx.queryParam("q");
        if (search != null && search.length() > SEARCH_MAX) {
            throw new DomainException.Invalid("q", "Search for at most " + SEARCH_MAX + " characters.");
        }
        String sort = ctx.queryParam("sort") == null ? "name" : ctx.queryParam("sort");
        RepositoryProfiles.Sort order = switch (sort) {
            case "name" -> new RepositoryProfiles.Sort(RepositoryProfiles.SortField.NAME, false);
            case "updated" -> new RepositoryProfiles.Sort(RepositoryProfiles.SortField.LAST_UPDATED, true);
            case "pulls" -> new RepositoryProfiles.Sort(RepositoryProfiles.SortField.PULL_COUNT, true);
            default -> throw new DomainException.Invalid("sort", "Sort by name, updated or pulls.");
        };
        int page = Paging.page(ctx);
        RepositoryProfiles.Page<RepositoryProfiles.Summary> found = profiles.list(new RepositoryProfiles.Query(
                namespace.id(), namespace.name(), search, policy.listsPrivate(p, namespace), order,
                Paging.offset(page, PAGE_SIZE), PAGE_SIZE));
        List<Listed> rows = found.items().stream().map(r -> new Listed(r.repository().name().toString()
                        .substring(namespace.name().length() + 1), r.repository().name().toString(),
                r.repository().isPrivate(), r.profile().description(),
                Sizes.whenOrNever(r.repository().pushedAt()),
                r.repository().pullCount(), Sizes.human(r.storageBytes()))).toList();
        pages.render(ctx, "repositories.jte", new ListPage(Chrome.of("Repositories of " + namespace.name(), s),
                namespace.name(), namespaces(p), rows, search == null ? "" : search, sort, found.total(), page,
                Paging.pages(found.total(), PAGE_SIZE)));
    }

    void show(Context ctx) {
        WebAuth.SignedIn s = WebAuth.signedIn(ctx);
        Repository repo = readable(ctx, Set.of(Action.PULL));
        int page = Paging.page(ctx);
        OffsetDateTime now = Timestamps.now(clock);
        Images.Page<Images.Image> found = images.list(repo, new Images.Query(now.minusMonths(1), null, null,
                Images.Ordering.LAST_ACTIVITY_DESC, Paging.offset(page, PAGE_SIZE), PAGE_SIZE));
        List<ImageRow> rows = new ArrayList<>();
        for (Images.Image image : found.items()) {
            rows.add(imageRow(repo, image));
        }
        String tagsAfter = ctx.queryParam("tags_after");
        if (tagsAfter != null && !Repositories.TAG.matcher(tagsAfter).matches()) {
            throw new DomainException.Invalid("tags_after", "That is not a tag.");
        }
        List<String> tags = repositories.tags(repo, tagsAfter, TAGS_SHOWN + 1);
        String moreTagsAfter = tags.size() > TAGS_SHOWN ? tags.get(TAGS_SHOWN - 1) : null;
        RepositoryProfiles.Summary summary = profiles.summary(repo);
        String path = repo.name().toString();
        String host = requests.authority(ctx);
        Principal p = s.principal();
        pages.render(ctx, "repository.jte", new RepositoryPage(Chrome.of(path, s), repo.name().namespace(),
                path.substring(repo.name().namespace().length() + 1), path, repo.isPrivate(),
                summary.profile().description(), "docker pull " + host + "/" + path,
                "skopeo copy docker://" + host + "/" + path + ":<tag> oci:<directory>:<tag>", rows, found.total(),
                page, Paging.pages(found.total(), PAGE_SIZE), tags.subList(0, Math.min(tags.size(), TAGS_SHOWN)),
                moreTagsAfter,
                policy.allows(p, repo.name(), Set.of(Action.DELETE)),
                policy.allows(p, repo.name(), Set.of(Action.PUSH)), summary.profile().immutableTags().enabled(),
                String.join("\n", summary.profile().immutableTags().rules())));
    }

    /** Changes the short description: whoever may push may. */
    void describe(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        Repository repo = changeable(ctx, Action.PUSH);
        String description = ctx.formParam("description");
        profiles.update(repo, description == null ? "" : description, null, p.actor());
        backToRepository(ctx, repo);
    }

    /** Makes the repository private or public: whoever may delete from it may. */
    void privacy(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        Repository repo = changeable(ctx, Action.DELETE);
        String visibility = ctx.formParam("visibility");
        if (!"private".equals(visibility) && !"public".equals(visibility)) {
            throw new DomainException.Invalid("visibility", "Choose private or public.");
        }
        profiles.changePrivacy(repo, "private".equals(visibility), p.actor());
        backToRepository(ctx, repo);
    }

    /**
     * Replaces the immutable-tag settings: whoever may delete from the repository may, as on the Hub API. The rules
     * are regular expressions, one per line; a tag any of them matches can be neither moved nor deleted.
     */
    void immutableTags(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        Repository repo = changeable(ctx, Action.DELETE);
        String text = ctx.formParam("rules");
        if (text != null && text.length() > RULES_TEXT_MAX) {
            throw new DomainException.Invalid("rules", "At most " + ImmutableTags.MAX_RULES + " rules of "
                    + ImmutableTags.MAX_RULE_LENGTH + " characters each are allowed.");
        }
        List<String> rules = text == null ? List.of() : text.lines().map(String::strip)
                .filter(line -> !line.isEmpty()).toList();
        profiles.setImmutableTags(repo, ImmutableTags.of("on".equals(ctx.formParam("enabled")), rules, "rules"),
                p.actor());
        backToRepository(ctx, repo);
    }

    void deleteTag(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        Repository repo = changeable(ctx, Action.DELETE);
        String tag = Routed.parameter(ctx, "tag");
        if (tag == null || !Repositories.TAG.matcher(tag).matches()) {
            throw new DomainException.NotFound("There is no such tag.");
        }
        repositories.deleteTag(repo, tag, p.actor());
        backToRepository(ctx, repo);
    }

    /** Deletes the repository once its full name is typed to confirm, as on Docker Hub. */
    void deleteRepository(Context ctx) {
        Principal p = WebAuth.signedIn(ctx).principal();
        Repository repo = changeable(ctx, Action.DELETE);
        if (!repo.name().toString().equals(ctx.formParam("confirm"))) {
            throw new DomainException.Invalid("confirm", "Type " + repo.name() + " to confirm.");
        }
        repositories.delete(repo, p.actor());
        ctx.redirect("/repositories/" + repo.name().namespace(), HttpStatus.SEE_OTHER);
    }

    private void backToRepository(Context ctx, Repository repo) {
        ctx.redirect("/repositories/" + repo.name(), HttpStatus.SEE_OTHER);
    }

    /** The repository in the path, which the person sees and may do {@code needed} on (403 if they only see it). */
    private Repository changeable(Context ctx, Action needed) {
        Repository repo = readable(ctx, Set.of(Action.PULL));
        if (!policy.allows(WebAuth.signedIn(ctx).principal(), repo.name(), Set.of(needed))) {
            throw new DomainException.Forbidden("You may not change this repository.");
        }
        return repo;
    }

    void previewDelete(Context ctx) {
        Repository repo = readable(ctx, Set.of(Action.PULL));
        Digest digest = digest(ctx);
        ImageDeletion.Plan plan = plan(ctx, repo, digest, List.of());
        renderPreview(ctx, repo, digest, plan, null);
    }

    void delete(Context ctx) {
        WebAuth.SignedIn s = WebAuth.signedIn(ctx);
        Repository repo = readable(ctx, Set.of(Action.PULL));
        Digest digest = digest(ctx);
        ImageDeletion.Target target = new ImageDeletion.Target(repo.name(), digest);
        // Only what the preview showed is acknowledged: a tag that arrived since then stops the deletion.
        List<ImageDeletion.Warning> acknowledged = new ArrayList<>();
        if ("true".equals(ctx.formParam("active"))) {
            acknowledged.add(new ImageDeletion.Warning(target, ImageDeletion.Caution.IS_ACTIVE, List.of()));
        }
        List<String> tags = ctx.formParams("tag");
        if (!tags.isEmpty()) {
            acknowledged.add(new ImageDeletion.Warning(target, ImageDeletion.Caution.CURRENT_TAG,
                    tags.subList(0, Math.min(tags.size(), Images.TAGS_PER_IMAGE))));
        }
        ImageDeletion.Plan plan = plan(ctx, repo, digest, acknowledged);
        if (plan.blocked()) {
            ctx.status(409);
            renderPreview(ctx, repo, digest, plan, "The image changed since the preview: check again.");
            return;
        }
        images.delete(plan, s.principal().actor());
        ctx.redirect("/repositories/" + repo.name(), HttpStatus.SEE_OTHER);
    }

    private ImageDeletion.Plan plan(Context ctx, Repository repo, Digest digest,
                                    List<ImageDeletion.Warning> acknowledged) {
        Principal p = WebAuth.signedIn(ctx).principal();
        return images.plan(Optional.of(repo), List.of(new ImageDeletion.Target(repo.name(), digest)),
                policy.allows(p, repo.name(), Set.of(Action.DELETE)), Timestamps.now(clock).minusMonths(1),
                acknowledged);
    }

    private void renderPreview(Context ctx, Repository repo, Digest digest, ImageDeletion.Plan plan, String note) {
        List<String> problems = plan.errors().stream().map(e -> switch (e.problem()) {
            case NOT_FOUND -> "The repository holds no image with this digest.";
            case UNAUTHORIZED -> "You may not delete images from this repository.";
            case CHILD_MANIFEST -> "An image index in this repository refers to it: delete the index first.";
        }).toList();
        boolean active = plan.warnings().stream().anyMatch(w -> w.caution() == ImageDeletion.Caution.IS_ACTIVE);
        List<String> current = plan.warnings().stream()
                .filter(w -> w.caution() == ImageDeletion.Caution.CURRENT_TAG).flatMap(w -> w.tags().stream())
                .toList();
        pages.render(ctx, "delete-image.jte", new DeletePreview(Chrome.of("Delete an image", WebAuth.signedIn(ctx)),
                repo.name().toString(), digest.toString(), problems, active, current,
                plan.tags().getOrDefault(digest, List.of()), !plan.errors().isEmpty(), note));
    }

    private ImageRow imageRow(Repository repo, Images.Image image) {
        Optional<Repositories.ManifestFacts> facts = repositories.manifest(repo, image.digest().toString())
                .map(repositories::facts);
        String platform = facts.map(Repositories.ManifestFacts::platform).map(RepositoryPages::platform)
                .orElse(facts.map(f -> f.references().stream().map(ManifestDocument.Reference::platform)
                        .filter(java.util.Objects::nonNull).map(RepositoryPages::platform).distinct()
                        .limit(8).reduce((a, b) -> a + ", " + b).orElse("")).orElse(""));
        String size = facts.map(Repositories.ManifestFacts::totalSize).map(Sizes::human).orElse("");
        String tags = image.tags().stream().filter(Images.ImageTag::current).map(Images.ImageTag::tag).limit(10)
                .reduce((a, b) -> a + ", " + b).orElse("");
        String digest = image.digest().toString();
        return new ImageRow(digest, digest.substring(0, Math.min(digest.length(), 19)), tags, platform, size,
                Sizes.whenOrNever(image.pushedAt()), Sizes.whenOrNever(image.pulledAt()), image.active());
    }

    private static String platform(ManifestDocument.Platform p) {
        return (p.os() == null ? "" : p.os()) + "/" + (p.architecture() == null ? "" : p.architecture())
                + (p.variant() == null ? "" : "/" + p.variant());
    }

    /** The repository in the path, if the person may do {@code needed} there; otherwise it does not exist. */
    private Repository readable(Context ctx, Set<Action> needed) {
        Principal p = WebAuth.signedIn(ctx).principal();
        String full = Routed.parameter(ctx, "namespace") + "/" + Routed.parameter(ctx, "repository");
        if (RepositoryName.problem(full) != null) {
            throw new DomainException.NotFound("There is no such repository.");
        }
        RepositoryName name = new RepositoryName(full);
        if (!policy.allows(p, name, needed)) {
            throw new DomainException.NotFound("There is no such repository.");
        }
        return repositories.find(name).orElseThrow(() -> new DomainException.NotFound(
                "There is no such repository."));
    }

    private static Digest digest(Context ctx) {
        String raw = Routed.parameter(ctx, "digest");
        if (raw == null || Digest.problem(raw) != null) {
            throw new DomainException.NotFound("There is no such image.");
        }
        return Digest.parse(raw);
    }

    /** The person's own namespace, then the organizations they belong to. */
    private List<String> namespaces(Principal p) {
        List<String> out = new ArrayList<>();
        out.add(p.username());
        for (Long id : accounts.orgIdsOf(p.account().id())) {
            if (out.size() > MAX_NAMESPACES) {
                break;
            }
            accounts.findById(id).ifPresent(org -> out.add(org.name()));
        }
        return out;
    }
}
