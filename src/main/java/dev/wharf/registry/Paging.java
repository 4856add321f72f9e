package dev.wharf.registry;

import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The {@code n}/{@code last} pagination of tags and catalog listings, with the RFC 5988 {@code Link} header that
 * points at the next page.
 *
 * @param n    the page size asked for, or {@link #UNLIMITED} when the client did not ask
 * @param last the last entry of the previous page, or null
 */
record Paging(int n, String last) {
    /** Without {@code n}, the spec asks for everything; this bounds "everything". */
    static final int UNLIMITED = 10_000;

    static Paging of(Context ctx) {
        String rawN = ctx.queryParam("n");
        int n = UNLIMITED;
        if (rawN != null) {
            try {
                n = Integer.parseInt(rawN);
            } catch (NumberFormatException e) {
                throw new RegistryException(OciError.PAGINATION_NUMBER_INVALID, "n must be a non-negative integer");
            }
            if (n < 0) {
                throw new RegistryException(OciError.PAGINATION_NUMBER_INVALID, "n must be a non-negative integer");
            }
            n = Math.min(n, UNLIMITED);
        }
        String last = ctx.queryParam("last");
        return new Paging(n, last == null || last.isEmpty() ? null : last);
    }

    /**
     * Trims a result fetched with {@code n + 1} rows to {@code n} and, when there were more, sets the {@code Link}
     * header to the next page of {@code path}.
     */
    List<String> page(Context ctx, String path, List<String> fetched) {
        if (fetched.size() <= n) {
            return fetched;
        }
        List<String> page = fetched.subList(0, n);
        if (!page.isEmpty()) {
            String next = path + "?n=" + n + "&last=" + URLEncoder.encode(page.get(page.size() - 1),
                    StandardCharsets.UTF_8);
            ctx.header("Link", "<" + next + ">; rel=\"next\"");
        }
        return page;
    }
}
