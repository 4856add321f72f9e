package dev.wharf.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.core.DomainException;
import dev.wharf.http.Requests;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A request's parameters as Grape reads them: from the query string, else from a JSON object body or a form body.
 * Values are bounded; a value of the wrong type is Grape's {@code {"error": "<param> is invalid"}}.
 */
final class GitlabParams {
    static final int MAX_VALUE = 1024;
    static final int MAX_LIST = 32;

    private final Context ctx;
    private final JsonNode json;
    private final boolean form;

    private GitlabParams(Context ctx, JsonNode json) {
        this.ctx = ctx;
        this.json = json;
        this.form = isForm(ctx);
    }

    /** The parameters of a request that may have a body. */
    static GitlabParams of(Context ctx, Requests requests) {
        String type = mediaType(ctx);
        JsonNode json = null;
        if (type.startsWith("application/json") && ctx.req().getContentLengthLong() != 0) {
            try {
                json = requests.body(ctx, JsonNode.class);
            } catch (DomainException.Invalid e) {
                throw GitlabErrors.badRequest("The request body is not valid JSON");
            }
            if (!json.isObject()) {
                throw GitlabErrors.badRequest("The request body must be a JSON object");
            }
        }
        return new GitlabParams(ctx, json);
    }

    /** The parameters of the query string alone. */
    static GitlabParams query(Context ctx) {
        return new GitlabParams(ctx, null);
    }

    /** A text parameter, or null when it is absent. */
    String text(String name) {
        String value = ctx.queryParam(name);
        if (value == null && json != null && json.has(name) && !json.get(name).isNull()) {
            JsonNode node = json.get(name);
            if (!node.isTextual() && !node.isNumber()) {
                throw GitlabErrors.parameter(name, "is invalid");
            }
            value = node.asText();
        }
        if (value == null && form) {
            value = ctx.formParam(name);
        }
        if (value != null && value.length() > MAX_VALUE) {
            throw GitlabErrors.parameter(name, "is invalid");
        }
        return value;
    }

    /** A list parameter: {@code name[]=a&name[]=b} (or {@code name=a}) in a query or form, or a JSON array. */
    List<String> list(String name) {
        List<String> values = new ArrayList<>(ctx.queryParams(name + "[]"));
        values.addAll(ctx.queryParams(name));
        if (values.isEmpty() && json != null && json.has(name)) {
            JsonNode node = json.get(name);
            if (node.isTextual()) {
                values.add(node.asText());
            } else if (node.isArray()) {
                for (JsonNode item : node) {
                    if (!item.isTextual()) {
                        throw GitlabErrors.parameter(name, "is invalid");
                    }
                    values.add(item.asText());
                }
            } else if (!node.isNull()) {
                throw GitlabErrors.parameter(name, "is invalid");
            }
        }
        if (values.isEmpty() && form) {
            values.addAll(ctx.formParams(name + "[]"));
            values.addAll(ctx.formParams(name));
        }
        if (values.size() > MAX_LIST || values.stream().anyMatch(v -> v.length() > MAX_VALUE)) {
            throw GitlabErrors.parameter(name, "is invalid");
        }
        return values;
    }

    /** The raw Content-Type, lower case: the servlet's parsed one throws on a charset Java does not know. */
    private static String mediaType(Context ctx) {
        String type = ctx.header("Content-Type");
        return type == null ? "" : type.trim().toLowerCase(Locale.ROOT);
    }

    /** Whether the body is a form; one in a charset Java cannot decode is Grape's 400, not a failure. */
    private static boolean isForm(Context ctx) {
        if (!mediaType(ctx).startsWith("application/x-www-form-urlencoded")) {
            return false;
        }
        try {
            var unused = ctx.formParamMap();
        } catch (IllegalArgumentException unknownCharset) {
            throw GitlabErrors.badRequest("The request body's charset is not supported");
        }
        return true;
    }
}
