package dev.wharf.repositories;

import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import dev.wharf.storage.Digest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Deciding a bulk image deletion before anything is deleted: which requested manifests cannot be deleted at all
 * (errors, which nothing overrides) and which deserve a second thought (warnings, which the caller may acknowledge by
 * repeating them). The decision is a pure function of what is known about each manifest; {@link Images#delete}
 * carries it out.
 */
public final class ImageDeletion {
    /** At most this many manifests in one deletion. */
    public static final int MAX_MANIFESTS = 1000;

    /** Why a manifest cannot be deleted. */
    public enum Problem {
        /** The repository holds no manifest with this digest. */
        NOT_FOUND,
        /** The caller may not delete from the repository. */
        UNAUTHORIZED,
        /** An index in the repository that is not deleted with it refers to this manifest. */
        CHILD_MANIFEST
    }

    /** What the caller should know before a manifest is deleted. */
    public enum Caution {
        /** Pushed or pulled since the activity threshold. */
        IS_ACTIVE,
        /** Tags point at it now; they are deleted with it. */
        CURRENT_TAG
    }

    /** A manifest the caller asked to delete. */
    public record Target(RepositoryName repository, Digest digest) {
    }

    /** A manifest that cannot be deleted, and why. */
    public record Rejection(Target target, Problem problem) {
    }

    /** A warning; {@code tags} are the current tags for {@link Caution#CURRENT_TAG}, empty otherwise. */
    public record Warning(Target target, Caution caution, List<String> tags) {
        public Warning {
            tags = List.copyOf(tags);
        }

        /** Whether {@code acknowledged} (a warning the caller repeats) covers this one: it names every current tag. */
        boolean coveredBy(Warning acknowledged) {
            return acknowledged.target.equals(target) && acknowledged.caution == caution
                    && Set.copyOf(acknowledged.tags).containsAll(tags);
        }
    }

    /** What is known about one requested manifest the repository holds. */
    record Facts(boolean active, List<String> currentTags, boolean childOfAnotherIndex) {
    }

    /**
     * The decision: what to delete from {@code repository} (null when there is no such repository), with which tags,
     * or why not. It may go ahead when it has no errors and every warning was acknowledged.
     */
    public record Plan(Repository repository, List<Target> targets, List<Rejection> errors, List<Warning> warnings,
                       Map<Digest, List<String>> tags) {
        public boolean blocked() {
            return !errors.isEmpty() || !warnings.isEmpty();
        }

        public int tagCount() {
            return tags.values().stream().mapToInt(List::size).sum();
        }
    }

    /** The outcome: what was deleted and what could not be, counted. */
    public record Metrics(int manifestDeletes, int manifestErrors, int tagDeletes, int tagErrors) {
    }

    /** A deletion the plan refuses: the errors and the warnings that were not acknowledged. */
    public static final class Refused extends DomainException {
        private final transient Plan plan;

        Refused(Plan plan) {
            super(Reason.GENERIC, "Deletion not possible");
            this.plan = plan;
        }

        public Plan plan() {
            return plan;
        }
    }

    private ImageDeletion() {
    }

    /**
     * The plan for deleting {@code targets} (distinct, in the order asked) from {@code repository} (null: none).
     * {@code facts} has an entry for each target the repository holds; a caller that may not delete gets only {@link Problem#UNAUTHORIZED}, so the answer says
     * nothing of what the repository holds.
     */
    static Plan decide(Repository repository, List<Target> targets, boolean mayDelete, Map<Target, Facts> facts,
                       List<Warning> acknowledged) {
        List<Rejection> errors = new ArrayList<>();
        List<Warning> warnings = new ArrayList<>();
        Map<Digest, List<String>> tags = new java.util.LinkedHashMap<>();
        List<Target> distinct = List.copyOf(new LinkedHashSet<>(targets));
        for (Target target : distinct) {
            Facts known = facts.get(target);
            if (!mayDelete) {
                errors.add(new Rejection(target, Problem.UNAUTHORIZED));
                continue;
            }
            if (known == null) {
                errors.add(new Rejection(target, Problem.NOT_FOUND));
                continue;
            }
            if (known.childOfAnotherIndex()) {
                errors.add(new Rejection(target, Problem.CHILD_MANIFEST));
            }
            List<Warning> found = new ArrayList<>();
            if (known.active()) {
                found.add(new Warning(target, Caution.IS_ACTIVE, List.of()));
            }
            if (!known.currentTags().isEmpty()) {
                found.add(new Warning(target, Caution.CURRENT_TAG, known.currentTags()));
            }
            for (Warning w : found) {
                if (acknowledged.stream().noneMatch(w::coveredBy)) {
                    warnings.add(w);
                }
            }
            tags.put(target.digest(), known.currentTags());
        }
        return new Plan(repository, distinct, errors, warnings, tags);
    }
}
