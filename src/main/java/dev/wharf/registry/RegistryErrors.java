package dev.wharf.registry;

import dev.wharf.core.DomainException;
import dev.wharf.core.Reason;
import dev.wharf.http.ClientGone;
import dev.wharf.http.ErrorMapper;
import dev.wharf.http.HttpError;
import dev.wharf.http.RouteNotFound;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry dialect's one error-mapping point: the spec's envelope {@code {"errors":[{"code","message","detail"}]}}
 * with the status from {@link OciError}. Every domain failure is mapped here, by its class and {@link Reason}.
 */
final class RegistryErrors implements ErrorMapper {

    @Override
    public HttpError map(String path, Throwable failure) {
        if (failure instanceof RegistryException e) {
            HttpError error = error(e.error, e.getMessage());
            for (Map.Entry<String, String> h : e.headers.entrySet()) {
                error = error.withHeader(h.getKey(), h.getValue());
            }
            return error;
        } else if (failure instanceof RouteNotFound missing) {
            return missing.isMethodNotAllowed()
                    ? error(OciError.UNSUPPORTED, missing.method() + " is not supported here")
                            .withHeader("Allow", missing.allowHeader())
                    : error(OciError.NOT_FOUND, missing.getMessage());
        } else if (failure instanceof ClientGone) {
            return error(OciError.REQUEST_TIMEOUT, "the request body ended early or arrived too slowly");
        } else if (failure instanceof DomainException.RateLimited limited) {
            return error(OciError.TOOMANYREQUESTS, "too many failed sign-ins; retry later")
                    .withHeader("Retry-After", String.valueOf(limited.retryAfterSeconds()));
        } else if (failure instanceof DomainException.Unavailable unavailable) {
            OciError code = unavailable.reason() == Reason.STORAGE_FULL ? OciError.INSUFFICIENT_STORAGE
                    : OciError.UNAVAILABLE;
            return error(code, unavailable.getMessage())
                    .withHeader("Retry-After", String.valueOf(unavailable.retryAfterSeconds()));
        } else if (failure instanceof DomainException domain) {
            return error(code(domain), domain.getMessage());
        }
        return error(OciError.UNKNOWN, "internal error");
    }

    private static OciError code(DomainException failure) {
        Reason reason = failure.reason();
        if (failure instanceof DomainException.NotFound) {
            return switch (reason) {
                case BLOB_UNKNOWN -> OciError.BLOB_UNKNOWN;
                case MANIFEST_UNKNOWN -> OciError.MANIFEST_UNKNOWN;
                case MANIFEST_BLOB_UNKNOWN -> OciError.MANIFEST_BLOB_UNKNOWN;
                case UPLOAD_UNKNOWN -> OciError.BLOB_UPLOAD_UNKNOWN;
                default -> OciError.NAME_UNKNOWN;
            };
        } else if (failure instanceof DomainException.Invalid) {
            return switch (reason) {
                case DIGEST_INVALID -> OciError.DIGEST_INVALID;
                case TAG_INVALID -> OciError.TAG_INVALID;
                case MANIFEST_INVALID -> OciError.MANIFEST_INVALID;
                case REPOSITORY_NAME -> OciError.NAME_INVALID;
                default -> OciError.BAD_REQUEST;
            };
        } else if (failure instanceof DomainException.TooLarge) {
            return reason == Reason.MANIFEST_INVALID ? OciError.MANIFEST_TOO_LARGE : OciError.REQUEST_TOO_LARGE;
        } else if (failure instanceof DomainException.Conflict) {
            return reason == Reason.UPLOAD_OFFSET ? OciError.BLOB_UPLOAD_OUT_OF_ORDER : OciError.CONFLICT;
        } else if (failure instanceof DomainException.Unauthenticated) {
            return OciError.UNAUTHORIZED;
        } else if (failure instanceof DomainException.Forbidden) {
            return OciError.DENIED;
        }
        return OciError.UNKNOWN;
    }

    /**
     * One error in the spec's envelope. The message is the specific one when there is one: clients print
     * {@code <code>: <message>} and leave {@code detail} out (skopeo says "name invalid: repository name must start
     * with a namespace", not "name invalid: invalid repository name").
     */
    static HttpError error(OciError error, String detail) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("code", error.code);
        entry.put("message", detail == null || detail.isBlank() ? error.message : detail);
        entry.put("detail", detail);
        return HttpError.of(error.status, Map.of("errors", List.of(entry)));
    }
}
