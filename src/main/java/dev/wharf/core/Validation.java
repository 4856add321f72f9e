package dev.wharf.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects per-field validation messages and throws one {@link DomainException.Invalid} holding all of them. */
public final class Validation {
    private final Map<String, List<String>> fields = new LinkedHashMap<>();

    public Validation check(boolean ok, String field, String message) {
        if (!ok) {
            add(field, message);
        }
        return this;
    }

    public Validation add(String field, String message) {
        if (message != null) {
            fields.computeIfAbsent(field, f -> new ArrayList<>()).add(message);
        }
        return this;
    }

    /** Throws when any check failed; the summary names the first problem. */
    public void throwIfInvalid() {
        if (!fields.isEmpty()) {
            Map.Entry<String, List<String>> first = fields.entrySet().iterator().next();
            throw new DomainException.Invalid(first.getKey() + ": " + first.getValue().get(0), fields);
        }
    }
}
