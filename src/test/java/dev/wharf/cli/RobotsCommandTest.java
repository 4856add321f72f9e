package dev.wharf.cli;

import static dev.wharf.cli.CliAssertions.failsWithOneLine;
import static dev.wharf.cli.CliAssertions.newUsername;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.testing.Sessions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RobotsCommandTest extends ServerCliTest {
    private String org;

    @BeforeEach
    void loggedInWithAnOrg() {
        login();
        org = newUsername("org");
        assertThat(http.post("/api/v1/orgs", Map.of("name", org)).status()).isEqualTo(201);
    }

    private JsonNode robots() {
        return http.get("/v2/orgs/" + org + "/access-tokens?page_size=100").json().get("results");
    }

    private JsonNode robot(String id) {
        return http.get("/v2/orgs/" + org + "/access-tokens/" + id).json();
    }

    private String onlyRobotId() {
        assertThat(robots()).hasSize(1);
        return robots().get(0).get("id").asText();
    }

    private int signIn(String secret) {
        return server.http().post("/v2/auth/token", Map.of("identifier", org, "secret", secret)).status();
    }

    @Test
    void createTranslatesGlobActionsAndPrintsTheSecretOnce() {
        CliRunner.Result r = cli.run("robots", "create", "--org", org, "--label", "ci", "--description", "deploys",
                "--resource", org + "/app-*:pull,push", "--resource", org + ":list",
                "--resource", "*/*/public:pull", "--resource", org + "/tools:pull,push,delete");
        assertThat(r.exit()).as(r.toString()).isZero();
        String secret = r.out().strip();
        assertThat(r.out().lines()).hasSize(1);
        assertThat(secret).startsWith("wharf_oat_");
        assertThat(r.err()).contains("Created robot").contains("\"ci\"").contains("username '" + org + "'")
                .contains("cannot be shown again").doesNotContain(secret);
        assertThat(cli.everythingSaved()).doesNotContain(secret);
        assertThat(signIn(secret)).isEqualTo(200);

        JsonNode resources = robot(onlyRobotId()).get("resources");
        assertThat(resources.toString()).isEqualTo("[{\"type\":\"TYPE_REPO\",\"path\":\"" + org
                + "/app-*\",\"scopes\":[\"scope-image-push\"]},{\"type\":\"TYPE_ORG\",\"path\":\"" + org
                + "\",\"scopes\":[\"scope-repository-list\"]},{\"type\":\"TYPE_REPO\",\"path\":\"*/*/public\","
                + "\"scopes\":[\"scope-image-pull\"]},{\"type\":\"TYPE_REPO\",\"path\":\"" + org
                + "/tools\",\"scopes\":[\"scope-image-delete\"]}]");

        CliRunner.Result get = cli.run("robots", "get", "--org", org, onlyRobotId());
        assertThat(get.exit()).as(get.toString()).isZero();
        assertThat(get.out()).contains(org + "/app-*:pull,push").contains(org + ":list")
                .contains("*/*/public:pull").contains(org + "/tools:pull,push,delete").contains("Created by: " + user)
                .doesNotContain(secret);
        CliRunner.Result list = cli.run("robots", "list", "--org", org);
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.out()).contains("ID").contains("LABEL").contains("ci").contains(user).doesNotContain(secret);
        CliRunner.Result json = cli.run("robots", "list", "--org", org, "--json");
        assertThat(JsonText.parseOrNull(json.out())).hasSize(1);
    }

    @Test
    void resourcesThatNoHubScopeGrantsExactlyAreRefusedBeforeAnyRequest() {
        failsWithOneLine(cli.run("robots", "create", "--org", org, "--label", "x", "--resource", org + "/app:push"),
                2, "push needs pull too (write pull,push)");
        failsWithOneLine(cli.run("robots", "create", "--org", org, "--label", "x", "--resource",
                org + "/app:pull,delete"), 2, "delete needs pull and push too (write pull,push,delete)");
        failsWithOneLine(cli.run("robots", "create", "--org", org, "--label", "x", "--resource", org + "/app:list"),
                2, "list applies to the organization");
        failsWithOneLine(cli.run("robots", "create", "--org", org, "--label", "x", "--resource", org + "/app:admin"),
                2, "invalid action 'admin'");
        failsWithOneLine(cli.run("robots", "create", "--org", org, "--label", "x", "--resource", org + "/app"),
                2, "invalid resource");
        failsWithOneLine(cli.run("robots", "create", "--org", org, "--label", "x", "--resource", ":pull"),
                2, "invalid resource");
        failsWithOneLine(cli.run("robots", "create", "--org", org, "--label", "x"), 2,
                "Missing required option: '--resource");
        failsWithOneLine(cli.run("robots", "list"), 2, "Missing required option: '--org");
        failsWithOneLine(cli.run("robots", "list", "--org", "../x"), 2, "not an organization name");
        assertThat(robots()).isEmpty();
    }

    @Test
    void theServerRefusesWhatItCannotEnforceInOneLine() {
        failsWithOneLine(cli.run("robots", "create", "--org", org, "--label", "x", "--resource", "other/app:pull"),
                1, "the server refused the request:");
        failsWithOneLine(cli.run("robots", "create", "--org", org, "--label", "x", "--resource", "*/*/public:pull,push"),
                1, "can only be pulled");
        failsWithOneLine(cli.run("robots", "list", "--org", "nosuchorg"), 1, "no organization 'nosuchorg'");
    }

    @Test
    void updateDeactivateAndDelete() {
        assertThat(cli.run("robots", "create", "--org", org, "--label", "before", "--resource", org + "/a:pull")
                .exit()).isZero();
        String id = onlyRobotId();
        CliRunner.Result r = cli.run("robots", "update", "--org", org, id, "--label", "after", "--inactive",
                "--resource", org + "/b:pull,push");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("after").contains(org + "/b:pull,push").contains("Active:     no");
        assertThat(robot(id).get("is_active").asBoolean()).isFalse();
        failsWithOneLine(cli.run("robots", "update", "--org", org, id), 2, "nothing to update");

        assertThat(cli.run("robots", "delete", "--org", org, id).out()).contains("Deleted robot " + id);
        assertThat(robots()).isEmpty();
        failsWithOneLine(cli.run("robots", "get", "--org", org, id), 1, "no robot " + id);
        failsWithOneLine(cli.run("robots", "delete", "--org", org, id), 1, "no robot " + id);
    }

    @Test
    void rotateKeepsTheResourcesAndTheOldSecretForTheGraceWindow() {
        String old = cli.run("robots", "create", "--org", org, "--label", "rot", "--resource", org + "/a:pull")
                .out().strip();
        String id = onlyRobotId();
        CliRunner.Result r = cli.run("robots", "rotate", "--org", org, id, "--grace", "30m");
        assertThat(r.exit()).as(r.toString()).isZero();
        String secret = r.out().strip();
        assertThat(secret).startsWith("wharf_oat_").isNotEqualTo(old);
        assertThat(r.err()).contains("Rotated robot " + id).contains("keeps working until");
        assertThat(signIn(secret)).isEqualTo(200);
        assertThat(signIn(old)).isEqualTo(200);
        JsonNode newest = robots().get(0);
        assertThat(newest.get("id").asText()).isNotEqualTo(id);
        assertThat(robot(newest.get("id").asText()).get("resources").get(0).get("path").asText())
                .isEqualTo(org + "/a");
    }

    @Test
    void nonOwnersAndForeignIdsGetOneLine() {
        assertThat(cli.run("robots", "create", "--org", org, "--label", "mine", "--resource", org + "/a:pull")
                .exit()).isZero();
        String id = onlyRobotId();
        String other = newUsername("oth");
        Sessions.newUser(server, other, PASSWORD);
        CliRunner stranger = new CliRunner();
        stranger.login(server.url(), other, PASSWORD);
        failsWithOneLine(stranger.run("robots", "list", "--org", org), 1, "permission denied");
        failsWithOneLine(stranger.run("robots", "rotate", "--org", org, id), 1, "permission denied");
        String missing = UUID.randomUUID().toString();
        failsWithOneLine(cli.run("robots", "rotate", "--org", org, missing), 1, "no robot " + missing);
        assertThat(List.of(robots().get(0).get("id").asText())).containsExactly(id);
    }
}
