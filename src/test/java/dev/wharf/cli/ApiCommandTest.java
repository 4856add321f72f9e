package dev.wharf.cli;

import static dev.wharf.cli.CliAssertions.closedPortUrl;
import static dev.wharf.cli.CliAssertions.failsWithOneLine;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiCommandTest extends ServerCliTest {
    @Test
    void versionFlag() {
        for (String flag : List.of("-V", "--version")) {
            CliRunner.Result r = cli.run("api", flag);
            assertThat(r.exit()).isZero();
            assertThat(r.out()).startsWith("wharf ");
        }
    }

    @Test
    void withoutArgumentsListsTokensWithTheSavedSessionAsPrettyJson() {
        login();
        create("listed");

        CliRunner.Result r = cli.run("api");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("\n  \"count\": 1,\n").contains("\"token_label\": \"listed\"");
        JsonNode json = JsonText.parseOrNull(r.out());
        assertThat(json.get("results").get(0).get("token_label").asText()).isEqualTo("listed");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void explicitTokenAndUrlWithPydockerhubapiFlags() {
        create("one");

        CliRunner.Result r = cli.run("api", "-u", server.url(), "-t", session, "-a", "/v2/access-tokens", "-m", "GET");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(JsonText.parseOrNull(r.out()).get("count").asInt()).isEqualTo(1);
        CliRunner.Result longForm = cli.run("api", "--url", server.url(), "--token", session, "--api",
                "/v2/access-tokens?page_size=1", "--method", "get");
        assertThat(longForm.exit()).as(longForm.toString()).isZero();
    }

    @Test
    void tokenFromTheEnvironmentLikePydockerhubapi() {
        cli.vars.put("DOCKERHUB_TOKEN", session);
        assertThat(cli.run("api", "-u", server.url()).exit()).isZero();
        cli.vars.remove("DOCKERHUB_TOKEN");
        cli.vars.put("WHARF_TOKEN", session);
        assertThat(cli.run("api", "-u", server.url()).exit()).isZero();
    }

    @Test
    void postPatchAndDeleteWithJsonFiles() throws Exception {
        Path create = cli.home.resolve("token_new.json");
        Files.writeString(create, "{\"token_label\": \"from file\", \"scopes\": [\"repo:read\"]}");
        CliRunner.Result created = cli.run("api", "-u", server.url(), "-t", session, "-m", "POST", "-a",
                "/v2/access-tokens", "-J", create.toString());
        assertThat(created.exit()).as(created.toString()).isZero();
        String uuid = JsonText.parseOrNull(created.out()).get("uuid").asText();

        Path patch = cli.home.resolve("patch_test.json");
        Files.writeString(patch, "{\"token_label\": \"My token\"}");
        CliRunner.Result patched = cli.run("api", "-u", server.url(), "-t", session, "-m", "PATCH", "-a",
                "/v2/access-tokens/" + uuid, "-J", patch.toString());
        assertThat(patched.exit()).as(patched.toString()).isZero();
        assertThat(JsonText.parseOrNull(patched.out()).get("token_label").asText()).isEqualTo("My token");

        CliRunner.Result deleted = cli.run("api", "-u", server.url(), "-t", session, "-m", "DELETE", "-a",
                "/v2/access-tokens/" + uuid);
        assertThat(deleted.exit()).as(deleted.toString()).isZero();
        assertThat(deleted.out()).isEmpty();
        assertThat(deleted.err()).isEmpty();
    }

    @Test
    void nonSuccessPrintsTheBodyOnStderrAndExits1() {
        CliRunner.Result notFound = cli.run("api", "-u", server.url(), "-t", session, "-m", "DELETE", "-a",
                "/v2/access-tokens/9e9eeee9-e999-9999-9e9e-9e999ee9ee99");
        assertThat(notFound.exit()).isEqualTo(1);
        assertThat(notFound.out()).isEmpty();
        assertThat(JsonText.parseOrNull(notFound.err()).get("detail").asText()).isNotBlank();

        CliRunner.Result unauthorized = cli.run("api", "-u", server.url());
        assertThat(unauthorized.exit()).isEqualTo(1);
        assertThat(unauthorized.out()).isEmpty();
        assertThat(JsonText.parseOrNull(unauthorized.err()).has("detail")).isTrue();
    }

    @Test
    void theSavedSessionIsOnlySentToItsOwnServer() {
        login();
        String otherSpelling = server.url().replace("127.0.0.1", "localhost");

        CliRunner.Result r = cli.run("api", "-u", otherSpelling);

        assertThat(r.exit()).as("no credentials were sent").isEqualTo(1);
        assertThat(r.err()).contains("credentials were not provided");
    }

    @Test
    void badMethodIsAUsageErrorThatNamesIt() {
        failsWithOneLine(cli.run("api", "-m", "FETCH"), 2,
                "invalid value for --method: 'FETCH' (use one of DELETE, GET, POST, PUT, PATCH)");
    }

    @Test
    void apiPathMustStartWithASlash() {
        failsWithOneLine(cli.run("api", "-a", "v2/access-tokens"), 2,
                "invalid value for --api: 'v2/access-tokens' (it must start with /)");
    }

    @Test
    void postNeedsAJsonFileAndTheFileMustBeJson() throws Exception {
        failsWithOneLine(cli.run("api", "-u", server.url(), "-m", "POST"), 2, "POST needs a request body");
        failsWithOneLine(cli.run("api", "-u", server.url(), "-m", "POST", "-J", "/no/such/file.json"), 2,
                "no such file");
        Path bad = cli.home.resolve("bad.json");
        Files.writeString(bad, "{\"token_label\": ");
        failsWithOneLine(cli.run("api", "-u", server.url(), "-m", "POST", "-J", bad.toString()), 2,
                "is not valid JSON at line 1");
    }

    @Test
    void generateTokenSignsInFromTheEnvironment() {
        cli.vars.put("DOCKERHUB_USER", user);
        cli.vars.put("DOCKERHUB_PASSWORD", PASSWORD);

        CliRunner.Result r = cli.run("api", "-u", server.url(), "-g");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).matches("\\{\"token\": \"[^\"]+\"}\n");
        String jwt = JsonText.parseOrNull(r.out()).get("token").asText();
        assertThat(server.http().bearer(jwt).get("/v2/access-tokens").status()).isEqualTo(200);
        assertThat(cli.everythingSaved()).doesNotContain(jwt).doesNotContain(PASSWORD);
    }

    @Test
    void generateTokenWithWharfVariablesAndUserFlag() {
        cli.vars.put("WHARF_USER", "someone-else");
        cli.vars.put("WHARF_PASSWORD", PASSWORD);

        CliRunner.Result r = cli.run("api", "--url", server.url(), "--generatetoken", "-U", user);

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(JsonText.parseOrNull(r.out()).get("token").asText()).isNotBlank();
    }

    @Test
    void generateTokenFailures() {
        failsWithOneLine(cli.run("api", "-u", server.url(), "-g"), 2, "-g needs DOCKERHUB_USER and DOCKERHUB_PASSWORD");

        cli.vars.put("DOCKERHUB_USER", user);
        cli.vars.put("DOCKERHUB_PASSWORD", "wrong-password-here");
        CliRunner.Result r = cli.run("api", "-u", server.url(), "-g");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("{\"detail\":\"Incorrect authentication credentials\"}\n");
    }

    @Test
    void connectionRefusedIsOneLine() {
        String url = closedPortUrl();
        failsWithOneLine(cli.run("api", "-u", url, "-t", "x"), 1, "cannot connect to " + url + ": connection refused");
    }

    @Test
    void defaultServerIsDockerHubWhenNotLoggedIn() {
        CliRunner.Result help = cli.run("api", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("-U, --user=USER").contains("-t, --token=TOKEN").contains("-u, --url=URL")
                .contains("-a, --api=API").contains("-m, --method=METHOD").contains("-J, --jsonfile=JSONFILE")
                .contains("-g, --generatetoken").contains("https://hub.docker.com");
    }

    @Test
    void aNonJsonSuccessBodyIsPrintedAsIs() {
        CliRunner.Result r = cli.run("api", "-u", server.url(), "-a", "/metrics");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("# HELP ").doesNotStartWith("\"");
    }

    private void create(String label) {
        assertThat(http.post("/v2/access-tokens", Map.of("token_label", label, "scopes", List.of("repo:read")))
                .status()).isEqualTo(201);
    }
}
