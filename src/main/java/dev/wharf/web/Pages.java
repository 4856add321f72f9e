package dev.wharf.web;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;
import java.util.Map;

/**
 * Renders the web UI's templates, which the build compiled to classes (JTE), and sets the headers every page and
 * asset carries: a Content-Security-Policy that allows this site's own scripts and styles and nothing inline, no
 * framing, no referrer to other sites.
 */
final class Pages {
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    /** The headers of every web response, errors included, also those written before the routes ran. */
    static final Map<String, String> SECURITY_HEADERS = Map.of("Content-Security-Policy", CONTENT_SECURITY_POLICY,
            "X-Frame-Options", "DENY", "Referrer-Policy", "same-origin", "X-Content-Type-Options", "nosniff");

    /** Sets the headers of every web response, errors included. */
    static void secure(Context ctx) {
        SECURITY_HEADERS.forEach(ctx::header);
    }

    /** Writes {@code template} rendered with {@code model} as the response; pages are never cached. */
    void render(Context ctx, String template, Object model) {
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("text/html; charset=utf-8").result(html(template, model));
    }

    /** The page as text, for responses written elsewhere (an error). */
    String html(String template, Object model) {
        StringOutput out = new StringOutput(8192);
        engine.render(template, model, out);
        return out.toString();
    }
}
