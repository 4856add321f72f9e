package dev.wharf.server;

import dev.wharf.admin.AdminRoutes;
import dev.wharf.dockerhub.HubRoutes;
import dev.wharf.http.Dialect;
import dev.wharf.ionos.IonosRoutes;
import dev.wharf.registry.RegistryApi;

/**
 * Which dialect owns which paths. Every request, including one the server refuses before any dialect runs (a
 * malformed path, headers that are too large), is answered in the shape of the dialect whose path space it is in:
 * <ul>
 *   <li>{@code /v2/<segment>/…} with a Hub segment ({@link HubRoutes#PATH_SPACE}): Docker Hub;</li>
 *   <li>the rest of {@code /v2} and {@code /token}: the OCI registry;</li>
 *   <li>{@code /api/v1/}: Wharf's admin API;</li>
 *   <li>{@code /containerregistries}: the IONOS Container Registry API;</li>
 *   <li>everything else ({@code /healthz}, {@code /metrics}, and the root, which the web UI will own): operations.</li>
 * </ul>
 */
final class PathSpaces {
    private final Dialect hub;
    private final Dialect registry;
    private final Dialect admin;
    private final Dialect operations;
    private final Dialect ionos;

    PathSpaces(Dialect hub, Dialect registry, Dialect admin, Dialect operations, Dialect ionos) {
        this.hub = hub;
        this.registry = registry;
        this.admin = admin;
        this.operations = operations;
        this.ionos = ionos;
    }

    /** The dialect that owns a raw request path (null or unparseable paths belong to operations). */
    Dialect dialectFor(String path) {
        if (path == null) {
            return operations;
        }
        if (path.equals("/v2") || path.startsWith("/v2/")) {
            int end = path.indexOf('/', 4);
            String segment = end < 0 ? path.substring(Math.min(4, path.length())) : path.substring(4, end);
            return HubRoutes.PATH_SPACE.contains(segment) ? hub : registry;
        }
        for (String prefix : RegistryApi.PREFIXES) {
            if (path.equals(prefix) || path.startsWith(prefix + "/")) {
                return registry;
            }
        }
        if (path.startsWith(AdminRoutes.PREFIX) || path.equals(AdminRoutes.PREFIX.substring(0,
                AdminRoutes.PREFIX.length() - 1))) {
            return admin;
        }
        if (IonosRoutes.owns(path)) {
            return ionos;
        }
        return operations;
    }
}
