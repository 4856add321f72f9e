package dev.wharf.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * A client command: it runs in the {@link Environment} that {@link Cli#factory(Environment)} hands it, and has
 * {@code -h/--help} and {@code -V/--version}.
 */
@Command(mixinStandardHelpOptions = true, versionProvider = dev.wharf.Main.Version.class)
abstract class ClientCommand implements Callable<Integer> {
    /** Set by the factory before the command runs. */
    Environment env;
}
