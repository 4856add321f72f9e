package dev.wharf.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates the images API's responses against seed 004's shapes (the API is absent from {@code dockerhub-api.yaml}):
 * every required field present with its JSON type, nullable only where the seed shows a value that can be absent
 * ({@code next}, {@code previous}, {@code last_pushed}, {@code last_pulled}). Like {@link HubSchema#assertValid}, the
 * shape is chosen by the operation and the status.
 */
public final class ImagesShape {
    /** A JSON type, or a nested shape. */
    private sealed interface Type permits Scalar, Obj, Arr, Nullable {
    }

    private enum Scalar implements Type { STRING, INTEGER, BOOLEAN }

    private record Obj(Map<String, Type> fields) implements Type {
    }

    private record Arr(Type items) implements Type {
    }

    private record Nullable(Type type) implements Type {
    }

    private static Obj obj(Object... nameTypePairs) {
        Map<String, Type> fields = new LinkedHashMap<>();
        for (int i = 0; i < nameTypePairs.length; i += 2) {
            fields.put((String) nameTypePairs[i], (Type) nameTypePairs[i + 1]);
        }
        return new Obj(fields);
    }

    private static final Scalar STRING = Scalar.STRING;
    private static final Scalar INTEGER = Scalar.INTEGER;
    private static final Scalar BOOLEAN = Scalar.BOOLEAN;
    private static final Obj TAG = obj("tag", STRING, "is_current", BOOLEAN);
    private static final Obj IMAGE = obj("namespace", STRING, "repository", STRING, "digest", STRING,
            "tags", new Arr(TAG), "last_pushed", new Nullable(STRING), "last_pulled", new Nullable(STRING),
            "status", STRING);
    private static final Obj IMAGES = page(IMAGE);
    private static final Obj IMAGE_TAGS = page(TAG);
    private static final Obj SUMMARY = obj("active_from", STRING,
            "statistics", obj("total", INTEGER, "active", INTEGER, "inactive", INTEGER));
    private static final Obj DELETED = obj("dry_run", BOOLEAN,
            "metrics", obj("manifest_deletes", INTEGER, "manifest_errors", INTEGER, "tag_deletes", INTEGER,
                    "tag_errors", INTEGER));
    private static final Obj ERROR_INFO = obj("api_call_docker_id", STRING, "api_call_name", STRING,
            "api_call_start", STRING, "api_call_txnid", STRING);
    private static final Obj ERROR = obj("txnid", STRING, "message", STRING, "errinfo", ERROR_INFO);
    private static final Obj DELETION_REFUSED = obj("txnid", STRING, "message", STRING,
            "errinfo", obj("api_call_docker_id", STRING, "api_call_name", STRING, "api_call_start", STRING,
                    "api_call_txnid", STRING, "type", STRING,
                    "details", obj("errors", new Arr(obj("repository", STRING, "digest", STRING, "error", STRING)),
                            "warnings", new Arr(obj("repository", STRING, "digest", STRING, "warning", STRING,
                                    "tags", new Arr(STRING))))));

    private ImagesShape() {
    }

    private static Obj page(Obj item) {
        return obj("count", INTEGER, "next", new Nullable(STRING), "previous", new Nullable(STRING),
                "results", new Arr(item));
    }

    /**
     * Asserts that {@code r} has the shape seed 004 gives its operation and status: 200 bodies per operation, a 400
     * from delete-images that names manifests as {@code details{errors, warnings}}, and every other error as
     * {@code ErrorResponse {txnid, message, errinfo}}.
     */
    public static Http.Response assertValid(Http.Response r) {
        String path = r.path().contains("?") ? r.path().substring(0, r.path().indexOf('?')) : r.path();
        Obj shape;
        if (r.status() == 200) {
            if (path.endsWith("/delete-images") || path.endsWith("/delete-images/")) {
                shape = DELETED;
            } else if (path.matches(".*/images/[^/]+/tags/?")) {
                shape = IMAGE_TAGS;
            } else if (path.matches(".*/images-summary/?")) {
                shape = SUMMARY;
            } else {
                shape = IMAGES;
            }
        } else if (r.status() == 400 && r.json().path("errinfo").path("details").has("errors")) {
            shape = DELETION_REFUSED;
        } else {
            shape = ERROR;
        }
        List<String> problems = new ArrayList<>();
        check(r.json(), shape, "$", problems);
        assertThat(problems).as("seed 004 shape of %s", r).isEmpty();
        return r;
    }

    private static void check(JsonNode node, Type type, String at, List<String> problems) {
        if (type instanceof Nullable nullable) {
            if (!node.isNull()) {
                check(node, nullable.type(), at, problems);
            }
            return;
        }
        if (node == null || node.isMissingNode()) {
            problems.add(at + " is missing");
            return;
        }
        if (type == STRING) {
            expect(node.isTextual(), at, "a string", node, problems);
        } else if (type == INTEGER) {
            expect(node.isIntegralNumber(), at, "an integer", node, problems);
        } else if (type == BOOLEAN) {
            expect(node.isBoolean(), at, "a boolean", node, problems);
        } else if (type instanceof Arr arr) {
            if (expect(node.isArray(), at, "an array", node, problems)) {
                for (int i = 0; i < node.size(); i++) {
                    check(node.get(i), arr.items(), at + "[" + i + "]", problems);
                }
            }
        } else if (type instanceof Obj obj && expect(node.isObject(), at, "an object", node, problems)) {
            obj.fields().forEach((name, fieldType) -> check(node.path(name), fieldType, at + "." + name, problems));
        }
    }

    private static boolean expect(boolean ok, String at, String what, JsonNode node, List<String> problems) {
        if (!ok) {
            problems.add(at + " should be " + what + ", is " + node);
        }
        return ok;
    }
}
