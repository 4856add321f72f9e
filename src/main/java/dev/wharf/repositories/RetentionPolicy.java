package dev.wharf.repositories;

import java.time.Duration;
import java.util.Optional;

/**
 * What a repository keeps: a rule left null does not apply. A repository's own policy replaces its namespace's
 * default as a whole. Immutable tags are never removed, whatever the rules say.
 *
 * @param keepPattern  tags matching this regular expression beyond the newest {@code keepCount} of them are deleted;
 *                     the newest {@code keepCount} are also kept from the {@code unpulledDays} rule
 * @param keepCount    see {@code keepPattern}
 * @param unpulledDays tags not pulled for this many days (never pulled: not pushed) are deleted
 * @param untaggedDays untagged manifests pushed more than this many days ago are deleted; without it, an untagged
 *                     manifest goes once the protection window has passed
 */
public record RetentionPolicy(String keepPattern, Integer keepCount, Integer unpulledDays, Integer untaggedDays) {

    /** How long an untagged manifest is kept after its push, beyond the protection window, if this policy says. */
    public Optional<Duration> untaggedAge() {
        return untaggedDays == null ? Optional.empty() : Optional.of(Duration.ofDays(untaggedDays));
    }
}
