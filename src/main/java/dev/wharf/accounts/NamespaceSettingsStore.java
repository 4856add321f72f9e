package dev.wharf.accounts;

import dev.wharf.accounts.NamespaceSettings.RestrictedImages;
import dev.wharf.audit.Actor;
import dev.wharf.audit.AuditAction;
import dev.wharf.audit.AuditLog;
import dev.wharf.core.Cidr;
import dev.wharf.core.Nulls;
import dev.wharf.core.ShortCache;
import dev.wharf.core.Timestamps;
import dev.wharf.core.UniqueViolation;
import dev.wharf.db.Invalidations;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Organizations' namespace settings. Read on every use of a robot credential and on every pull of a member of an
 * organization, through a one-second cache that every node forgets as soon as a change of the settings commits.
 */
public final class NamespaceSettingsStore {
    private static final Duration CACHE_TTL = Duration.ofSeconds(1);
    private static final long CACHE_BYTES = 2L * 1024 * 1024;
    /** The invalidation topic of an organization's settings, keyed by its id. */
    private static final String TOPIC = "namespace-settings";
    private static final String COLUMNS = "allowed_networks, gc_days, gc_time, vulnerability_scanning, updated_at,"
            + " updated_by_id, updated_by, restricted_images, allow_official_images, allow_verified_publishers,"
            + " verified_publisher";

    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Clock clock;
    private final ShortCache<Long, NamespaceSettings> cache;
    private final Invalidations invalidations;

    public NamespaceSettingsStore(Jdbi jdbi, Invalidations invalidations, AuditLog audit, Clock clock) {
        this.jdbi = jdbi;
        this.invalidations = invalidations;
        this.audit = audit;
        this.clock = clock;
        this.cache = new ShortCache<>(CACHE_TTL, CACHE_BYTES, (k, v) -> 200 + 60 * v.allowedNetworks().size(), clock);
        invalidations.subscribe(TOPIC, orgId -> cache.invalidate(Long.parseLong(orgId)), cache::invalidateAll);
    }

