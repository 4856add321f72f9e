package dev.wharf.server;

import dev.wharf.admin.AdminRoutes;
import dev.wharf.dockerhub.HubRoutes;
import dev.wharf.gitlab.GitlabRoutes;
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
 *   <li>{@code /api/v4/}: GitLab;</li>
 *   <li>{@code /containerregistries/}: the IONOS Container Registry API;</li>
 *   <li>{@code /healthz}, {@code /readyz} and {@code /metrics}: operations;</li>
 *   <li>everything else, the root included: the web UI.</li>
 * </ul>
 */
final class PathSpaces {
    private final Dialect hub;
    private final Dialect registry;
    private final Dialect admin;
    private final Dialect gitlab;
    private final Dialect ionos;
    private final Dialect operations;
    private final Dialect web;

    PathSpaces(Dialect hub, Dialect registry, Dialect admin, Dialect gitlab, Dialect ionos, Dialect operations,
               Dialect web) {
        this.hub = hub;
        this.registry = registry;
        this.admin = admin;
        this.gitlab = gitlab;
        this.ionos = ionos;
        this.operations = operations;
        this.web = web;
    }

    /**
     * The dialect that owns a raw request path. A target too broken to have a path belongs to operations, whose JSON
     * suits the API clients that send such requests better than a page would.
     */
    Dialect dialectFor(String path) {
        if (path == null) {
            return operations;
        }
        if (path.equals("/v2") || path.startsWith("/v2/")) {
            int end = path.indexOf('/', 4);
            String segment = end < 0 ? path.substring(Math.min(4, path.length())) : path.substring(4, end);
            return HubRoutes.PATH_SPACE.contains(segment) ? hub : registry;
        }
        if (owns(path, HubRoutes.V1_PREFIX)) {
            return hub;
        }
        for (String prefix : RegistryApi.PREFIXES) {
            if (owns(path, prefix + "/")) {
                return registry;
            }
        }
        if (owns(path, AdminRoutes.PREFIX)) {
            return admin;
        }
        if (owns(path, GitlabRoutes.PREFIX)) {
            return gitlab;
        }
        if (owns(path, IonosRoutes.PREFIX + "/")) {
            return ionos;
        }
        if (OperationsRoutes.PATHS.contains(path)) {
            return operations;
        }
        return web;
    }

    /**
     * The dialect that answers a request the server refused before routing it (a request line or URI it could not
     * parse): the owner of its path, except that the web UI's paths are answered in operations' JSON. Browsers do not
     * send what is refused this early, and for such a request the path Jetty reports is often not the one sent.
     */
    Dialect refusalDialectFor(String path) {
        Dialect owner = dialectFor(path);
        return owner == web ? operations : owner;
    }

    /** Whether {@code path} is in the space under {@code prefix} (which ends with a slash), or is its root. */
    private static boolean owns(String path, String prefix) {
        return path.startsWith(prefix) || path.equals(prefix.substring(0, prefix.length() - 1));
    }
}
