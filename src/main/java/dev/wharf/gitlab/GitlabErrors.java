package dev.wharf.gitlab;

import dev.wharf.core.DomainException;
import dev.wharf.http.ErrorMapper;
import dev.wharf.http.FailureStatus;
import dev.wharf.http.HttpError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GitLab dialect's one error-mapping point, in GitLab's bodies: {@code {"message": "401 Unauthorized"}} and the
 * other {@code "<status> <reason>"} messages, {@code {"message": "400 Bad request - <why>"}} for what the domain
 * refuses, Grape's {@code {"error": "<param> is invalid"}} for parameters that do not parse, and the OAuth guard's
 * {@code {"error": "invalid_token" | "insufficient_scope", ...}} with a {@code WWW-Authenticate} header.
 */
final class GitlabErrors implements ErrorMapper {
    /** GitLab's OAuth guard's realm, which clients see in {@code WWW-Authenticate}. */
    private static final String REALM = "Protected by OAuth 2.0";
    static final String EXPIRED = "Token is expired. You can either do re-authorization or token refresh.";
    static final String REVOKED = "Token was revoked. You have to re-authorize from the user.";
    private static final String HIGHER_PRIVILEGES =
            "The request requires higher privileges than provided by the access token.";

    /** A refusal only this dialect words, with its exact response; the domain has no such failure. */
    static final class Refusal extends RuntimeException {
        private final transient HttpError error;

        Refusal(HttpError error) {
            super(String.valueOf(error.status()), null, false, false);
            this.error = error;
        }

        HttpError error() {
            return error;
        }
    }

    /** 401 from the OAuth guard: the token exists but is expired or revoked. */
    static Refusal invalidToken(String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "invalid_token");
        body.put("error_description", description);
        return new Refusal(HttpError.of(401, body).withHeader("WWW-Authenticate", "Bearer realm=\"" + REALM
                + "\", error=\"invalid_token\", error_description=\"" + description + "\""));
    }

    /** 403 from the OAuth guard: the token lacks every one of {@code scopes}. */
    static Refusal insufficientScope(List<String> scopes) {
        String scope = String.join(" ", scopes);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "insufficient_scope");
        body.put("error_description", HIGHER_PRIVILEGES);
        body.put("scope", scope);
        return new Refusal(HttpError.of(403, body).withHeader("WWW-Authenticate", "Bearer realm=\"" + REALM
                + "\", error=\"insufficient_scope\", error_description=\"" + HIGHER_PRIVILEGES + "\", scope=\""
                + scope + "\""));
    }

    /** Grape's answer to a parameter that does not parse or is missing: {@code {"error": "<param> <problem>"}}. */
    static Refusal parameter(String name, String problem) {
        return new Refusal(HttpError.of(400, Map.of("error", name + " " + problem)));
    }

    /** {@code {"message": "400 Bad request - <why>"}}, or {@code "400 Bad request"} alone when why is null. */
    static Refusal badRequest(String why) {
        return new Refusal(HttpError.of(400, message(why == null ? "400 Bad request" : "400 Bad request - " + why)));
    }

    /** {@code {"message": "404 <what> Not Found"}}, as GitLab's {@code not_found!(what)}. */
    static Refusal notFound(String what) {
        return new Refusal(HttpError.of(404, message("404 " + what + " Not Found")));
    }

    @Override
    public HttpError map(String path, Throwable failure) {
        if (failure instanceof Refusal refusal) {
            return refusal.error();
        }
        int status = FailureStatus.of(failure);
        if (failure instanceof DomainException.Invalid invalid) {
            return HttpError.of(400, message("400 Bad request - " + invalid.getMessage()));
        }
        if (failure instanceof DomainException.Conflict conflict) {
            return HttpError.of(400, message("400 Bad request - " + conflict.getMessage()));
        }
        HttpError error = HttpError.of(status, message(switch (status) {
            case 401 -> "401 Unauthorized";
            case 403 -> "403 Forbidden";
            case 404 -> "404 Not Found";
            case 405 -> "405 Method Not Allowed";
            case 408 -> "408 Request Timeout";
            case 413 -> "413 Request Entity Too Large";
            case 429 -> "429 Too Many Requests";
            case 503 -> "503 Service Unavailable";
            default -> "500 Internal Server Error";
        }));
        return error.withFailureHeaders(failure);
    }

    private static Map<String, Object> message(String text) {
        return Map.of("message", text);
    }
}
