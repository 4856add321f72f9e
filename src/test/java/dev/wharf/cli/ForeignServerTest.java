package dev.wharf.cli;

import static dev.wharf.cli.CliAssertions.failsWithOneLine;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against servers the Wharf test server cannot stand in for: a web site that is not a Docker Hub API, and
 * Docker Hub's two-factor sign-in answer. One line, never a stack trace.
 */
class ForeignServerTest {
    private HttpServer web;
    private String url;
    private final CliRunner cli = new CliRunner();

    @BeforeEach
    void startAWebsite() throws IOException {
        web = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        web.createContext("/", exchange -> {
            byte[] page = "<html>\n<body>Welcome</body>\n</html>\n".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        web.createContext("/v2/users/login", exchange -> {
            byte[] body = ("{\"detail\":\"Require secondary authentication on MFA enabled account\","
                    + "\"login_2fa_token\":\"x.y.z\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(401, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        web.start();
        url = "http://127.0.0.1:" + web.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        web.stop(0);
    }

    @Test
    void loginSaysWhatTheServerAnswered() {
        cli.stdin = "some-password";
        failsWithOneLine(cli.run("login", "--url", url + "/site", "-u", "alice", "--password-stdin"), 1,
                "login failed: " + url + "/site answered HTTP 200: <html> <body>Welcome</body> </html>");
        assertThat(cli.sessionFile()).doesNotExist();
    }

    @Test
    void dockerHubTwoFactorAnswerSaysToUseAPersonalAccessToken() {
        cli.stdin = "some-password";
        failsWithOneLine(cli.run("login", "--url", url, "-u", "alice", "--password-stdin"), 1,
                "alice uses two-factor authentication; log in with a personal access token as the password");
    }

    @Test
    void friendlyCommandsSayItIsNotAHubApi() {
        new SessionStore(cli.configDir()).save(new SessionStore.Saved(url, "alice", "a.b.c"));

        failsWithOneLine(cli.run("tokens", "list"), 1, url + " is not a Docker Hub API");
        failsWithOneLine(cli.run("audit"), 1, url + " is not a Docker Hub API");
    }

    @Test
    void rawModePrintsWhateverCame() {
        CliRunner.Result r = cli.run("api", "-u", url, "-a", "/");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("<html>\n<body>Welcome</body>\n</html>\n");
    }
}
