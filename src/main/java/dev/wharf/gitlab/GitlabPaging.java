package dev.wharf.gitlab;

import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * GitLab's offset pagination: {@code page} (default 1) and {@code per_page} (default 20, at most 100; larger values
 * are cut to 100 as GitLab does, and a value below 1 means the first page or the default size), answered with the
 * {@code X-Page}, {@code X-Per-Page}, {@code X-Total}, {@code X-Total-Pages}, {@code X-Next-Page},
 * {@code X-Prev-Page} and {@code Link} headers. The totals are always sent (GitLab leaves them out above 10,000
 * rows; Wharf counts every listing).
 */
record GitlabPaging(long page, int perPage) {
    static final int DEFAULT_PER_PAGE = 20;
    static final int MAX_PER_PAGE = 100;
    /** Pages beyond this are empty anyway; the bound keeps the offset far from overflowing. */
    private static final long MAX_PAGE = 100_000_000L;

    static GitlabPaging from(Context ctx) {
        long page = number(ctx.queryParam("page"), "page", 1);
        long perPage = number(ctx.queryParam("per_page"), "per_page", DEFAULT_PER_PAGE);
        return new GitlabPaging(Math.min(Math.max(page, 1), MAX_PAGE),
                perPage < 1 ? DEFAULT_PER_PAGE : (int) Math.min(perPage, MAX_PER_PAGE));
    }

    long offset() {
        return (page - 1) * perPage;
    }

    /** Writes the paging headers for a listing of {@code total} items at {@code url} (no query string). */
    void writeHeaders(Context ctx, String url, long total) {
        // As Kaminari: a page past the end has neither neighbour; GitLab counts at least one page in the headers.
        long pages = (total + perPage - 1) / perPage;
        long totalPages = Math.max(1, pages);
        boolean hasNext = page < pages;
        boolean hasPrev = page > 1 && page <= pages;
        ctx.header("X-Page", String.valueOf(page));
        ctx.header("X-Per-Page", String.valueOf(perPage));
        ctx.header("X-Total", String.valueOf(total));
        ctx.header("X-Total-Pages", String.valueOf(totalPages));
        ctx.header("X-Next-Page", hasNext ? String.valueOf(page + 1) : "");
        ctx.header("X-Prev-Page", hasPrev ? String.valueOf(page - 1) : "");
        List<String> links = new ArrayList<>();
        if (hasPrev) {
            links.add(link(ctx, url, page - 1, "prev"));
        }
        if (hasNext) {
            links.add(link(ctx, url, page + 1, "next"));
        }
        links.add(link(ctx, url, 1, "first"));
        links.add(link(ctx, url, totalPages, "last"));
        ctx.header("Link", String.join(", ", links));
    }

    /**
     * One {@code Link} entry: the same query with another page. {@code private_token} is left out, so that a
     * secret given in the query is not copied into headers that proxies and clients log.
     */
    private String link(Context ctx, String url, long target, String rel) {
        Map<String, List<String>> params = new LinkedHashMap<>(ctx.queryParamMap());
        params.remove("private_token");
        params.put("page", List.of(String.valueOf(target)));
        params.put("per_page", List.of(String.valueOf(perPage)));
        String query = params.entrySet().stream()
                .flatMap(e -> e.getValue().stream().map(v -> encode(e.getKey()) + "=" + encode(v)))
                .collect(Collectors.joining("&"));
        return "<" + url + "?" + query + ">; rel=\"" + rel + "\"";
    }

    /** A whole number as Grape's Integer reads it; a number too large to hold is simply large. */
    private static long number(String raw, String name, long fallback) {
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        String value = raw.trim();
        if (!value.matches("[-+]?\\d{1,1000}")) {
            throw GitlabErrors.parameter(name, "is invalid");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException tooLarge) {
            return value.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
