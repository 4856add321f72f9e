package dev.wharf.repositories;

import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import dev.wharf.core.Validation;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jdbi.v3.core.Handle;

/**
 * A repository's immutable-tag settings: when enabled, a tag whose name fully matches one of the rules (regular
 * expressions) may neither move to another manifest nor be deleted. Pushing the digest it already names is fine.
 * Every tag change in {@link Repositories} asks {@link #refuseChanges} inside its transaction.
 */
public record ImmutableTags(boolean enabled, List<String> rules) {
    public static final ImmutableTags OFF = new ImmutableTags(false, List.of());
    public static final int MAX_RULES = 20;
    public static final int MAX_RULE_LENGTH = 200;
    /**
     * How many characters a rule may inspect while matching one tag; a pathological rule ({@code (a+)+b}) runs out
     * of it instead of backtracking for minutes, and counts as matching, so it protects rather than exposes a tag.
     */
    private static final int MATCH_BUDGET = 100_000;

    public ImmutableTags {
        rules = List.copyOf(rules);
    }

    /** Checks {@code rules} (count, length, no newline or comma, each compiles) and returns the settings. */
    public static ImmutableTags of(boolean enabled, List<String> rules, String field) {
        Validation v = new Validation();
        List<String> checked = rules == null ? List.of() : rules;
        v.check(checked.size() <= MAX_RULES, field, "At most " + MAX_RULES + " rules are allowed.");
        v.throwIfInvalid();
        for (String rule : checked) {
            v.add(field, problem(rule));
        }
        v.throwIfInvalid();
        return new ImmutableTags(enabled, checked);
    }

    /** Why {@code rule} cannot be a rule, or null when it can. */
    public static String problem(String rule) {
        if (rule == null || rule.isEmpty()) {
            return "A rule may not be empty.";
        }
        if (rule.length() > MAX_RULE_LENGTH) {
            return "A rule may have at most " + MAX_RULE_LENGTH + " characters.";
        }
        if (rule.indexOf(',') >= 0 || rule.indexOf('\n') >= 0) {
            return "A rule may not contain a comma or a line break.";
        }
        try {
            Pattern.compile(rule);
            return null;
        } catch (PatternSyntaxException e) {
            return "Invalid regular expression: " + rule;
        }
    }

    /** Whether {@code tag} is protected by these settings. */
    public boolean protects(String tag) {
        if (!enabled) {
            return false;
        }
        for (String rule : rules) {
            if (matches(Pattern.compile(rule), tag)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code pattern} matches all of {@code tag}, within the match budget (running out counts as a match). */
    public static boolean matches(Pattern pattern, String tag) {
        Boolean matched = matchWithinBudget(pattern, tag);
        return matched == null || matched;
    }

    /** Whether {@code pattern} matches all of {@code tag}, or null when it ran out of the match budget. */
    static Boolean matchWithinBudget(Pattern pattern, String tag) {
        try {
            return pattern.matcher(new Budgeted(tag)).matches();
        } catch (BudgetSpent e) {
            return null;
        }
    }

    /** The settings of a repository, read in the caller's transaction. */
    static ImmutableTags read(Handle h, long repositoryId) {
        return h.createQuery("SELECT immutable_tags, immutable_tag_rules FROM repositories WHERE id = :r")
                .bind("r", repositoryId)
                .map((rs, ctx) -> fromColumns(rs.getBoolean(1), rs.getString(2)))
                .findOne().orElse(OFF);
    }

    static ImmutableTags fromColumns(boolean enabled, String joinedRules) {
        return new ImmutableTags(enabled, joinedRules == null || joinedRules.isEmpty() ? List.of()
                : List.of(joinedRules.split("\n")));
    }

    String joinedRules() {
        return String.join("\n", rules);
    }

    /** Refuses (the registry says "denied") a change that would move or delete any of {@code tags} it protects. */
    static void refuseChanges(Handle h, Repository repo, List<String> tags) {
        if (tags.isEmpty()) {
            return;
        }
        ImmutableTags settings = read(h, repo.id());
        List<String> protectedTags = new ArrayList<>();
        for (String tag : tags) {
            if (settings.protects(tag)) {
                protectedTags.add(tag);
            }
        }
        if (!protectedTags.isEmpty()) {
            throw new DomainException.Forbidden(Reason.TAG_IMMUTABLE, "immutable tags of " + repo.name()
                    + " cannot be overwritten or deleted: " + String.join(", ", protectedTags));
        }
    }

    private static final class BudgetSpent extends RuntimeException {
        BudgetSpent() {
            super(null, null, false, false);
        }
    }

    /** A tag that counts how often the matcher reads it. */
    private static final class Budgeted implements CharSequence {
        private final String text;
        private int reads;

        Budgeted(String text) {
            this.text = text;
        }

        @Override
        public char charAt(int index) {
            if (++reads > MATCH_BUDGET) {
                throw new BudgetSpent();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
