package dev.wharf.dockerhub;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.wharf.access.AccessPolicy;
import dev.wharf.accounts.Account;
import dev.wharf.accounts.NamespaceSettings.RestrictedImages;
import dev.wharf.accounts.NamespaceSettingsStore;
import dev.wharf.auth.Principal;
import dev.wharf.core.DomainException;
import dev.wharf.core.Validation;
import dev.wharf.http.Requests;
import dev.wharf.http.Routed;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Docker Hub's organization settings, {@code /v2/orgs/{name}/settings}: the restricted-images policy, which members
 * may read and owners may change. The registry enforces it (see {@code access.ImageRestrictions}).
 */
final class OrgSettingsApi {
    private static final String REQUIRED = "This field is required.";

    private final NamespaceSettingsStore settings;
    private final AccessPolicy policy;
    private final Requests requests;

    OrgSettingsApi(NamespaceSettingsStore settings, AccessPolicy policy, Requests requests) {
        this.settings = settings;
        this.policy = policy;
        this.requests = requests;
    }

    private record SettingsBody(@JsonProperty("restricted_images") RestrictedImagesBody restrictedImages) {
    }

    private record RestrictedImagesBody(Boolean enabled,
                                        @JsonProperty("allow_official_images") Boolean allowOfficialImages,
                                        @JsonProperty("allow_verified_publishers") Boolean allowVerifiedPublishers) {
    }

    void get(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        Account org = org(ctx);
        if (!policy.memberOf(p, org)) {
            throw new DomainException.Forbidden("Only members of the organization may read its settings.");
        }
        ctx.json(json(settings.get(org.id()).restrictedImages()));
    }

    /** {@code PUT}: every field is required, as Hub's schema says; owners only. */
    void put(Context ctx) {
        Principal p = HubAuth.principal(ctx);
        Account org = org(ctx);
        if (!policy.administers(p, org)) {
            throw new DomainException.Forbidden("Only owners of the organization may change its settings.");
        }
        RestrictedImagesBody body = requests.body(ctx, SettingsBody.class).restrictedImages();
        Validation v = new Validation().check(body != null, "restricted_images", REQUIRED);
        if (body != null) {
            v.check(body.enabled() != null, "restricted_images.enabled", REQUIRED)
                    .check(body.allowOfficialImages() != null, "restricted_images.allow_official_images", REQUIRED)
                    .check(body.allowVerifiedPublishers() != null, "restricted_images.allow_verified_publishers",
                            REQUIRED);
        }
        v.throwIfInvalid();
        RestrictedImages stored = settings.saveRestrictedImages(org, new RestrictedImages(body.enabled(),
                body.allowOfficialImages(), body.allowVerifiedPublishers()), p.actor()).restrictedImages();
        ctx.json(json(stored));
    }

    /** The organization in the path; a user's name or an unknown one is not found. */
    private Account org(Context ctx) {
        return policy.namespace(Routed.parameter(ctx, "name")).filter(Account::isOrg)
                .orElseThrow(() -> new DomainException.NotFound("organization not found"));
    }

    private static Map<String, Object> json(RestrictedImages policy) {
        Map<String, Object> restricted = new LinkedHashMap<>();
        restricted.put("enabled", policy.enabled());
        restricted.put("allow_official_images", policy.allowOfficialImages());
        restricted.put("allow_verified_publishers", policy.allowVerifiedPublishers());
        return Map.of("restricted_images", restricted);
    }
}
