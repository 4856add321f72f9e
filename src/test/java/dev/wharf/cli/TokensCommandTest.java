package dev.wharf.cli;

import static dev.wharf.cli.CliAssertions.closedPortUrl;
import static dev.wharf.cli.CliAssertions.failsWithOneLine;
import static dev.wharf.cli.CliAssertions.newUsername;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.testing.Http;
import dev.wharf.testing.Sessions;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokensCommandTest extends ServerCliTest {
    @BeforeEach
    void loggedIn() {
        login();
    }

    @Test
    void createPrintsTheSecretOnceWithAWarningAndNeverSavesIt() {
        CliRunner.Result r = cli.run("tokens", "create", "--label", "ci deploy", "--scope", "repo:read",
                "--scope", "repo:write");

        assertThat(r.exit()).as(r.toString()).isZero();
        String secret = r.out().strip();
        assertThat(r.out().lines()).hasSize(1);
        assertThat(secret).startsWith("wharf_pat_");
        assertThat(r.err()).contains("Created token").contains("\"ci deploy\"").contains("repo:read,repo:write")
                .contains("cannot be shown again").doesNotContain(secret);
        assertThat(cli.everythingSaved()).doesNotContain(secret);
        // The secret works, as a password.
        assertThat(server.http().post("/v2/users/login", Map.of("username", user, "password", secret)).status())
                .isEqualTo(200);
        // Nothing shows it again.
        String uuid = onlyToken().get("uuid").asText();
        for (String[] args : List.of(new String[] {"tokens", "list"}, new String[] {"tokens", "list", "--json"},
                new String[] {"tokens", "get", uuid}, new String[] {"tokens", "get", uuid, "--json"},
                new String[] {"api"}, new String[] {"audit", "--json"})) {
            CliRunner.Result again = cli.run(args);
            assertThat(again.exit()).as(again.toString()).isZero();
            assertThat(again.out() + again.err()).doesNotContain(secret);
        }
        assertThat(cli.everythingSaved()).doesNotContain(secret);
    }

    @Test
    void createWithJsonPrintsTheWholeTokenOnce() {
        CliRunner.Result r = cli.run("tokens", "create", "--label", "json", "--scope", "repo:admin", "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode created = JsonText.parseOrNull(r.out());
        assertThat(created.get("token").asText()).startsWith("wharf_pat_");
        assertThat(created.get("token_label").asText()).isEqualTo("json");
        assertThat(r.err()).contains("cannot be shown again");
    }

    @Test
    void createAcceptsCommaSeparatedScopesAndExpiryAsDateOrDuration() {
        assertThat(cli.run("tokens", "create", "--label", "dated", "--scope", "repo:read,repo:public_read",
                "--expires", "2099-01-01").exit()).isZero();
        JsonNode dated = onlyToken();
        assertThat(dated.get("expires_at").asText()).isEqualTo("2099-01-01T00:00:00.000000Z");
        assertThat(dated.get("scopes")).hasSize(2);

        assertThat(cli.run("tokens", "delete", dated.get("uuid").asText()).exit()).isZero();
        assertThat(cli.run("tokens", "create", "--label", "month", "--scope", "repo:read", "--expires", "30d")
                .exit()).isZero();
        Instant expires = Instant.parse(onlyToken().get("expires_at").asText());
        assertThat(Duration.between(Instant.now().plus(Duration.ofDays(30)), expires).abs())
                .isLessThan(Duration.ofMinutes(1));
    }

    @Test
    void badScopeIsRefusedBeforeAnyRequest() {
        CliRunner.Result r = cli.run("tokens", "create", "--label", "x", "--scope", "repo:read,repo:superuser");

        failsWithOneLine(r, 2, "invalid scope 'repo:superuser': use one of repo:admin, repo:public_read, "
                + "repo:read, repo:write");
        assertThat(tokens()).isEmpty();
    }

    @Test
    void badOrPastDateIsAUsageError() {
        failsWithOneLine(cli.run("tokens", "create", "--label", "x", "--scope", "repo:read", "--expires", "soon"), 2,
                "invalid time 'soon' for --expires");
        failsWithOneLine(cli.run("tokens", "create", "--label", "x", "--scope", "repo:read", "--expires",
                "2027-02-30"), 2, "invalid time '2027-02-30' for --expires");
        failsWithOneLine(cli.run("tokens", "create", "--label", "x", "--scope", "repo:read", "--expires",
                "2001-01-01"), 2, "'2001-01-01' is not in the future");
        assertThat(tokens()).isEmpty();
    }

    @Test
    void missingLabelOrScopeIsAUsageError() {
        failsWithOneLine(cli.run("tokens", "create", "--scope", "repo:read"), 2, "Missing required option: '--label");
        failsWithOneLine(cli.run("tokens", "create", "--label", "x"), 2, "Missing required option: '--scope");
    }

    @Test
    void serverSideValidationErrorIsOneLineExit1() {
        CliRunner.Result r = cli.run("tokens", "create", "--label", "x".repeat(101), "--scope", "repo:read");

        failsWithOneLine(r, 1, "the server refused the request:");
        assertThat(r.err()).contains("token_label");
    }

    @Test
    void listShowsAnAlignedTableWithHumanTimes() {
        create("first", "repo:read");
        create("second one", "repo:admin");
        String third = create("third", "repo:write");
        http.patch("/v2/access-tokens/" + third, Map.of("is_active", false));

        CliRunner.Result r = cli.run("tokens", "list");

        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(4);
        String header = lines.get(0);
        assertThat(header).matches("UUID +LABEL +SCOPES +ACTIVE +CREATED +LAST USED +EXPIRES");
        for (String column : List.of("LABEL", "SCOPES", "ACTIVE", "CREATED", "LAST USED", "EXPIRES")) {
            int at = header.indexOf(column);
            for (String line : lines.subList(1, 4)) {
                assertThat(line.charAt(at - 1)).as(line).isEqualTo(' ');
                assertThat(line.charAt(at)).as(line + " @" + column).isNotEqualTo(' ');
            }
        }
        assertThat(lines.get(1)).startsWith(third).contains("third").contains("repo:write").contains(" no ")
                .contains("just now").contains("never");
        assertThat(lines.get(2)).contains("second one").contains("repo:admin").contains(" yes ");
        assertThat(lines.get(3)).contains("first");
    }

    @Test
    void listWithNoTokensSaysSo() {
        CliRunner.Result r = cli.run("tokens", "list");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("No access tokens.\n");
        assertThat(JsonText.parseOrNull(cli.run("tokens", "list", "--json").out())).isEmpty();
    }

    @Test
    void listFetchesEveryPage() {
        for (int i = 0; i < 105; i++) {
            create("t" + i, "repo:read");
        }

        JsonNode all = JsonText.parseOrNull(cli.run("tokens", "list", "--json").out());

        assertThat(all).hasSize(105);
        assertThat(all.get(0).get("token_label").asText()).isEqualTo("t104");
        assertThat(all.get(104).get("token_label").asText()).isEqualTo("t0");
        assertThat(all.get(0).get("token").asText()).isEmpty();
        assertThat(cli.run("tokens", "list").out().lines()).hasSize(106);
    }

    @Test
    void getShowsOneTokenAsFieldsOrJson() {
        String uuid = create("shown", "repo:read");

        CliRunner.Result r = cli.run("tokens", "get", uuid);
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("UUID:       " + uuid).contains("Label:      shown")
                .contains("Scopes:     repo:read").contains("Active:     yes").contains("Last used:  never")
                .contains("Expires:    never")
                .containsPattern("Created: +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\(");

        JsonNode json = JsonText.parseOrNull(cli.run("tokens", "get", uuid, "--json").out());
        assertThat(json.get("uuid").asText()).isEqualTo(uuid);
        assertThat(json.get("token").asText()).isEmpty();
    }

    @Test
    void unknownOrForeignUuidIsOneLine404() {
        String missing = UUID.randomUUID().toString();
        failsWithOneLine(cli.run("tokens", "get", missing), 1, "no token " + missing);
        failsWithOneLine(cli.run("tokens", "delete", missing), 1, "no token " + missing);
        failsWithOneLine(cli.run("tokens", "update", missing, "--inactive"), 1, "no token " + missing);

        String other = newUsername("other");
        String foreign = Sessions.newToken(server, Sessions.newUser(server, other, PASSWORD), "theirs", "repo:read");
        String foreignUuid = server.http().bearer(Sessions.login(server.http(), other, PASSWORD))
                .get("/v2/access-tokens").json().get("results").get(0).get("uuid").asText();
        failsWithOneLine(cli.run("tokens", "get", foreignUuid), 1, "it does not exist, or it is not yours");
        assertThat(foreign).isNotBlank();
    }

    @Test
    void notAUuidIsAUsageError() {
        failsWithOneLine(cli.run("tokens", "get", "abc"), 2, "not a token uuid: 'abc'");
    }

    @Test
    void updateChangesLabelAndActivation() {
        String uuid = create("old", "repo:read");

        CliRunner.Result r = cli.run("tokens", "update", uuid, "--label", "new", "--inactive");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).isEqualTo("Updated token " + uuid + ".\n");
        assertThat(r.out()).contains("Label:      new").contains("Active:     no");

        JsonNode json = JsonText.parseOrNull(cli.run("tokens", "update", uuid, "--active", "--json").out());
        assertThat(json.get("is_active").asBoolean()).isTrue();
        assertThat(json.get("token_label").asText()).isEqualTo("new");
    }

    @Test
    void updateNeedsSomethingToChangeAndOnlyOneOfActiveInactive() {
        String uuid = create("x", "repo:read");
        failsWithOneLine(cli.run("tokens", "update", uuid), 2, "nothing to update");
        failsWithOneLine(cli.run("tokens", "update", uuid, "--active", "--inactive"), 2, "mutually exclusive");
    }

    @Test
    void deleteRemovesTheToken() {
        String uuid = create("gone", "repo:read");

        CliRunner.Result r = cli.run("tokens", "delete", uuid);

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("Deleted token " + uuid + ".\n");
        assertThat(tokens()).isEmpty();
    }

    @Test
    void tokensWithoutASubcommandIsAUsageError() {
        failsWithOneLine(cli.run("tokens"), 2, "Missing required subcommand");
    }

    @Test
    void serverGoneIsOneLineConnectionRefused() {
        String url = closedPortUrl();
        new SessionStore(cli.configDir()).save(new SessionStore.Saved(url, user, "x.y.z"));

        failsWithOneLine(cli.run("tokens", "list"), 1, "cannot connect to " + url + ": connection refused");
    }

    @Test
    void aSessionFromAPersonalAccessTokenIsRefusedTokenManagementInOneLine() {
        String pat = Sessions.newToken(server, Sessions.login(server.http(), user, PASSWORD), "ci", "repo:admin");
        cli.login(server.url(), user, pat);

        failsWithOneLine(cli.run("tokens", "list"), 1, "permission denied");
    }

    @Test
    void expiryIsShownRelativeInTheTable() {
        String date = LocalDate.now(ZoneOffset.UTC).plusDays(11).toString();
        assertThat(cli.run("tokens", "create", "--label", "soon", "--scope", "repo:read", "--expires", date)
                .exit()).isZero();

        assertThat(cli.run("tokens", "list").out()).containsPattern("in 1[01] days");
    }

    private String create(String label, String... scopes) {
        Http.Response r = http.post("/v2/access-tokens", Map.of("token_label", label, "scopes", List.of(scopes)));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().get("uuid").asText();
    }

    private JsonNode tokens() {
        return http.get("/v2/access-tokens?page_size=100").json().get("results");
    }

    private JsonNode onlyToken() {
        JsonNode results = tokens();
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    @Test
    void rotatePrintsTheNewSecretOnceAndKeepsTheOldOneForTheGraceWindow() {
        String old = cli.run("tokens", "create", "--label", "rotating", "--scope", "repo:write").out().strip();
        String uuid = onlyToken().get("uuid").asText();

        CliRunner.Result r = cli.run("tokens", "rotate", uuid, "--grace", "1h", "--expires", "30d");
        assertThat(r.exit()).as(r.toString()).isZero();
        String secret = r.out().strip();
        assertThat(r.out().lines()).hasSize(1);
        assertThat(secret).startsWith("wharf_pat_").isNotEqualTo(old);
        assertThat(r.err()).contains("Rotated token " + uuid).contains("keeps working until")
                .contains("cannot be shown again").doesNotContain(secret);
        assertThat(cli.everythingSaved()).doesNotContain(secret);
        for (String s : List.of(old, secret)) {
            assertThat(server.http().post("/v2/users/login", Map.of("username", user, "password", s)).status())
                    .isEqualTo(200);
        }
        JsonNode rotated = tokens().get(0);
        assertThat(rotated.get("token_label").asText()).isEqualTo("rotating");
        assertThat(rotated.get("scopes").get(0).asText()).isEqualTo("repo:write");
        Instant expires = Instant.parse(rotated.get("expires_at").asText());
        assertThat(Duration.between(Instant.now().plus(Duration.ofDays(30)), expires).abs())
                .isLessThan(Duration.ofMinutes(1));

        failsWithOneLine(cli.run("tokens", "rotate", uuid), 1, "the server refused the request:");
    }

    @Test
    void rotateWithoutGraceStopsTheOldSecretAtOnce() {
        String old = cli.run("tokens", "create", "--label", "strict", "--scope", "repo:read").out().strip();
        String uuid = onlyToken().get("uuid").asText();
        CliRunner.Result r = cli.run("tokens", "rotate", uuid, "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode answer = JsonText.parseOrNull(r.out());
        assertThat(answer.get("token").asText()).startsWith("wharf_pat_");
        assertThat(answer.get("rotated_from").asText()).isEqualTo(uuid);
        assertThat(r.err()).contains("The old secret has stopped working.");
        assertThat(server.http().post("/v2/users/login", Map.of("username", user, "password", old)).status())
                .isEqualTo(401);
    }

    @Test
    void rotateRefusesBadGraceExpiryAndUnknownTokens() {
        String uuid = UUID.randomUUID().toString();
        for (String grace : List.of("25h", "soon", "-1h", "2d")) {
            failsWithOneLine(cli.run("tokens", "rotate", uuid, "--grace", grace), 2, "invalid value for --grace");
        }
        failsWithOneLine(cli.run("tokens", "rotate", uuid, "--expires", "2001-01-01"), 2, "not in the future");
        failsWithOneLine(cli.run("tokens", "rotate", "not-a-uuid"), 2, "not a token uuid");
        failsWithOneLine(cli.run("tokens", "rotate", uuid), 1, "no token " + uuid);
    }
}
