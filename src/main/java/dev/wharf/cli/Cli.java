package dev.wharf.cli;

import picocli.CommandLine;

/**
 * Wires the client commands into a picocli command line: every client command gets the {@link Environment},
 * and every expected failure becomes one line on standard error with exit code 1 or 2.
 */
public final class Cli {
    private Cli() {
    }

    /** A picocli factory that hands the environment to every {@link ClientCommand} it creates. */
    public static CommandLine.IFactory factory(Environment env) {
        CommandLine.IFactory fallback = CommandLine.defaultFactory();
        return new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                K created = fallback.create(cls);
                if (created instanceof ClientCommand command) {
                    command.env = env;
                }
                return created;
            }
        };
    }

    /** Sends output to the environment's streams and makes usage errors one line that exits 2. */
    public static void configure(CommandLine cli, Environment env) {
        cli.setOut(env.out());
        cli.setErr(env.err());
        cli.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            usageLine(cmd, ex.getMessage());
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
    }

    /** Reports a {@link CliException} as one line and returns its exit code. */
    public static int report(CliException e, CommandLine cmd) {
        if (e.isUsage()) {
            usageLine(cmd, e.getMessage());
        } else {
            cmd.getErr().println("wharf: " + e.getMessage());
            cmd.getErr().flush();
        }
        return e.exitCode();
    }

    private static void usageLine(CommandLine cmd, String message) {
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println("wharf: " + message + " (see '" + name + " --help')");
        cmd.getErr().flush();
    }
}
