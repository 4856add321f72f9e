package dev.wharf.web;

import dev.wharf.core.DomainException;
import io.javalin.http.Context;

/** The {@code page} query parameter of every list, from 1, and how many pages a total makes. */
final class Paging {
    static final int MAX_PAGE = 100_000;

    private Paging() {
    }

    static int page(Context ctx) {
        return page(ctx, "page");
    }

    /** The page a list shows when one screen has several lists, each paged by its own parameter. */
    static int page(Context ctx, String parameter) {
        String value = ctx.queryParam(parameter);
        if (value == null) {
            return 1;
        }
        try {
            int page = Integer.parseInt(value);
            if (page >= 1 && page <= MAX_PAGE) {
                return page;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new DomainException.Invalid(parameter, "The page must be a number from 1 to " + MAX_PAGE + ".");
    }

    /** Where page {@code page} of {@code pageSize} items starts. */
    static long offset(int page, int pageSize) {
        return (long) (page - 1) * pageSize;
    }

    static int pages(long total, int pageSize) {
        return (int) Math.max(1, (total + pageSize - 1) / pageSize);
    }
}
