package dev.wharf.cli;

import static dev.wharf.cli.CliAssertions.failsWithOneLine;
import static dev.wharf.cli.CliAssertions.newUsername;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.testing.Sessions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuditCommandTest extends ServerCliTest {
    @BeforeEach
    void loggedInWithSomeHistory() {
        login();
        String uuid = http.post("/v2/access-tokens", Map.of("token_label", "alpha", "scopes", List.of("repo:read")))
                .json().get("uuid").asText();
        http.patch("/v2/access-tokens/" + uuid, Map.of("token_label", "beta"));
    }

    @Test
    void defaultAccountIsTheLoggedInUserShownAsATable() {
        CliRunner.Result r = cli.run("audit");

        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).matches("TIME +ACTION +NAME +ACTOR +DESCRIPTION");
        assertThat(lines).anyMatch(l -> l.matches(
                "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC +user\\.access_token\\.update +"
                + ".*" + user + ".*"));
        assertThat(lines).anyMatch(l -> l.contains("user.access_token.create") && l.contains("alpha"));
        int update = indexOf(lines, "user.access_token.update");
        int create = indexOf(lines, "user.access_token.create");
        assertThat(update).as("newest first").isLessThan(create);
        int action = lines.get(0).indexOf("ACTION");
        assertThat(lines.subList(1, lines.size())).allSatisfy(l -> assertThat(l.charAt(action)).isEqualTo('u'));
    }

    @Test
    void jsonAndFiltersGoToTheServer() {
        CliRunner.Result r = cli.run("audit", user, "--action", "user.access_token.create", "--actor", user,
                "--from", "1d", "--to", "2099-01-01", "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode logs = JsonText.parseOrNull(r.out());
        assertThat(logs).hasSize(1);
        assertThat(logs.get(0).get("action").asText()).isEqualTo("user.access_token.create");
        assertThat(logs.get(0).get("account").asText()).isEqualTo(user);
        assertThat(logs.get(0).get("name").asText()).isEqualTo("alpha");
    }

    @Test
    void aWindowWithNoEventsSaysSo() {
        CliRunner.Result r = cli.run("audit", "--from", "2099-01-01T00:00:00Z");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("No audit events.\n");
        assertThat(JsonText.parseOrNull(cli.run("audit", "--to", "2000-01-01", "--json").out())).isEmpty();
    }

    @Test
    void limitKeepsTheNewestAndSaysThereIsMore() {
        CliRunner.Result r = cli.run("audit", "--limit", "1", "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode logs = JsonText.parseOrNull(r.out());
        assertThat(logs).hasSize(1);
        assertThat(logs.get(0).get("action").asText()).isEqualTo("user.access_token.update");
        assertThat(r.err()).contains("use --limit 0 for all");
        JsonNode all = JsonText.parseOrNull(cli.run("audit", "--limit", "0", "--json").out());
        assertThat(all.size()).isGreaterThanOrEqualTo(2);

        CliRunner.Result exactlyAll = cli.run("audit", "--limit", String.valueOf(all.size()), "--json");
        assertThat(JsonText.parseOrNull(exactlyAll.out())).hasSize(all.size());
        assertThat(exactlyAll.err()).as("nothing more to show").isEmpty();
    }

    @Test
    void badDatesAreUsageErrors() {
        failsWithOneLine(cli.run("audit", "--from", "yesterday"), 2, "invalid time 'yesterday' for --from");
        failsWithOneLine(cli.run("audit", "--to", "2026-01-01T25:00:00Z"), 2, "invalid time");
        failsWithOneLine(cli.run("audit", "--from", "2026-02-01", "--to", "2026-01-01"), 2, "--from is after --to");
        failsWithOneLine(cli.run("audit", "--limit", "-3"), 2, "invalid value for --limit");
        failsWithOneLine(cli.run("audit", "--limit", "many"), 2, "'many' is not an int");
    }

    @Test
    void someoneElsesLogIsOneLinePermissionDenied() {
        String other = newUsername("oth");
        Sessions.newUser(server, other, PASSWORD);

        failsWithOneLine(cli.run("audit", other), 1, "permission denied");
        failsWithOneLine(cli.run("audit", "no/such"), 2, "not an account name");
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        throw new AssertionError(text + " not in " + lines);
    }
}
