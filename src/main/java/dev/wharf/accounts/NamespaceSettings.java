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
 * @param restrictedImages  what the organization's members may pull (see {@code access.ImageRestrictions})
 * @param verifiedPublisher whether a site admin has marked the organization as a verified publisher
 */
public record NamespaceSettings(long orgId, List<Cidr> allowedNetworks, Schedule gcSchedule,
                                boolean vulnerabilityScanning, OffsetDateTime updatedAt, Long updatedById,
                                String updatedBy, RestrictedImages restrictedImages, boolean verifiedPublisher) {
    /** At most this many networks, as IONOS allows. */
    public static final int MAX_NETWORKS = 25;

    /** Weekly: on these days, at this UTC time. */
    public record Schedule(List<DayOfWeek> days, LocalTime time) {
        public Schedule {
            days = List.copyOf(days);
        }
    }

    /**
     * An organization's restricted-images policy, Docker Hub's {@code restricted_images} setting.
     *
     * @param enabled                 whether its members may pull only what the policy allows
     * @param allowOfficialImages     whether that includes the official images, {@code library/*}
     * @param allowVerifiedPublishers whether that includes the namespaces marked as verified publishers
     */
    public record RestrictedImages(boolean enabled, boolean allowOfficialImages, boolean allowVerifiedPublishers) {
        /** An organization that never set the policy: off; turned on, it would allow official and verified. */
        public static final RestrictedImages DEFAULT = new RestrictedImages(false, true, true);
    }

    public NamespaceSettings {
        allowedNetworks = List.copyOf(allowedNetworks);
    }

    /**
     * The registry settings that {@link NamespaceSettingsStore#save} writes; the restricted-images policy and the
     * verified mark have their own writers, so they take their defaults here.
     */
    public NamespaceSettings(long orgId, List<Cidr> allowedNetworks, Schedule gcSchedule,
                             boolean vulnerabilityScanning, OffsetDateTime updatedAt, Long updatedById,
                             String updatedBy) {
        this(orgId, allowedNetworks, gcSchedule, vulnerabilityScanning, updatedAt, updatedById, updatedBy,
                RestrictedImages.DEFAULT, false);
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
