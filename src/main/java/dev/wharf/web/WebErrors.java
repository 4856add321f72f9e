package dev.wharf.web;

import dev.wharf.core.DomainException;
import dev.wharf.http.ClientGone;
import dev.wharf.http.ErrorMapper;
import dev.wharf.http.FailureStatus;
import dev.wharf.http.HttpError;
import dev.wharf.http.RouteNotFound;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The web UI's one error-mapping point: every failure is a page that says what went wrong in words for people, with
 * HTTP's status; a page that needs a signed-in person sends the browser to sign in first, and back afterwards.
 */
public final class WebErrors implements ErrorMapper {
    private final Pages pages;

    WebErrors(Pages pages) {
        this.pages = pages;
    }

    /** What the error page shows. */
    public record ErrorPage(Chrome chrome, int status, String title, String message) {
    }

    /** The page shows who is signed in, when someone is, so that a person can go on from it. */
    @Override
    public HttpError map(Context ctx, Throwable failure) {
        return page(ctx.path(), failure, WebAuth.maybeSignedIn(ctx).orElse(null));
    }

    @Override
    public HttpError map(String path, Throwable failure) {
        return page(path, failure, null);
    }

    private HttpError page(String path, Throwable failure, WebAuth.SignedIn signedIn) {
        if (failure instanceof SignInRequired) {
            String next = path == null || !path.startsWith("/") || path.startsWith("//") ? "/" : path;
            return new HttpError(303, Map.of("Location",
                    "/signin?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8)), null);
        }
        int status = FailureStatus.of(failure);
        Chrome chrome = signedIn == null ? Chrome.anonymous(title(status)) : Chrome.of(title(status), signedIn);
        String html = pages.html("error.jte", new ErrorPage(chrome, status,
                title(status), message(status, failure)));
        return new HttpError(status, Pages.SECURITY_HEADERS, new HttpError.Html(html)).withFailureHeaders(failure);
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "That did not work";
            case 401 -> "Please sign in";
            case 403 -> "Not allowed";
            case 404 -> "Not found";
            case 405 -> "Not allowed here";
            case 409 -> "That clashes with something";
            case 413 -> "Too large";
            case 429 -> "Too many attempts";
            case 503 -> "Unavailable for a moment";
            default -> "Something went wrong";
        };
    }

    private static String message(int status, Throwable failure) {
        if (failure instanceof RouteNotFound missing) {
            return missing.isMethodNotAllowed() ? "This page cannot be used that way." : "There is no such page.";
        } else if (failure instanceof ClientGone) {
            return "The request took too long to arrive.";
        } else if (!(failure instanceof DomainException) || (status >= 500 && status != 503)) {
            return "Wharf could not finish this. The details are in the server's log.";
        }
        return describe((DomainException) failure);
    }

    /** A domain failure in words: its message, or each field's message when it names fields. */
    static String describe(DomainException failure) {
        if (failure instanceof DomainException.Invalid invalid && !invalid.fields().isEmpty()) {
            return invalid.fields().values().stream().flatMap(java.util.List::stream).distinct()
                    .collect(java.util.stream.Collectors.joining(" "));
        }
        return failure.getMessage();
    }
}
