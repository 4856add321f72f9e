package dev.wharf.testing;

import java.util.Map;

/** Sign-in shortcuts for tests. */
public final class Sessions {
    private Sessions() {
    }

    /** A session JWT from {@code POST /v2/users/login}. */
    public static String login(Http http, String username, String password) {
        Http.Response r = http.post("/v2/users/login", Map.of("username", username, "password", password));
        if (r.status() != 200) {
            throw new AssertionError("login failed: " + r);
        }
        return r.json().get("token").asText();
    }

    public static String adminSession(TestServer server) {
        return login(server.http(), "admin", TestServer.ADMIN_PASSWORD);
    }

    /** Creates a user through the admin API and returns a session for them. */
    public static String newUser(TestServer server, String username, String password) {
        Http admin = server.http().bearer(adminSession(server));
        Http.Response r = admin.post("/api/v1/users", Map.of("username", username, "password", password));
        if (r.status() != 201) {
            throw new AssertionError("user creation failed: " + r);
        }
        return login(server.http(), username, password);
    }

    /** Creates a PAT for the session's user and returns its secret. */
    public static String newToken(TestServer server, String session, String label, String... scopes) {
        Http.Response r = server.http().bearer(session).post("/v2/access-tokens",
                Map.of("token_label", label, "scopes", java.util.List.of(scopes)));
        if (r.status() != 201) {
            throw new AssertionError("token creation failed: " + r);
        }
        return r.json().get("token").asText();
    }
}
