package dev.wharf.gitlab;

import static dev.wharf.gitlab.GitlabAccess.READ;
import static dev.wharf.gitlab.GitlabAccess.ROTATE;
import static dev.wharf.gitlab.GitlabAccess.SELF;
import static dev.wharf.gitlab.GitlabAccess.SELF_ROTATE;
import static dev.wharf.gitlab.GitlabAccess.WRITE;

import dev.wharf.http.Dialect;
import dev.wharf.http.RouteTable;
import dev.wharf.http.Router;
import io.javalin.http.Handler;

/** Every route of the GitLab dialect, one line each, with the access it needs; {@code self} before {@code :id}. */
public final class GitlabRoutes {
    /** The path space this dialect owns. */
    public static final String PREFIX = "/api/v4/";

    private GitlabRoutes() {
    }

    public static Dialect dialect(GitlabApi gitlab) {
        RouteTable<GitlabAccess, Handler> routes = new RouteTable<GitlabAccess, Handler>()
                .get("/api/v4/personal_access_tokens", READ, gitlab::list)
                .get("/api/v4/personal_access_tokens/self", SELF, gitlab::getSelf)
                .delete("/api/v4/personal_access_tokens/self", SELF, gitlab::revokeSelf)
                .post("/api/v4/personal_access_tokens/self/rotate", SELF_ROTATE, gitlab::rotateSelf)
                .get("/api/v4/personal_access_tokens/{id}", READ, gitlab::get)
                .delete("/api/v4/personal_access_tokens/{id}", WRITE, gitlab::revoke)
                .post("/api/v4/personal_access_tokens/{id}/rotate", ROTATE, gitlab::rotate)
                .post("/api/v4/users/{user_id}/personal_access_tokens", WRITE, gitlab::createForUser)
                .post("/api/v4/user/personal_access_tokens", WRITE, gitlab::createForSelf);
        return new Router<>(routes, gitlab.guard()::check, new GitlabErrors());
    }
}
