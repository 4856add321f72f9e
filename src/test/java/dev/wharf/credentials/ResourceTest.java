package dev.wharf.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.repositories.Action;
import dev.wharf.repositories.RepositoryName;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResourceTest {
    private static Resource repo(String glob, Action... actions) {
        return new Resource(Resource.Kind.REPOSITORY, glob, EnumSet.of(actions[0], actions));
    }

    private static RepositoryName name(String value) {
        return new RepositoryName(value);
    }

    @Test
    void aSingleStarStaysWithinOnePathComponentAndADoubleStarCrossesThem() {
        Resource one = repo("acme/*", Action.PULL);
        assertThat(one.covers(name("acme/app"), false)).isTrue();
        assertThat(one.covers(name("acme/team/app"), false)).isFalse();
        assertThat(one.covers(name("acmex/app"), false)).isFalse();
        Resource all = repo("acme/**", Action.PULL);
        assertThat(all.covers(name("acme/team/app"), false)).isTrue();
        assertThat(all.covers(name("other/acme/app"), false)).isFalse();
        Resource partial = repo("acme/web-*", Action.PULL);
        assertThat(partial.covers(name("acme/web-api"), false)).isTrue();
        assertThat(partial.covers(name("acme/api-web"), false)).isFalse();
        assertThat(repo("acme/app", Action.PULL).covers(name("acme/app"), false)).isTrue();
        assertThat(repo("acme/app", Action.PULL).covers(name("acme/apps"), false)).isFalse();
    }

    @Test
    void theGlobMatcherStaysFastOnPathologicalPatterns() {
        String glob = "acme/" + "*a".repeat(60) + "b";
        String longName = "acme/" + "a".repeat(240);
        // Backtracking would take exponential time here; the table is 130 × 245 steps.
        assertThat(Resource.matches(glob, longName)).isFalse();
        assertThat(Resource.matches("acme/" + "*a".repeat(60), longName)).isTrue();
    }

    @Test
    void thePublicRepositoriesResourceCoversPublicRepositoriesForPullingOnly() {
        Resource pub = repo(Resource.PUBLIC_REPOSITORIES, Action.PULL, Action.PUSH, Action.DELETE);
        assertThat(pub.covers(name("someone/app"), true)).isTrue();
        assertThat(pub.covers(name("someone/app"), false)).isFalse();
        assertThat(pub.repositoryActions()).containsExactly(Action.PULL);
    }

    @Test
    void aNamespaceResourceCoversEveryRepositoryOfItsNamespaceAndListIsNotARepositoryAction() {
        Resource ns = new Resource(Resource.Kind.NAMESPACE, "acme", Set.of(Action.LIST, Action.PULL));
        assertThat(ns.covers(name("acme/deep/app"), false)).isTrue();
        assertThat(ns.covers(name("other/app"), false)).isFalse();
        assertThat(ns.repositoryActions()).containsExactly(Action.PULL);
    }

    @Test
    void resourcesMustStayInsideTheRobotsNamespace() {
        assertThat(Resource.problem(Resource.Kind.REPOSITORY, "acme/app", "acme")).isNull();
        assertThat(Resource.problem(Resource.Kind.REPOSITORY, "acme/*", "acme")).isNull();
        assertThat(Resource.problem(Resource.Kind.REPOSITORY, Resource.PUBLIC_REPOSITORIES, "acme")).isNull();
        assertThat(Resource.problem(Resource.Kind.REPOSITORY, "other/app", "acme")).contains("acme/");
        assertThat(Resource.problem(Resource.Kind.REPOSITORY, "*/app", "acme")).contains("acme/");
        assertThat(Resource.problem(Resource.Kind.REPOSITORY, "acme/./*", "acme")).contains("Invalid");
        assertThat(Resource.problem(Resource.Kind.REPOSITORY, "acme*/app", "acme")).contains("acme/");
        assertThat(Resource.problem(Resource.Kind.REPOSITORY, "acme/../x", "acme")).contains("Invalid");
        assertThat(Resource.problem(Resource.Kind.REPOSITORY, "acme/a b", "acme")).contains("Invalid");
        assertThat(Resource.problem(Resource.Kind.NAMESPACE, "other", "acme")).contains("acme");
        assertThat(Resource.problem(Resource.Kind.REPOSITORY, "acme/" + "a".repeat(300), "acme"))
                .contains("at most");
    }
}
