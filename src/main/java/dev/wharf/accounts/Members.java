package dev.wharf.accounts;

import dev.wharf.core.Like;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/** The members of an organization as lists: searched, filtered by role, paged, or all of them for an export. */
public final class Members {
    private static final int EXPORT_BATCH = 500;

    private final Jdbi jdbi;
    private final Teams teams;

    /** One member with their role, when they joined the organization, and the names of their teams in it. */
    public record Member(Account user, Role role, OffsetDateTime joinedAt, List<String> teams) {
    }

    /** Which members a listing holds: null fields do not filter. */
    public record Filter(String search, Role role) {
        public static final Filter ALL = new Filter(null, null);
    }

    private record Row(Account user, Role role, OffsetDateTime joinedAt) {
    }

    public Members(Jdbi jdbi, Teams teams) {
        this.jdbi = jdbi;
        this.teams = teams;
    }

    /** The members by name, at {@code offset}, at most {@code limit}. */
    public Page<Member> list(Account org, Filter filter, long offset, int limit) {
        String where = where(filter, null);
        Page<Row> rows = jdbi.withHandle(h -> new Page<>(
                bound(h.createQuery("SELECT COUNT(*)" + where), org, filter, null).mapTo(Long.class).one(),
                bound(h.createQuery(select(where) + " LIMIT :limit OFFSET :offset"), org, filter, null)
                        .bind("limit", limit).bind("offset", offset).map(Members::row).list()));
        return new Page<>(rows.total(), withTeams(org, rows.items()));
    }

    /** The user's membership of the organization, if they are a member. */
    public Optional<Member> find(Account org, Account user) {
        List<Row> rows = jdbi.withHandle(h -> bound(h.createQuery(select(where(Filter.ALL, null)
                + " AND m.user_id = :u")), org, Filter.ALL, null).bind("u", user.id()).map(Members::row).list());
        return withTeams(org, rows).stream().findFirst();
    }

    /** Every member, by name, read in bounded batches so that an export of any size holds one batch at a time. */
    public void each(Account org, Consumer<Member> out) {
        String after = "";
        while (true) {
            String last = after;
            List<Row> rows = jdbi.withHandle(h -> bound(h.createQuery(select(where(Filter.ALL, last))
                    + " LIMIT :limit"), org, Filter.ALL, last).bind("limit", EXPORT_BATCH).map(Members::row).list());
            withTeams(org, rows).forEach(out);
            if (rows.size() < EXPORT_BATCH) {
                return;
            }
            after = rows.get(rows.size() - 1).user().name();
        }
    }

    private static String where(Filter filter, String after) {
        return " FROM org_members m JOIN accounts a ON a.id = m.user_id WHERE m.org_id = :o"
                + (filter.role() == null ? "" : " AND m.role = :role")
                + (filter.search() == null ? "" : " AND a.name LIKE :search ESCAPE '!'")
                + (after == null ? "" : " AND a.name > :after");
    }

    private static String select(String where) {
        return "SELECT " + Accounts.columns("a") + ", m.role, m.added_at" + where + " ORDER BY a.name";
    }

    private static Query bound(Query query, Account org, Filter filter, String after) {
        query.bind("o", org.id());
        if (filter.role() != null) {
            query.bind("role", filter.role().wireName());
        }
        if (filter.search() != null) {
            query.bind("search", Like.containing(filter.search()));
        }
        if (after != null) {
            query.bind("after", after);
        }
        return query;
    }

    private static Row row(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Row(Accounts.map(rs, ctx), Role.parse(rs.getString("role")),
                rs.getObject("added_at", OffsetDateTime.class));
    }

    private List<Member> withTeams(Account org, List<Row> rows) {
        Map<Long, List<String>> names = teams.teamNames(org, rows.stream().map(r -> r.user().id()).toList());
        List<Member> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(new Member(r.user(), r.role(), r.joinedAt(), names.getOrDefault(r.user().id(), List.of())));
        }
        return out;
    }
}
