package dev.wharf.web;

import dev.wharf.access.AccessPolicy;
import dev.wharf.accounts.Account;
import dev.wharf.audit.AuditAction;
import dev.wharf.audit.AuditEvent;
import dev.wharf.audit.AuditLog;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.http.Routed;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An account's audit log, newest first, a page at a time, filtered by action, actor, name and days; each event links
 * to what it names where the UI has a page for it. Who may read a log is the access policy's answer, as on the API.
 */
public final class AuditPages {
    static final int PAGE_SIZE = 25;
    static final int FILTER_MAX = 100;

    private final AuditLog audit;
    private final AccessPolicy policy;
    private final Pages pages;

    AuditPages(AuditLog audit, AccessPolicy policy, Pages pages) {
        this.audit = audit;
        this.policy = policy;
        this.pages = pages;
    }

    /** One event, in words, with a link to what it names (null when there is no page for it). */
    public record Event(String when, String action, String actor, String description, String link) {
    }

    /** The log's page, with the filters that chose it and the query string that keeps them across pages. */
    public record AuditPage(Chrome chrome, String account, List<Event> events, List<String> actions, String action,
                            String actor, String name, String from, String to, int page, boolean more,
                            String filterQuery) {
    }

    void home(Context ctx) {
        ctx.redirect("/audit/" + WebAuth.signedIn(ctx).principal().username(), HttpStatus.SEE_OTHER);
    }

    void list(Context ctx) {
        WebAuth.SignedIn s = WebAuth.signedIn(ctx);
        Principal p = s.principal();
        Account account = policy.namespace(Routed.parameter(ctx, "account"))
                .filter(a -> policy.administers(p, a))
                .orElseThrow(() -> new DomainException.NotFound("There is no audit log here that you may read."));
        String action = filter(ctx, "action");
        if (action != null && Arrays.stream(AuditAction.values()).noneMatch(a -> a.fullName().equals(action))) {
            throw new DomainException.Invalid("action", "Choose one of the listed actions.");
        }
        String actor = filter(ctx, "actor");
        String name = filter(ctx, "name");
        String from = filter(ctx, "from");
        String to = filter(ctx, "to");
        int page = Paging.page(ctx);
        List<AuditEvent> found = audit.query(account.logOwner(), new AuditLog.Filter(action, name, actor,
                day(from, "from", 0), day(to, "to", 1), page, PAGE_SIZE));
        List<Event> events = found.stream().map(e -> new Event(Sizes.when(e.timestamp()), e.action(), e.actor(),
                e.describe(), link(e))).toList();
        Map<String, String> query = new LinkedHashMap<>();
        query.put("action", action);
        query.put("actor", actor);
        query.put("name", name);
        query.put("from", from);
        query.put("to", to);
        String filterQuery = query.entrySet().stream().filter(e -> e.getValue() != null)
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        pages.render(ctx, "audit.jte", new AuditPage(Chrome.of("Audit log of " + account.name(), s), account.name(),
                events, Arrays.stream(AuditAction.values()).map(AuditAction::fullName).toList(),
                orEmpty(action), orEmpty(actor), orEmpty(name), orEmpty(from), orEmpty(to), page,
                // A full page may have older events after it; counting the whole log to know would cost more.
                found.size() == PAGE_SIZE, filterQuery));
    }

    /** The page of what an event names: a repository, or the tokens page for a personal token. */
    private static String link(AuditEvent e) {
        if (e.action().startsWith("repo.") && !e.action().equals("repo.delete") && e.name().contains("/")) {
            return "/repositories/" + e.name();
        }
        if (e.action().startsWith("user.access_token.")) {
            return "/tokens";
        }
        return null;
    }

    private static String filter(Context ctx, String field) {
        String value = ctx.queryParam(field);
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > FILTER_MAX) {
            throw new DomainException.Invalid(field, "At most " + FILTER_MAX + " characters.");
        }
        return value.trim();
    }

    /** The start of a day (plus {@code days}) in UTC, from the date inputs' yyyy-mm-dd. */
    private static OffsetDateTime day(String value, String field, int days) {
        if (value == null) {
            return null;
        }
        try {
            return LocalDate.parse(value).plusDays(days).atStartOfDay().atOffset(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new DomainException.Invalid(field, "A date is written yyyy-mm-dd.");
        }
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
