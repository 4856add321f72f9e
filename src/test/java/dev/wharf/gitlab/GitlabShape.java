package dev.wharf.gitlab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.testing.Http;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * GitLab's documented {@code PersonalAccessToken} entity (doc/api/personal_access_tokens.md, the entity's code):
 * these fields, in this order, of these types; {@code token} last and only in create and rotate responses.
 */
final class GitlabShape {
    static final List<String> FIELDS = List.of("id", "name", "revoked", "created_at", "description", "scopes",
            "user_id", "last_used_at", "last_used_ips", "active", "expires_at");
    /** The scopes a Wharf token may show in GitLab's words. */
    static final Set<String> SCOPES = Set.of("read_registry", "write_registry", "api", "read_api", "self_rotate");
    private static final String DATE_TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    private GitlabShape() {
    }

    /** Asserts one entity's shape; returns it. */
    static JsonNode entity(JsonNode t, boolean withToken) {
        List<String> names = new ArrayList<>();
        t.fieldNames().forEachRemaining(names::add);
        List<String> expected = new ArrayList<>(FIELDS);
        if (withToken) {
            expected.add("token");
        }
        assertThat(names).as("fields of %s", t).containsExactlyElementsOf(expected);
        assertThat(t.get("id").isIntegralNumber()).as("id of %s", t).isTrue();
        assertThat(t.get("name").isTextual()).isTrue();
        assertThat(t.get("revoked").isBoolean()).isTrue();
        assertThat(t.get("created_at").asText()).matches(DATE_TIME);
        assertThat(t.get("description").isNull() || t.get("description").isTextual()).isTrue();
        assertThat(t.get("scopes").isArray()).isTrue();
        t.get("scopes").forEach(s -> assertThat(s.asText()).isIn(SCOPES));
        assertThat(t.get("user_id").isIntegralNumber()).isTrue();
        assertThat(t.get("last_used_at").isNull() || t.get("last_used_at").asText().matches(DATE_TIME))
                .as("last_used_at of %s", t).isTrue();
        assertThat(t.get("last_used_ips").isArray()).isTrue();
        assertThat(t.get("last_used_ips")).hasSizeLessThanOrEqualTo(5);
        t.get("last_used_ips").forEach(ip -> assertThat(ip.isTextual()).isTrue());
        assertThat(t.get("active").isBoolean()).isTrue();
        assertThat(t.get("expires_at").isNull() || t.get("expires_at").asText().matches("\\d{4}-\\d\\d-\\d\\d"))
                .as("expires_at of %s", t).isTrue();
        if (withToken) {
            assertThat(t.get("token").asText()).matches("wharf_pat_[0-9A-Za-z]{42}");
        }
        return t;
    }

    /** Asserts a successful single-entity response; returns the entity. */
    static JsonNode one(Http.Response r, int status, boolean withToken) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        return entity(r.json(), withToken);
    }

    /** Asserts a successful listing: an array of entities without secrets; returns it. */
    static JsonNode list(Http.Response r) {
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        JsonNode items = r.json();
        assertThat(items.isArray()).as("%s", r).isTrue();
        items.forEach(t -> entity(t, false));
        return items;
    }

    /** Asserts an error: its status and its exact body. */
    static void error(Http.Response r, int status, String body) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        assertThat(r.json()).as("%s", r).isEqualTo(json(body));
    }

    private static JsonNode json(String body) {
        try {
            return dev.wharf.http.Json.MAPPER.readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
