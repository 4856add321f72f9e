package dev.wharf.cli;

import static dev.wharf.cli.CliAssertions.closedPortUrl;
import static dev.wharf.cli.CliAssertions.failsWithOneLine;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.testing.Sessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginCommandTest extends ServerCliTest {
    @Test
    void loginWithPasswordOnStdinSavesUrlUserAndSessionButNeverThePassword() throws Exception {
        cli.stdin = PASSWORD + "\n";
        CliRunner.Result r = cli.run("login", "--url", server.url() + "/", "-u", user, "--password-stdin");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("Logged in to " + server.url() + " as " + user + ".\n");
        JsonNode saved = JsonText.parseOrNull(Files.readString(cli.sessionFile()));
        assertThat(saved.get("url").asText()).isEqualTo(server.url());
        assertThat(saved.get("username").asText()).isEqualTo(user);
        String token = saved.get("token").asText();
        assertThat(server.http().bearer(token).get("/v2/access-tokens").status()).isEqualTo(200);
        assertThat(cli.everythingSaved()).doesNotContain(PASSWORD);
        assertThat(r.out() + r.err()).doesNotContain(PASSWORD).doesNotContain(token);
    }

    @Test
    void sessionFileIsMode0600InA0700Directory() throws Exception {
        login();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cli.sessionFile())))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cli.configDir())))
                .isEqualTo("rwx------");
        try (var files = Files.list(cli.configDir())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(SessionStore.FILE_NAME);
        }
    }

    @Test
    void aWorldReadableOldFileAndDirectoryAreReplacedByPrivateOnes() throws Exception {
        Files.createDirectories(cli.configDir());
        Files.setPosixFilePermissions(cli.configDir(), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(cli.sessionFile(), "{}");
        Files.setPosixFilePermissions(cli.sessionFile(), PosixFilePermissions.fromString("rw-r--r--"));

        login();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cli.sessionFile())))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cli.configDir())))
                .isEqualTo("rwx------");
    }

    @Test
    void interactiveLoginPromptsForUsernameAndPasswordWithoutEcho() {
        cli.terminal = new CliRunner.FakeTerminal(user, PASSWORD);
        CliRunner.Result r = cli.run("login", "--url", server.url());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(cli.terminal.prompts).containsExactly("line:Username: ", "password:Password: ");
        assertThat(r.out()).doesNotContain(PASSWORD);
    }

    @Test
    void secondLoginReusesTheSavedServerAndUsername() {
        login();
        cli.terminal = new CliRunner.FakeTerminal(PASSWORD);

        CliRunner.Result r = cli.run("login");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("Logged in to " + server.url() + " as " + user + ".\n");
        assertThat(cli.terminal.prompts).containsExactly("password:Password: ");
    }

    @Test
    void wharfUrlVariableNamesTheServer() {
        cli.vars.put("WHARF_URL", server.url());
        cli.stdin = PASSWORD;
        CliRunner.Result r = cli.run("login", "-u", user, "--password-stdin");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains(server.url());
    }

    @Test
    void aPersonalAccessTokenWorksAsThePassword() {
        String pat = Sessions.newToken(server, Sessions.login(server.http(), user, PASSWORD), "ci", "repo:read");
        cli.stdin = pat;
        CliRunner.Result r = cli.run("login", "--url", server.url(), "-u", user, "--password-stdin");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(cli.everythingSaved()).doesNotContain(pat);
    }

    @Test
    void wrongPasswordIsOneLineExit1AndSavesNothing() {
        cli.stdin = "not-the-password";
        CliRunner.Result r = cli.run("login", "--url", server.url(), "-u", user, "--password-stdin");

        failsWithOneLine(r, 1, "incorrect username or password");
        assertThat(cli.sessionFile()).doesNotExist();
    }

    @Test
    void bruteForceLockoutSaysWhenToTryAgain() {
        CliRunner.Result last = null;
        for (int i = 0; i < 11; i++) {
            cli.stdin = "wrong-password-" + i;
            last = cli.run("login", "--url", server.url(), "-u", user, "--password-stdin");
        }

        failsWithOneLine(last, 1, "login failed: too many failed sign-ins; try again in ");
        assertThat(last.err()).containsPattern("try again in \\d+ seconds");
    }

    @Test
    void connectionRefusedIsOneLineExit1() {
        String url = closedPortUrl();
        cli.stdin = PASSWORD;
        CliRunner.Result r = cli.run("login", "--url", url, "-u", user, "--password-stdin");

        failsWithOneLine(r, 1, "cannot connect to " + url + ": connection refused");
    }

    @Test
    void noTerminalAndNoPasswordStdinIsAUsageError() {
        CliRunner.Result r = cli.run("login", "--url", server.url(), "-u", user);

        failsWithOneLine(r, 2, "use --password-stdin");
    }

    @Test
    void emptyStdinAndMissingUsernameAreUsageErrors() {
        failsWithOneLine(cli.run("login", "--url", server.url(), "-u", user, "--password-stdin"), 2,
                "no password on standard input");
        cli.stdin = PASSWORD;
        failsWithOneLine(cli.run("login", "--url", server.url(), "--password-stdin"), 2, "no username");
    }

    @Test
    void aUrlThatIsNotHttpIsAUsageError() {
        cli.stdin = PASSWORD;
        failsWithOneLine(cli.run("login", "--url", "ftp://example.com", "-u", user, "--password-stdin"), 2,
                "'ftp://example.com' is not an http:// or https:// server URL");
    }

    @Test
    void unknownOptionIsOneLineExit2() {
        failsWithOneLine(cli.run("login", "--bogus"), 2, "Unknown option: '--bogus'");
    }

    @Test
    void logoutRemovesTheSessionAndSaysSoOnce() {
        login();

        CliRunner.Result first = cli.run("logout");
        assertThat(first.exit()).isZero();
        assertThat(first.out()).isEqualTo("Logged out of " + server.url() + ".\n");
        assertThat(cli.sessionFile()).doesNotExist();

        CliRunner.Result second = cli.run("logout");
        assertThat(second.exit()).isZero();
        assertThat(second.out()).isEqualTo("Not logged in.\n");
    }

    @Test
    void missingSessionSaysToRunWharfLogin() {
        failsWithOneLine(cli.run("tokens", "list"), 1, "not logged in: run `wharf login`");
        failsWithOneLine(cli.run("audit"), 1, "not logged in: run `wharf login`");
    }

    @Test
    void expiredSessionSaysToRunWharfLogin() {
        login();
        cli.clock = Clock.offset(Clock.systemUTC(), Duration.ofDays(2));

        failsWithOneLine(cli.run("tokens", "list"), 1, "has expired: run `wharf login`");
    }

    @Test
    void revokedOrForeignSessionThatTheServerRefusesSaysToRunWharfLogin() {
        new SessionStore(cli.configDir()).save(new SessionStore.Saved(server.url(), user, "not-a-valid-jwt"));

        failsWithOneLine(cli.run("tokens", "list"), 1, "has expired or was revoked: run `wharf login`");
    }

    @Test
    void damagedSessionFileSaysToLogInAgainAndLoginRepairsIt() throws Exception {
        Files.createDirectories(cli.configDir());
        Files.writeString(cli.sessionFile(), "garbage");

        failsWithOneLine(cli.run("tokens", "list"), 1, "run `wharf login` again");
        login();
        assertThat(cli.run("tokens", "list").exit()).isZero();
    }

    @Test
    void relativeXdgConfigHomeIsIgnored() {
        Path home = Path.of("/home/someone");
        assertThat(Environment.configDir(java.util.Map.of("XDG_CONFIG_HOME", "relative/dir"), home))
                .isEqualTo(home.resolve(".config/wharf"));
        assertThat(Environment.configDir(java.util.Map.of(), home)).isEqualTo(home.resolve(".config/wharf"));
        assertThat(Environment.configDir(java.util.Map.of("XDG_CONFIG_HOME", "/xdg"), home))
                .isEqualTo(Path.of("/xdg/wharf"));
    }
}
