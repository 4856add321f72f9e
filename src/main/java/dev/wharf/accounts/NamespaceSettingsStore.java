package dev.wharf.accounts;

import dev.wharf.audit.Actor;
import dev.wharf.core.Cidr;
import dev.wharf.core.Nulls;
import dev.wharf.core.ShortCache;
import dev.wharf.core.Timestamps;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * Organizations' namespace settings. Read on every use of a robot credential, through a one-second cache that this
 * node invalidates at once when the settings change.
 */
public final class NamespaceSettingsStore {
    private static final Duration CACHE_TTL = Duration.ofSeconds(1);
    private static final long CACHE_BYTES = 2L * 1024 * 1024;

    private final Jdbi jdbi;
    private final Clock clock;
    private final ShortCache<Long, NamespaceSettings> cache;

    public NamespaceSettingsStore(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.cache = new ShortCache<>(CACHE_TTL, CACHE_BYTES, (k, v) -> 200 + 60 * v.allowedNetworks().size(), clock);
    }

    /** The organization's settings; the defaults when none were stored. */
    public NamespaceSettings get(long orgId) {
        return cache.get(orgId, id -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT allowed_networks, gc_days, gc_time, vulnerability_scanning, updated_at, updated_by_id,"
                                + " updated_by FROM namespace_settings WHERE org_id = :o")
                .bind("o", id)
                .map((rs, ctx) -> {
                    long by = rs.getLong("updated_by_id");
                    Long byId = rs.wasNull() ? null : by;
                    return new NamespaceSettings(id, networks(rs.getString("allowed_networks")),
                            schedule(rs.getString("gc_days"), rs.getString("gc_time")),
                            rs.getBoolean("vulnerability_scanning"), rs.getObject("updated_at", OffsetDateTime.class),
                            byId, rs.getString("updated_by"));
                })
                .findOne().orElseGet(() -> NamespaceSettings.defaults(id))));
    }

    /** Stores the settings of {@code settings.orgId()} as changed by {@code actor}; returns them as stored. */
    public NamespaceSettings save(NamespaceSettings settings, Actor actor) {
        OffsetDateTime now = Timestamps.now(clock);
        String networks = settings.allowedNetworks().stream().map(Cidr::text).collect(Collectors.joining(","));
        String days = settings.gcSchedule() == null ? null : settings.gcSchedule().days().stream()
                .map(DayOfWeek::name).collect(Collectors.joining(","));
        String time = settings.gcSchedule() == null ? null : settings.gcSchedule().time().toString();
        jdbi.useTransaction(h -> {
            int updated = h.createUpdate("UPDATE namespace_settings SET allowed_networks = :n, gc_days = :d,"
                            + " gc_time = :t, vulnerability_scanning = :v, updated_at = :at, updated_by_id = :byId,"
                            + " updated_by = :by WHERE org_id = :o")
                    .bind("n", networks).bind("d", Nulls.text(days)).bind("t", Nulls.text(time))
                    .bind("v", settings.vulnerabilityScanning()).bind("at", now)
                    .bind("byId", Nulls.bigint(actor.accountId())).bind("by", actor.name())
                    .bind("o", settings.orgId()).execute();
            if (updated == 0) {
                h.createUpdate("INSERT INTO namespace_settings (org_id, allowed_networks, gc_days, gc_time,"
                                + " vulnerability_scanning, updated_at, updated_by_id, updated_by)"
                                + " VALUES (:o, :n, :d, :t, :v, :at, :byId, :by)")
                        .bind("n", networks).bind("d", Nulls.text(days)).bind("t", Nulls.text(time))
                        .bind("v", settings.vulnerabilityScanning()).bind("at", now)
                        .bind("byId", Nulls.bigint(actor.accountId())).bind("by", actor.name())
                        .bind("o", settings.orgId()).execute();
            }
        });
        cache.invalidate(settings.orgId());
        return get(settings.orgId());
    }

    private static List<Cidr> networks(String stored) {
        if (stored == null || stored.isEmpty()) {
            return List.of();
        }
        return Arrays.stream(stored.split(",", -1)).map(Cidr::parse).flatMap(Optional::stream).toList();
    }

    private static NamespaceSettings.Schedule schedule(String days, String time) {
        if (days == null || time == null) {
            return null;
        }
        List<DayOfWeek> parsed = days.isEmpty() ? List.of()
                : Arrays.stream(days.split(",", -1)).map(DayOfWeek::valueOf).toList();
        return new NamespaceSettings.Schedule(parsed, LocalTime.parse(time));
    }
}
