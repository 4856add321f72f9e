package dev.wharf.accounts;

import java.util.List;

/** One page of a listing, with the number of items in the whole listing. */
public record Page<T>(long total, List<T> items) {
}
