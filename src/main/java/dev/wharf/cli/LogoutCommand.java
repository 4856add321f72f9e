package dev.wharf.cli;

import picocli.CommandLine.Command;

/** {@code wharf logout}: forgets the saved session. */
@Command(name = "logout",
        description = "Remove the saved session (server URL, username and session token).")
public final class LogoutCommand extends ClientCommand {
    @Override
    public Integer call() {
        SessionStore store = new SessionStore(env.configDir());
        String server;
        try {
            server = store.load().map(SessionStore.Saved::url).orElse(null);
        } catch (CliException damaged) {
            server = null;
        }
        if (store.delete()) {
            env.out().println(server == null ? "Logged out." : "Logged out of " + server + ".");
        } else {
            env.out().println("Not logged in.");
        }
        return 0;
    }
}
