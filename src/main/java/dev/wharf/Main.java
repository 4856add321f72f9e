package dev.wharf;

import ch.qos.logback.classic.LoggerContext;
import dev.wharf.cli.ApiCommand;
import dev.wharf.cli.AuditCommand;
import dev.wharf.cli.Cli;
import dev.wharf.cli.CliException;
import dev.wharf.cli.CompletionCommand;
import dev.wharf.cli.Environment;
import dev.wharf.cli.GcCommand;
import dev.wharf.cli.LoginCommand;
import dev.wharf.cli.LogoutCommand;
import dev.wharf.cli.RetentionCommand;
import dev.wharf.cli.RobotsCommand;
import dev.wharf.cli.TokensCommand;
import dev.wharf.config.ConfigResolver;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code wharf} command: the server and the command-line client in one jar. */
@Command(name = "wharf", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Wharf: a self-hosted container hub.",
        subcommands = {ServeCommand.class, LoginCommand.class, LogoutCommand.class, TokensCommand.class,
                RobotsCommand.class, RetentionCommand.class, AuditCommand.class, GcCommand.class, ApiCommand.class,
                CompletionCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        Environment env = Environment.system();
        int code = commandLine(env).execute(args);
        env.flush();
        stopLogging();
        System.exit(code);
    }

    /** Writes out the lines the asynchronous log appender still holds, and stops logging. */
    static void stopLogging() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logs) {
            logs.stop();
        }
    }

    /** The command line with Wharf's error handling: usage errors exit 2, expected failures print one line. */
    public static CommandLine commandLine() {
        return commandLine(Environment.system());
    }

    /** The command line over the given environment (streams, variables, config dir): tests run commands in-process. */
    public static CommandLine commandLine(Environment env) {
        CommandLine cli = new CommandLine(new Main(), Cli.factory(env));
        Cli.configure(cli, env);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof ConfigResolver.ConfigException) {
                cmd.getErr().println("wharf: " + ex.getMessage());
                return 2;
            }
            if (ex instanceof CliException failure) {
                return Cli.report(failure, cmd);
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
