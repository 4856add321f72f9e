package dev.wharf.repositories;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.storage.Digest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure decision of a bulk image deletion: errors first, then the warnings nobody acknowledged. */
class ImageDeletionTest {
    private static final RepositoryName REPO = new RepositoryName("alice/app");
    private static final ImageDeletion.Target A = target('a');
    private static final ImageDeletion.Target B = target('b');

    private static ImageDeletion.Target target(char c) {
        return new ImageDeletion.Target(REPO, Digest.parse("sha256:" + String.valueOf(c).repeat(64)));
    }

    private static ImageDeletion.Plan decide(boolean mayDelete, Map<ImageDeletion.Target, ImageDeletion.Facts> facts,
                                             List<ImageDeletion.Warning> acknowledged, ImageDeletion.Target... targets) {
        return ImageDeletion.decide(null, List.of(targets), mayDelete, facts, acknowledged);
    }

    @Test
    void aCallerWhoMayNotDeleteLearnsNothingButThat() {
        ImageDeletion.Plan plan = decide(false, Map.of(A, new ImageDeletion.Facts(true, List.of("v1"), true)),
                List.of(), A, B);
        assertThat(plan.errors()).extracting(ImageDeletion.Rejection::problem)
                .containsExactly(ImageDeletion.Problem.UNAUTHORIZED, ImageDeletion.Problem.UNAUTHORIZED);
        assertThat(plan.warnings()).isEmpty();
        assertThat(plan.blocked()).isTrue();
    }

    @Test
    void missingAndChildManifestsAreErrorsThatBlockTheWholeCall() {
        ImageDeletion.Plan plan = decide(true, Map.of(A, new ImageDeletion.Facts(false, List.of(), true)), List.of(),
                A, B);
        assertThat(plan.errors()).extracting(ImageDeletion.Rejection::problem)
                .containsExactly(ImageDeletion.Problem.CHILD_MANIFEST, ImageDeletion.Problem.NOT_FOUND);
        assertThat(plan.blocked()).isTrue();
    }

    @Test
    void anAcknowledgedCurrentTagWarningMustNameEveryCurrentTag() {
        Map<ImageDeletion.Target, ImageDeletion.Facts> facts = Map.of(
                A, new ImageDeletion.Facts(true, List.of("latest", "v1"), false),
                B, new ImageDeletion.Facts(false, List.of(), false));
        ImageDeletion.Warning active = new ImageDeletion.Warning(A, ImageDeletion.Caution.IS_ACTIVE, List.of());
        ImageDeletion.Warning oneTag = new ImageDeletion.Warning(A, ImageDeletion.Caution.CURRENT_TAG, List.of("v1"));
        ImageDeletion.Plan partly = decide(true, facts, List.of(active, oneTag), A, B);
        assertThat(partly.warnings()).containsExactly(new ImageDeletion.Warning(A, ImageDeletion.Caution.CURRENT_TAG,
                List.of("latest", "v1")));
        assertThat(partly.blocked()).isTrue();

        ImageDeletion.Warning allTags = new ImageDeletion.Warning(A, ImageDeletion.Caution.CURRENT_TAG,
                List.of("v1", "latest", "old"));
        ImageDeletion.Plan acknowledged = decide(true, facts, List.of(active, allTags), A, B, A);
        assertThat(acknowledged.blocked()).isFalse();
        assertThat(acknowledged.targets()).containsExactly(A, B);
        assertThat(acknowledged.tagCount()).isEqualTo(2);
        assertThat(Images.preview(acknowledged)).isEqualTo(new ImageDeletion.Metrics(2, 0, 2, 0));
    }
}
