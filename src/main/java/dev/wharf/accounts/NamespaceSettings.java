package dev.wharf.accounts;

import dev.wharf.core.Cidr;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * How an organization's namespace is run as a registry.
 *
 * @param allowedNetworks client networks its robot credentials may be used from; empty: any
 * @param gcSchedule      when garbage collection should run, or null for never (garbage collection reads it)
 * @param updatedBy       the name of who last changed them, null when nobody has
 */
public record NamespaceSettings(long orgId, List<Cidr> allowedNetworks, Schedule gcSchedule,
                                boolean vulnerabilityScanning, OffsetDateTime updatedAt, Long updatedById,
                                String updatedBy) {
    /** At most this many networks, as IONOS allows. */
    public static final int MAX_NETWORKS = 25;

    /** Weekly: on these days, at this UTC time. */
    public record Schedule(List<DayOfWeek> days, LocalTime time) {
        public Schedule {
            days = List.copyOf(days);
        }
    }

    public NamespaceSettings {
        allowedNetworks = List.copyOf(allowedNetworks);
    }

    /** The settings of an organization nobody has configured. */
    public static NamespaceSettings defaults(long orgId) {
        return new NamespaceSettings(orgId, List.of(), null, false, null, null, null);
    }

    /** Whether a robot credential of this namespace may be used from {@code clientIp}. */
    public boolean allows(String clientIp) {
        if (allowedNetworks.isEmpty()) {
            return true;
        }
        for (Cidr network : allowedNetworks) {
            if (network.contains(clientIp)) {
                return true;
            }
        }
        return false;
    }
}
