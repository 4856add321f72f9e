package dev.wharf.repositories;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.core.DomainException;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ImmutableTagsTest {
    @Test
    void rulesMatchWholeTagsOnlyWhenEnabled() {
        ImmutableTags on = ImmutableTags.of(true, List.of("v.*", ".*-RELEASE"), "rules");
        assertThat(on.protects("v1.2")).isTrue();
        assertThat(on.protects("1.0-RELEASE")).isTrue();
        assertThat(on.protects("latest")).isFalse();
        assertThat(on.protects("dev-v1")).isFalse();
        assertThat(ImmutableTags.of(false, List.of("v.*"), "rules").protects("v1")).isFalse();
    }

    @Test
    void rulesAreBoundedAndMustCompile() {
        for (List<String> bad : List.of(List.of("v("), List.of(""), List.of("a,b"), List.of("a\nb"),
                List.of("x".repeat(ImmutableTags.MAX_RULE_LENGTH + 1)),
                Collections.nCopies(ImmutableTags.MAX_RULES + 1, "v.*"))) {
            assertThatThrownBy(() -> ImmutableTags.of(true, bad, "rules"))
                    .isInstanceOf(DomainException.Invalid.class)
                    .satisfies(e -> assertThat(((DomainException.Invalid) e).fields()).containsKey("rules"));
        }
    }

    @Test
    @Timeout(5)
    void aCatastrophicRuleRunsOutOfBudgetAndCountsAsProtecting() {
        // Without the budget this backtracks for far longer than the timeout.
        Pattern evil = Pattern.compile("(.*a){12}");
        assertThat(ImmutableTags.matches(evil, "a".repeat(40) + "!")).isTrue();
        assertThat(ImmutableTags.matches(evil, "a".repeat(12))).isTrue();
        assertThat(ImmutableTags.matches(evil, "latest")).isFalse();
    }
}
