package dev.wharf.dockerhub;

import dev.wharf.access.AccessPolicy;
import dev.wharf.accounts.Account;
import dev.wharf.accounts.Accounts;
import dev.wharf.accounts.Members;
import dev.wharf.accounts.Page;
import dev.wharf.accounts.Role;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.core.Validation;
import dev.wharf.http.Json;
import dev.wharf.http.Requests;
import dev.wharf.http.Routed;
import io.javalin.http.Context;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Docker Hub's organization members, {@code /v2/orgs/{org_name}/members}: members read the list, owners export it
 * (it holds email addresses) and change roles. The last owner stays, as in the admin API: {@link Accounts} guards it.
 */
final class OrgsApi {
    static final int MAX_SEARCH = 100;
    private static final String ROLES = "Must be one of: owner, editor, member.";
    private static final List<String> TYPES = List.of("all", "invitee", "member");
    private static final List<String> CSV_HEADER = List.of("Name", "Username", "Email", "Type", "Role", "Teams",
            "Date Joined");
    /** Go's {@code time.Time} text, as Hub's export writes it: {@code 2020-01-01 15:00:51.193355 +0000 UTC}. */
    private static final DateTimeFormatter CSV_TIME = DateTimeFormatter.ofPattern(
            "uuuu-MM-dd HH:mm:ss.SSSSSS '+0000 UTC'");
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'");

    private final Accounts accounts;
    private final Members members;
    private final AccessPolicy policy;
    private final Requests requests;
    private final Clock clock;

    OrgsApi(Accounts accounts, Members members, AccessPolicy policy, Requests requests, Clock clock) {
        this.accounts = accounts;
        this.members = members;
        this.policy = policy;
        this.requests = requests;
        this.clock = clock;
    }

    private record RoleChange(String role) {
    }

    /** {@code GET}: by username; {@code search} matches part of it, {@code role} filters; Wharf has no invitees. */
    void list(Context ctx) {
        Account org = memberOrg(ctx);
        boolean owner = policy.administers(HubAuth.principal(ctx), org);
        Validation v = new Validation();
        String search = search(ctx, v);
        String roleName = ctx.queryParam("role");
        Role role = roleName == null || roleName.isEmpty() ? null : Role.parse(roleName);
        v.check(roleName == null || roleName.isEmpty() || role != null, "role", ROLES);
        String type = ctx.queryParam("type");
        v.check(type == null || type.isEmpty() || TYPES.contains(type), "type",
                "Must be one of: all, invitee, member.");
        Paging paging = Paging.from(ctx, 10, 100);
        v.throwIfInvalid();
        Page<Members.Member> page = "invitee".equals(type) ? new Page<>(0, List.of())
                : members.list(org, new Members.Filter(search, role),
                paging.offset(), paging.pageSize());
        ctx.json(paged(ctx, paging, page, m -> memberJson(m, owner)));
    }

    /** Hub's Django-style page: {@code count}, absolute {@code next} and {@code previous} links, {@code results}. */
    <T> Map<String, Object> paged(Context ctx, Paging paging, Page<T> page, Function<T, Map<String, Object>> item) {
        return paging.body(ctx, requests.baseUrl(ctx), "count", page.total(),
                page.items().stream().map(item).toList());
    }

