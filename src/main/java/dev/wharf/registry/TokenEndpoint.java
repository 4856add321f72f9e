package dev.wharf.registry;

import dev.wharf.repositories.Action;
import dev.wharf.auth.Principal;
import dev.wharf.http.BasicCredentials;
import dev.wharf.http.Requests;
import dev.wharf.repositories.RepositoryName;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The token endpoint of the distribution token-auth spec: {@code GET /token?service=&scope=…} with Basic credentials
 * (a password or a personal access token) or none, and the OAuth2 form {@code POST /token} with
 * {@code grant_type=password}. The token grants exactly what was asked, intersected with what the access policy lets
 * the caller do on each repository, and is issued for this registry's service whatever service the client names.
 */
final class TokenEndpoint {
    /** Clients ask for one to a few scopes; a request for more is refused before any of them is looked at. */
    static final int MAX_SCOPES = 32;

    private final RegistryAuth auth;
    private final RegistryTokens tokens;
    private final Requests requests;
    private final Clock clock;

    TokenEndpoint(RegistryAuth auth, RegistryTokens tokens, Requests requests, Clock clock) {
        this.auth = auth;
        this.tokens = tokens;
        this.requests = requests;
        this.clock = clock;
    }

    void get(RegistryRequest r) {
        Context ctx = r.ctx();
        Principal principal = null;
        String header = ctx.header("Authorization");
        if (header != null) {
            if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
                throw new RegistryException(OciError.UNAUTHORIZED, "the token endpoint takes Basic credentials");
            }
            principal = auth.basic(RegistryAuth.decodeBasic(header.substring(6).trim()), requests.clientIp(ctx));
        }
        List<String> scopes = new ArrayList<>();
        for (String s : ctx.queryParams("scope")) {
            scopes.addAll(split(s));
            bound(scopes);
        }
        ctx.json(issue(ctx, principal, grant(principal, scopes)));
    }

    void post(RegistryRequest r) {
        Context ctx = r.ctx();
        String grantType;
        try {
            grantType = ctx.formParam("grant_type");
        } catch (IllegalArgumentException unknownCharset) {
            oauthError(ctx, "invalid_request", "the form's charset is not supported");
            return;
        }
        if (!"password".equals(grantType)) {
            oauthError(ctx, "unsupported_grant_type", "only grant_type=password is supported");
            return;
        }
        String username = ctx.formParam("username");
        String password = ctx.formParam("password");
        if (username == null || password == null) {
            throw new RegistryException(OciError.UNAUTHORIZED, "username and password are required");
        }
        Principal principal = auth.basic(new BasicCredentials(username, password), requests.clientIp(ctx));
        String scope = ctx.formParam("scope");
        List<String> scopes = scope == null ? List.of() : split(scope);
        bound(scopes);
        Map<String, EnumSet<Action>> granted = grant(principal, scopes);
        Map<String, Object> body = issue(ctx, principal, granted);
        body.put("scope", granted.entrySet().stream()
                .map(e -> "repository:" + e.getKey() + ":" + e.getValue().stream().map(Action::wireName)
                        .collect(Collectors.joining(",")))
                .collect(Collectors.joining(" ")));
        ctx.json(body);
    }

    /** OAuth 2's error body (RFC 6749, section 5.2), which token clients read. */
    private static void oauthError(Context ctx, String error, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        ctx.status(400).json(body);
    }

    private static List<String> split(String scopes) {
        List<String> out = new ArrayList<>();
        for (String s : scopes.trim().split("\\s+", MAX_SCOPES + 2)) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    private static void bound(List<String> scopes) {
        if (scopes.size() > MAX_SCOPES) {
            throw new RegistryException(OciError.TOO_MANY_SCOPES,
                    "at most " + MAX_SCOPES + " scopes may be asked for in one token request");
        }
    }

    /**
     * Asked ∩ allowed, per repository. Scopes of other types and malformed names grant nothing. A pull that a
     * restricted-images policy refuses is left out; when that leaves the token granting nothing (a plain pull), the
     * request is refused with the policy's reason, so that the client prints it rather than a bare "unauthorized".
     * A push is not restricted: its own repository's pull stays, and when it also asks to pull a mount source it
     * still gets its token, without that pull (the client then uploads the blob instead of mounting it).
     */
    private Map<String, EnumSet<Action>> grant(Principal principal, List<String> scopes) {
        Map<String, EnumSet<Action>> granted = new LinkedHashMap<>();
        String refusal = null;
        for (String scope : scopes) {
            int first = scope.indexOf(':');
            int last = scope.lastIndexOf(':');
            if (first < 0 || last == first) {
                continue;
            }
            String type = scope.substring(0, first);
            int resourceClass = type.indexOf('(');
            if (resourceClass >= 0) {
                type = type.substring(0, resourceClass);
            }
            String name = scope.substring(first + 1, last);
            if (!type.equals("repository") || RepositoryName.problem(name) != null) {
                continue;
            }
            EnumSet<Action> asked = Action.parseList(scope.substring(last + 1));
            RepositoryName repository = new RepositoryName(name);
            asked.retainAll(auth.allowed(principal, repository));
            if (asked.contains(Action.PULL)) {
                Optional<String> refused = auth.pullRefusal(principal, repository, asked.contains(Action.PUSH));
                if (refused.isPresent()) {
                    asked.remove(Action.PULL);
                    refusal = refused.get();
                }
            }
            granted.computeIfAbsent(name, n -> EnumSet.noneOf(Action.class)).addAll(asked);
        }
        granted.values().removeIf(EnumSet::isEmpty);
        if (granted.isEmpty() && refusal != null) {
            throw new RegistryException(OciError.PULL_RESTRICTED, refusal);
        }
        return granted;
    }

    private Map<String, Object> issue(Context ctx, Principal principal, Map<String, EnumSet<Action>> granted) {
        String jwt = tokens.issue(principal, auth.service(ctx), granted);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", jwt);
        body.put("access_token", jwt);
        body.put("expires_in", RegistryTokens.TTL.toSeconds());
        body.put("issued_at", DateTimeFormatter.ISO_INSTANT.format(clock.instant()));
        return body;
    }
}
