package dev.wharf.gitlab;

import static dev.wharf.gitlab.GitlabFixtures.CREATE;
import static dev.wharf.gitlab.GitlabFixtures.TOKENS;
import static dev.wharf.gitlab.GitlabFixtures.createToken;
import static dev.wharf.gitlab.GitlabFixtures.newUser;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.config.WharfConfig;
import dev.wharf.gitlab.GitlabFixtures.User;
import dev.wharf.testing.ServerTest;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code --token-max-lifetime 30d --token-require-expiry}: GitLab's defaults within the site's rules, its words. */
abstract class SiteRulesTest extends ServerTest {
    @Override
    protected WharfConfig configure(WharfConfig config) {
        return config.toBuilder().tokenMaxLifetime(Duration.ofDays(30)).tokenRequireExpiry(true).build();
    }

    private static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }

    @Test
    void aTokenWithoutAnExpiryGetsTheLongestTheSiteAllows() {
        User u = newUser(server, uniqueName("sr"));
        JsonNode t = createToken(u.session(), "defaulted", "api");
        assertThat(LocalDate.parse(t.get("expires_at").asText())).isEqualTo(today().plusDays(30));
        JsonNode rotated = GitlabShape.one(u.session().post(TOKENS + "/" + t.get("id").asLong() + "/rotate", null),
                200, true);
        assertThat(LocalDate.parse(rotated.get("expires_at").asText())).isEqualTo(today().plusDays(7));
    }

    @Test
    void anExpiryBeyondTheSitesLimitIsRefusedInGitlabsWords() {
        User u = newUser(server, uniqueName("sr"));
        GitlabShape.error(u.session().post(CREATE, Map.of("name", "far", "scopes", List.of("api"),
                "expires_at", today().plusDays(60).toString())), 400,
                "{\"message\":\"400 Bad request - Expires at must be before " + today().plusDays(31) + "\"}");
        JsonNode t = createToken(u.session(), Map.of("name", "near", "scopes", List.of("api"),
                "expires_at", today().plusDays(30).toString()));
        GitlabShape.error(u.session().post(TOKENS + "/" + t.get("id").asLong() + "/rotate?expires_at="
                + today().plusDays(31), null), 400,
                "{\"message\":\"400 Bad request - Expires at must be before " + today().plusDays(31) + "\"}");
    }
}
