package dev.wharf.cli;

import static dev.wharf.cli.CliAssertions.newUsername;

import dev.wharf.config.WharfConfig;
import dev.wharf.testing.Backend;
import dev.wharf.testing.Http;
import dev.wharf.testing.Sessions;
import dev.wharf.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * A CLI test against a real server started for the test class (H2: the client does not touch the database), with a
 * fresh user, their session and a fresh {@link CliRunner} for every test. Not logged in until a test says so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ServerCliTest {
    static final String PASSWORD = "correct-horse-battery";

    TestServer server;
    CliRunner cli;
    String user;
    String session;
    Http http;

    @BeforeAll
    void startServer() {
        server = TestServer.start(Backend.H2, this::configure);
    }

    /** Override to adjust the server's configuration. */
    WharfConfig configure(WharfConfig config) {
        return config;
    }

    @AfterAll
    void stopServer() {
        server.close();
    }

    @BeforeEach
    void freshUserAndRunner() {
        cli = new CliRunner();
        user = newUsername("u");
        session = Sessions.newUser(server, user, PASSWORD);
        http = server.http().bearer(session);
    }

    void login() {
        cli.login(server.url(), user, PASSWORD);
    }
}
