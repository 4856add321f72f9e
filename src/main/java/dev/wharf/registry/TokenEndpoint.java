package dev.wharf.registry;

import dev.wharf.auth.Principal;
import dev.wharf.repositories.RepositoryName;
import dev.wharf.server.Requests;
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The token endpoint of the distribution token-auth spec: {@code GET /token?service=&scope=…} with Basic credentials
 * (a password or a personal access token) or none, and the OAuth2 form {@code POST /token} with
 * {@code grant_type=password}. The token grants exactly what was asked, intersected with what the account may do on
 * each repository and what the credential allows ({@link AccessControl}).
 */
final class TokenEndpoint {
    private final RegistryAuth auth;
    private final RegistryTokens tokens;
    private final Requests requests;

    TokenEndpoint(RegistryAuth auth, RegistryTokens tokens, Requests requests) {
        this.auth = auth;
        this.tokens = tokens;
        this.requests = requests;
    }

    void get(Context ctx) {
        Principal principal = null;
        String header = ctx.header("Authorization");
        if (header != null) {
            if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
                throw new RegistryException(OciError.UNAUTHORIZED, "the token endpoint takes Basic credentials");
            }
            principal = auth.basic(header.substring(6).trim(), requests.clientIp(ctx));
        }
        List<String> scopes = new ArrayList<>();
        for (String s : ctx.queryParams("scope")) {
            scopes.addAll(List.of(s.trim().split("\\s+")));
        }
        Map<String, EnumSet<Action>> granted = grant(principal, scopes);
        String service = serviceOf(ctx, ctx.queryParam("service"));
        Map<String, Object> body = issue(principal, service, granted);
        ctx.json(body);
    }

    void post(Context ctx) {
        String grantType = ctx.formParam("grant_type");
        if (!"password".equals(grantType)) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("error", "unsupported_grant_type");
            error.put("error_description", "only grant_type=password is supported");
            ctx.status(400).json(error);
            return;
        }
        String username = ctx.formParam("username");
        String password = ctx.formParam("password");
        if (username == null || password == null) {
            throw new RegistryException(OciError.UNAUTHORIZED, "username and password are required");
        }
        Principal principal = auth.basic(java.util.Base64.getEncoder().encodeToString(
                (username + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8)), requests.clientIp(ctx));
        String scope = ctx.formParam("scope");
        List<String> scopes = scope == null || scope.isBlank() ? List.of() : List.of(scope.trim().split("\\s+"));
        Map<String, EnumSet<Action>> granted = grant(principal, scopes);
        Map<String, Object> body = issue(principal, serviceOf(ctx, ctx.formParam("service")), granted);
        body.put("scope", granted.entrySet().stream()
                .map(e -> "repository:" + e.getKey() + ":" + e.getValue().stream().map(Action::wireName)
                        .collect(Collectors.joining(",")))
                .collect(Collectors.joining(" ")));
        ctx.json(body);
    }

    /** Asked ∩ allowed, per repository. Scopes of other types and malformed names grant nothing. */
    private Map<String, EnumSet<Action>> grant(Principal principal, List<String> scopes) {
        Map<String, EnumSet<Action>> granted = new LinkedHashMap<>();
        for (String scope : scopes) {
            int first = scope.indexOf(':');
            int last = scope.lastIndexOf(':');
            if (first < 0 || last == first) {
                continue;
            }
            String type = scope.substring(0, first).replaceAll("\\(.*\\)$", "");
            String name = scope.substring(first + 1, last);
            if (!type.equals("repository") || RepositoryName.problem(name) != null) {
                continue;
            }
            EnumSet<Action> asked = Action.parseList(scope.substring(last + 1));
            asked.retainAll(auth.allowed(principal, new RepositoryName(name)));
            granted.computeIfAbsent(name, n -> EnumSet.noneOf(Action.class)).addAll(asked);
        }
        granted.values().removeIf(EnumSet::isEmpty);
        return granted;
    }

    private Map<String, Object> issue(Principal principal, String service, Map<String, EnumSet<Action>> granted) {
        String jwt = tokens.issue(principal, service, granted);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", jwt);
        body.put("access_token", jwt);
        body.put("expires_in", RegistryTokens.TTL.toSeconds());
        body.put("issued_at", DateTimeFormatter.ISO_INSTANT.format(Instant.now()));
        return body;
    }

    private String serviceOf(Context ctx, String asked) {
        return asked == null || asked.isBlank() ? auth.service(ctx) : asked;
    }
}
