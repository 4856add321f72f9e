package dev.wharf.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RouteTableTest {
    private final RouteTable<String, String> routes = new RouteTable<String, String>()
            .post("/v2/<name>/blobs/uploads/", "push", "start")
            .get("/v2/<name>/blobs/uploads/{uuid}", "push", "status")
            .get("/v2/<name>/blobs/{digest}", "pull", "blob")
            .get("/v2/<name>/tags/list", "pull", "tags")
            .get("/v2/access-tokens/{uuid}", "session", "token")
            .delete("/v2/access-tokens/{uuid}", "session", "delete");

    @Test
    void parametersAreDecodedAndNamesKeepTheirSlashes() {
        RouteTable.Match<String, String> m = routes.match("GET", "/v2/acme/team/app/blobs/sha256:ab");
        assertThat(m.route().handler()).isEqualTo("blob");
        assertThat(m.parameter("name")).isEqualTo("acme/team/app");
        assertThat(m.parameter("digest")).isEqualTo("sha256:ab");
        assertThat(routes.match("GET", "/v2/a/b/blobs/uploads/u-1").route().handler()).isEqualTo("status");
        assertThat(routes.match("GET", "/v2/a/tags/tags/list").parameter("name")).isEqualTo("a/tags");
        assertThat(routes.match("GET", "/v2/access-tokens/x%20y").parameter("uuid")).isEqualTo("x y");
    }

    @Test
    void theTrailingSlashIsOptionalBothWays() {
        assertThat(routes.match("GET", "/v2/access-tokens/abc/").route().handler()).isEqualTo("token");
        assertThat(routes.match("POST", "/v2/a/b/blobs/uploads").route().handler()).isEqualTo("start");
        assertThat(routes.match("POST", "/v2/a/b/blobs/uploads/").route().handler()).isEqualTo("start");
    }

    @Test
    void aPathServedForOtherMethodsIs405WithThemAndAnUnknownPathIs404() {
        assertThatThrownBy(() -> routes.match("PUT", "/v2/access-tokens/abc"))
                .isInstanceOfSatisfying(RouteNotFound.class, e -> {
                    assertThat(e.isMethodNotAllowed()).isTrue();
                    assertThat(e.allowHeader()).isEqualTo("DELETE, GET");
                    assertThat(e.method()).isEqualTo("PUT");
                });
        assertThatThrownBy(() -> routes.match("GET", "/v2/access-tokens"))
                .isInstanceOfSatisfying(RouteNotFound.class, e -> assertThat(e.isMethodNotAllowed()).isFalse());
        assertThatThrownBy(() -> routes.match("GET", "/v2/access-tokens/a/b"))
                .isInstanceOf(RouteNotFound.class);
    }
}
