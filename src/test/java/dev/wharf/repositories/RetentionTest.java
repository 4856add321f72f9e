package dev.wharf.repositories;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.storage.Digest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tag rules of {@link Retention} as a pure function: keep by push order, the unpulled rule, and both. */
class RetentionTest {
    private static final OffsetDateTime NOW = OffsetDateTime.of(2026, 6, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    private static final Digest D = Digest.parse("sha256:" + "a".repeat(64));

    private static Retention.TagRow tag(String name, int pushedDaysAgo, Integer pulledDaysAgo) {
        return new Retention.TagRow(name, D, NOW.minusDays(pushedDaysAgo),
                pulledDaysAgo == null ? null : NOW.minusDays(pulledDaysAgo));
    }

    private static List<String> removed(RetentionPolicy p, List<Retention.TagRow> tags) {
        return Retention.removedTags(p, tags, NOW).stream().map(Retention.TagRow::name).toList();
    }

    @Test
    void keepsTheNewestMatchingByPushTimeWhateverTheirNames() {
        List<Retention.TagRow> tags = List.of(tag("v9", 5, null), tag("v10", 1, null), tag("v8", 3, null),
                tag("latest", 100, null), tag("v1", 2, null));
        assertThat(removed(new RetentionPolicy("v[0-9]+", 2, null, null), tags)).containsExactly("v8", "v9");
    }

    @Test
    void theNewestKeptAreSparedTheUnpulledRuleAndPullsCount() {
        List<Retention.TagRow> tags = List.of(tag("v1", 90, null), tag("v2", 80, null), tag("old", 70, 1),
                tag("older", 70, 40), tag("new", 2, null));
        assertThat(removed(new RetentionPolicy("v.*", 1, 30, null), tags)).containsExactly("older", "v1");
        assertThat(removed(new RetentionPolicy(null, null, 30, null), tags)).containsExactly("older", "v1", "v2");
    }

    @Test
    void aPatternMustMatchTheWholeName() {
        List<Retention.TagRow> tags = List.of(tag("v1-rc", 3, null), tag("v1", 2, null), tag("v2", 1, null));
        assertThat(removed(new RetentionPolicy("v[0-9]", 1, null, null), tags)).containsExactly("v1");
    }
}
