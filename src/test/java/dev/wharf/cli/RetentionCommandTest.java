package dev.wharf.cli;

import static dev.wharf.cli.CliAssertions.failsWithOneLine;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.Pushes;
import dev.wharf.testing.Sessions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RetentionCommandTest extends ServerCliTest {
    @BeforeEach
    void loggedIn() {
        login();
    }

    @Test
    void setShowTryAndDeleteARepositoryPolicy() {
        String pat = Sessions.newToken(server, session, "push", "repo:admin");
        Pushes registry = new Pushes(server.url(), user, pat);
        String repo = user + "/app";
        registry.image(repo, "v1", "amd64", 1);
        String v2 = registry.image(repo, "v2", "amd64", 2);
        registry.image(repo, "v3", "amd64", 3);

        CliRunner.Result set = cli.run("retention", "set", repo, "--keep-pattern", "v[0-9]+", "--keep-count", "2");
        assertThat(set.exit()).as(set.toString()).isZero();
        assertThat(set.out()).contains("newest 2 matching v[0-9]+");

        CliRunner.Result show = cli.run("retention", "show", repo, "--json");
        assertThat(show.exit()).as(show.toString()).isZero();
        assertThat(JsonText.parseOrNull(show.out()).get("keep_count").asInt()).isEqualTo(2);

        CliRunner.Result tried = cli.run("retention", "try", repo);
        assertThat(tried.exit()).as(tried.toString()).isZero();
        assertThat(tried.out()).contains("REPOSITORY").contains(repo);
        assertThat(tried.out().lines().filter(l -> l.contains(" tag ")).count()).isEqualTo(1);
        assertThat(registry.head(repo, "v1")).as("a dry run deletes nothing").isEqualTo(200);
        assertThat(v2).isNotBlank();

        assertThat(cli.run("retention", "delete", repo).exit()).isZero();
        failsWithOneLine(cli.run("retention", "show", repo), 1, "no retention policy for '" + repo + "'");
    }

    @Test
    void namespaceDefaultsAndUsageErrors() {
        CliRunner.Result set = cli.run("retention", "set", user, "--unpulled-days", "30", "--untagged-days", "7");
        assertThat(set.exit()).as(set.toString()).isZero();
        assertThat(set.out()).contains("after 30 days").contains("after 7 days");
        CliRunner.Result tried = cli.run("retention", "try", user);
        assertThat(tried.exit()).as(tried.toString()).isZero();
        assertThat(tried.out()).contains("Nothing to remove.");

        failsWithOneLine(cli.run("retention", "set", user, "--keep-count", "3"), 2,
                "--keep-pattern and --keep-count go together");
        failsWithOneLine(cli.run("retention", "set", user), 2, "give --keep-pattern with --keep-count");
        failsWithOneLine(cli.run("retention", "set", user, "--unpulled-days", "0"), 1,
                "the server refused the request:");
        failsWithOneLine(cli.run("retention", "show", "Bad Name!"), 2, "not a namespace or repository");
        failsWithOneLine(cli.run("retention", "set", "admin", "--unpulled-days", "3"), 1, "permission denied");
    }
}
