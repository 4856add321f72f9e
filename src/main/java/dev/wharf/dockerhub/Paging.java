package dev.wharf.dockerhub;

import dev.wharf.core.Validation;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Django-REST-style paging as Docker Hub does it: 1-based {@code page}, bounded {@code page_size}, and absolute
 * {@code next}/{@code previous} links that keep every other query parameter.
 */
public record Paging(int page, int pageSize) {

    /** Reads and validates {@code page} and {@code page_size}; both problems are reported together. */
    public static Paging from(Context ctx, int defaultSize, int maxSize) {
        Validation v = new Validation();
        Integer page = parse(ctx.queryParam("page"), 1);
        Integer size = parse(ctx.queryParam("page_size"), defaultSize);
        v.check(page != null && page >= 1, "page", "A valid integer of at least 1 is required.");
        v.check(size != null && size >= 1 && size <= maxSize, "page_size",
                "A valid integer from 1 to " + maxSize + " is required.");
        v.throwIfInvalid();
        return new Paging(page, size);
    }

    private static Integer parse(String raw, int fallback) {
        if (raw == null || raw.isEmpty()) {
            return fallback;
        }
        try {
            return Integer.valueOf(raw.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** How many items come before this page. */
    public long offset() {
        return (long) (page - 1) * pageSize;
    }

    /**
     * Hub's page body: the total under {@code totalField} ({@code count}, or {@code total} for the org tokens),
     * absolute {@code next} and {@code previous} links, and {@code results}.
     */
    public Map<String, Object> body(Context ctx, String baseUrl, String totalField, long total, List<?> results) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(totalField, total);
        out.put("next", link(ctx, baseUrl, page + 1, total));
        out.put("previous", link(ctx, baseUrl, page - 1, total));
        out.put("results", results);
        return out;
    }

    public boolean hasNext(long total) {
        return (long) page * pageSize < total;
    }

    /** The absolute URL of page {@code target} of this listing, or null when {@code target} is out of range. */
    public String link(Context ctx, String baseUrl, int target, long total) {
        if (target < 1 || (target == page + 1 && !hasNext(total))) {
            return null;
        }
        Map<String, List<String>> params = new LinkedHashMap<>(ctx.queryParamMap());
        params.put("page", List.of(String.valueOf(target)));
        params.put("page_size", List.of(String.valueOf(pageSize)));
        String query = params.entrySet().stream()
                .flatMap(e -> e.getValue().stream().map(v -> encode(e.getKey()) + "=" + encode(v)))
                .collect(Collectors.joining("&"));
        return baseUrl + ctx.path() + "?" + query;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
