package dev.wharf.ionos;

import static dev.wharf.ionos.IonosAccess.READ;
import static dev.wharf.ionos.IonosAccess.WRITE;

import dev.wharf.http.Dialect;
import dev.wharf.http.RouteTable;
import dev.wharf.http.Router;
import io.javalin.http.Handler;

/** Every route of the IONOS Container Registry dialect, one line each, with the access it needs. */
public final class IonosRoutes {
    /** The path space this dialect owns: the base path of the spec's server, {@code api.ionos.com/containerregistries}. */
    public static final String PREFIX = "/containerregistries";
    private static final String REGISTRY = PREFIX + "/registries/{registry_id}";
    private static final String TOKEN = REGISTRY + "/tokens/{token_id}";

    private IonosRoutes() {
    }

    public static Dialect dialect(IonosApi ionos) {
        RouteTable<IonosAccess, Handler> routes = new RouteTable<IonosAccess, Handler>()
                .get(PREFIX + "/locations", READ, ionos::locations)
                .head(PREFIX + "/names/{name}", READ, ionos::nameUsage)
                .get(PREFIX + "/registries", READ, ionos::listRegistries)
                .post(PREFIX + "/registries", WRITE, ionos::createRegistry)
                .get(REGISTRY, READ, ionos::getRegistry)
                .put(REGISTRY, WRITE, ionos::putRegistry)
                .patch(REGISTRY, WRITE, ionos::patchRegistry)
                .delete(REGISTRY, WRITE, ionos::deleteRegistry)
                .get(REGISTRY + "/tokens", READ, ionos::listTokens)
                .post(REGISTRY + "/tokens", WRITE, ionos::createToken)
                .get(TOKEN, READ, ionos::getToken)
                .put(TOKEN, WRITE, ionos::putToken)
                .patch(TOKEN, WRITE, ionos::patchToken)
                .delete(TOKEN, WRITE, ionos::deleteToken);
        return new Router<>(routes, ionos.guard()::check, new IonosErrors());
    }
}
