package dev.wharf;

import dev.wharf.config.ConfigResolver;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code wharf} command: the server and the command-line client in one jar. */
@Command(name = "wharf", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Wharf: a self-hosted container hub.",
        subcommands = {ServeCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with Wharf's error handling: usage errors exit 2, expected failures print one line. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof ConfigResolver.ConfigException) {
                cmd.getErr().println("wharf: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cli;
    }

    /** Reports the jar's version from its manifest. */
    public static final class Version implements CommandLine.IVersionProvider {
        public static String current() {
            String v = Main.class.getPackage().getImplementationVersion();
            return v == null ? "dev" : v;
        }

        @Override
        public String[] getVersion() {
            return new String[] {"wharf " + current()};
        }
    }
}