    /** {@code GET …/export}: every member as CSV with a header row, written in bounded batches as it is read. */
    void export(Context ctx) {
        Account org = ownedOrg(ctx);
        ctx.contentType("text/csv; charset=utf-8");
        ctx.header("Content-Disposition", "attachment;filename=\"" + org.name() + "-members-"
                + FILE_TIME.format(clock.instant().atOffset(ZoneOffset.UTC)) + ".csv\"");
        try {
            Writer out = new BufferedWriter(new OutputStreamWriter(ctx.res().getOutputStream(),
                    StandardCharsets.UTF_8));
            csvRow(out, CSV_HEADER);
            members.each(org, m -> csvRow(out, List.of("", m.user().name(), nullToEmpty(m.user().email()), "User",
                    roleLabel(m.role()), String.join(", ", m.teams()),
                    CSV_TIME.format(m.joinedAt().withOffsetSameInstant(ZoneOffset.UTC)))));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code PUT …/{username}} {@code {role}}: changes an existing member's role; 200 with the member. */
    void update(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        Account org = ownedOrg(ctx);
        RoleChange body = requests.body(ctx, RoleChange.class);
        Role role = Role.parse(body.role());
        if (role == null) {
            throw new DomainException.Invalid("role", body.role() == null ? "This field is required." : ROLES);
        }
        Account user = member(org, Routed.parameter(ctx, "username"));
        accounts.setMember(org, user.name(), role, p.actor());
        ctx.json(memberJson(members.find(org, user)
                .orElseThrow(() -> new DomainException.NotFound("member not found")), true));
    }

    /** {@code DELETE …/{username}}: the member leaves the org and its teams; 204. */
    void remove(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        Account org = ownedOrg(ctx);
        accounts.removeMember(org, member(org, Routed.parameter(ctx, "username")).name(), p.actor());
        ctx.status(204);
    }

    /** The organization in the path, if the caller is one of its members: 404 when there is none, else 403. */
    Account memberOrg(Context ctx) {
        Account org = org(ctx);
        if (!policy.memberOf(HubAuth.principal(ctx), org)) {
            throw new DomainException.Forbidden("Only members of the organization may see this.");
        }
        return org;
    }

    /** The organization in the path, if the caller owns it: 404 when there is none, else 403. */
    Account ownedOrg(Context ctx) {
        Account org = org(ctx);
        if (!policy.administers(HubAuth.principal(ctx), org)) {
            throw new DomainException.Forbidden("Only owners of the organization may do this.");
        }
        return org;
    }

    private Account org(Context ctx) {
        return policy.namespace(Routed.parameter(ctx, "org")).filter(Account::isOrg)
                .orElseThrow(() -> new DomainException.NotFound("organization not found"));
    }

    /** The user of this name if they are a member of the org; a stranger is not found. */
    Account member(Account org, String username) {
        return accounts.find(username).filter(a -> !a.isOrg())
                .filter(a -> accounts.roleOf(org.id(), a.id()).isPresent())
                .orElseThrow(() -> new DomainException.NotFound("member not found"));
    }

    /** The {@code search} query parameter, or null when there is none; at most {@link #MAX_SEARCH} characters. */
    static String search(Context ctx, Validation v) {
        String search = ctx.queryParam("search");
        if (search == null || search.isEmpty()) {
            return null;
        }
        v.check(search.length() <= MAX_SEARCH, "search",
                "Ensure this field has no more than " + MAX_SEARCH + " characters.");
        return search;
    }

    /**
     * Hub's {@code user} object as org and group member lists give it: Wharf keeps no full name, company, location,
     * profile URL or Gravatar, so those are empty; email addresses are for the org's owners only.
     */
    static Map<String, Object> userJson(Account user, boolean withEmail) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", user.uuid().toString().replace("-", ""));
        out.put("company", "");
        out.put("date_joined", Json.time(user.createdAt()));
        out.put("full_name", "");
        out.put("gravatar_email", "");
        out.put("gravatar_url", "");
        out.put("location", "");
        out.put("profile_url", "");
        out.put("type", "User");
        out.put("username", user.name());
        if (withEmail) {
            out.put("email", nullToEmpty(user.email()));
        }
        return out;
    }

    /** Hub's {@code org_member}. Wharf has no verified domains, so nobody is a guest. */
    private static Map<String, Object> memberJson(Members.Member m, boolean withEmail) {
        Map<String, Object> out = userJson(m.user(), withEmail);
        if (withEmail) {
            out.put("primary_email", nullToEmpty(m.user().email()));
        }
        out.put("role", roleLabel(m.role()));
        out.put("groups", m.teams());
        out.put("is_guest", false);
        return out;
    }

    private static String roleLabel(Role role) {
        String name = role.wireName();
        return name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1);
    }

    /** One RFC 4180 row: a field with a comma, quote or line break is quoted, its quotes doubled. */
    private static void csvRow(Writer out, List<String> fields) {
        try {
            for (int i = 0; i < fields.size(); i++) {
                String f = fields.get(i);
                if (i > 0) {
                    out.write(',');
                }
                if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0) {
                    out.write('"');
                    out.write(f.replace("\"", "\"\""));
                    out.write('"');
                } else {
                    out.write(f);
                }
            }
            out.write("\r\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