    /** The organization's settings; the defaults when none were stored. */
    public NamespaceSettings get(long orgId) {
        return cache.get(orgId, id -> jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + COLUMNS + " FROM namespace_settings WHERE org_id = :o")
                .bind("o", id).map((rs, ctx) -> map(id, rs))
                .findOne().orElseGet(() -> NamespaceSettings.defaults(id))));
    }

    /**
     * Every namespace's garbage collection schedule that is set and names at least one day, read in one query and
     * not cached: what the collection worker checks on each of its turns.
     */
    public List<NamespaceSettings.Schedule> gcSchedules() {
        return jdbi.withHandle(h -> h.createQuery("SELECT gc_days, gc_time FROM namespace_settings"
                        + " WHERE gc_days IS NOT NULL AND gc_days <> '' AND gc_time IS NOT NULL ORDER BY org_id")
                .map((rs, ctx) -> schedule(rs.getString("gc_days"), rs.getString("gc_time")))
                .list());
    }

    /**
     * Stores the registry settings of {@code settings.orgId()} (networks, schedule, scanning) as changed by
     * {@code actor}; returns them as stored.
     */
    public NamespaceSettings save(NamespaceSettings settings, Actor actor) {
        String networks = settings.allowedNetworks().stream().map(Cidr::text).collect(Collectors.joining(","));
        String days = settings.gcSchedule() == null ? null : settings.gcSchedule().days().stream()
                .map(DayOfWeek::name).collect(Collectors.joining(","));
        String time = settings.gcSchedule() == null ? null : settings.gcSchedule().time().toString();
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put("allowed_networks", networks);
        columns.put("gc_days", Nulls.text(days));
        columns.put("gc_time", Nulls.text(time));
        columns.put("vulnerability_scanning", settings.vulnerabilityScanning());
        jdbi.useTransaction(h -> write(h, settings.orgId(), columns, actor));
        return get(settings.orgId());
    }

    /**
     * Stores the organization's restricted-images policy, audited as {@code org.settings.update} with the values
     * before and after; returns the settings as stored.
     */
    public NamespaceSettings saveRestrictedImages(Account org, RestrictedImages policy, Actor actor) {
        jdbi.useTransaction(h -> {
            RestrictedImages before = lockedRow(h, org.id()).map(NamespaceSettings::restrictedImages)
                    .orElse(RestrictedImages.DEFAULT);
            Map<String, Object> columns = new LinkedHashMap<>();
            columns.put("restricted_images", policy.enabled());
            columns.put("allow_official_images", policy.allowOfficialImages());
            columns.put("allow_verified_publishers", policy.allowVerifiedPublishers());
            write(h, org.id(), columns, actor);
            Map<String, String> data = new LinkedHashMap<>();
            data.put("enabled", String.valueOf(policy.enabled()));
            data.put("allow_official_images", String.valueOf(policy.allowOfficialImages()));
            data.put("allow_verified_publishers", String.valueOf(policy.allowVerifiedPublishers()));
            data.put("previous_enabled", String.valueOf(before.enabled()));
            data.put("previous_allow_official_images", String.valueOf(before.allowOfficialImages()));
            data.put("previous_allow_verified_publishers", String.valueOf(before.allowVerifiedPublishers()));
            audit.record(h, org.logOwner(), AuditAction.ORG_SETTINGS_UPDATE, org.name(), actor, data);
        });
        return get(org.id());
    }

    /** Marks the organization as a verified publisher, or removes the mark; audited in its log when it changes. */
    public NamespaceSettings setVerifiedPublisher(Account org, boolean verified, Actor actor) {
        jdbi.useTransaction(h -> {
            boolean before = lockedRow(h, org.id()).map(NamespaceSettings::verifiedPublisher).orElse(false);
            if (before != verified) {
                write(h, org.id(), Map.of("verified_publisher", verified), actor);
                audit.record(h, org.logOwner(), AuditAction.ORG_VERIFIED_PUBLISHER_CHANGE, org.name(), actor,
                        Map.of("verified_publisher", String.valueOf(verified)));
            }
        });
        return get(org.id());
    }

    private static Optional<NamespaceSettings> lockedRow(Handle h, long orgId) {
        return h.createQuery("SELECT " + COLUMNS + " FROM namespace_settings WHERE org_id = :o FOR UPDATE")
                .bind("o", orgId).map((rs, ctx) -> map(orgId, rs)).findOne();
    }

    /**
     * Sets {@code columns} (names from this class, never from input) of the organization's row, creating the row
     * with the other columns' defaults when there is none, and records who changed it; every node forgets the old
     * settings once the transaction commits.
     */
    private void write(Handle h, long orgId, Map<String, Object> columns, Actor actor) {
        invalidations.publish(h, TOPIC, String.valueOf(orgId));
        Map<String, Object> all = new LinkedHashMap<>(columns);
        all.put("updated_at", Timestamps.now(clock));
        all.put("updated_by_id", Nulls.bigint(actor.accountId()));
        all.put("updated_by", actor.name());
        String assignments = all.keySet().stream().map(c -> c + " = :" + c).collect(Collectors.joining(", "));
        int updated = h.createUpdate("UPDATE namespace_settings SET " + assignments + " WHERE org_id = :org_id")
                .bindMap(all).bind("org_id", orgId).execute();
        if (updated == 0) {
            String names = String.join(", ", all.keySet());
            String values = all.keySet().stream().map(c -> ":" + c).collect(Collectors.joining(", "));
            UniqueViolation.asConflict("the namespace settings were changed concurrently; retry",
                    () -> h.createUpdate("INSERT INTO namespace_settings (org_id, " + names + ") VALUES (:org_id, "
                                    + values + ")")
                            .bindMap(all).bind("org_id", orgId).execute());
        }
    }

    private static NamespaceSettings map(long orgId, ResultSet rs) throws SQLException {
        long by = rs.getLong("updated_by_id");
        Long byId = rs.wasNull() ? null : by;
        return new NamespaceSettings(orgId, networks(rs.getString("allowed_networks")),
                schedule(rs.getString("gc_days"), rs.getString("gc_time")),
                rs.getBoolean("vulnerability_scanning"), rs.getObject("updated_at", OffsetDateTime.class),
                byId, rs.getString("updated_by"),
                new RestrictedImages(rs.getBoolean("restricted_images"), rs.getBoolean("allow_official_images"),
                        rs.getBoolean("allow_verified_publishers")),
                rs.getBoolean("verified_publisher"));
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
