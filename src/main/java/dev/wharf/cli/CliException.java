package dev.wharf.cli;

/**
 * An expected failure of a client command. It is reported as one line on standard error, never as a stack trace,
 * and ends the command with its exit code: 1 for an API or network error, 2 for a usage error.
 */
public final class CliException extends RuntimeException {
    public static final int API = 1;
    public static final int USAGE = 2;

    private final int exitCode;

    private CliException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    /** The server refused, or could not be reached: exit 1. */
    public static CliException api(String message) {
        return new CliException(API, message);
    }

    /** The command line or its input is wrong: exit 2. */
    public static CliException usage(String message) {
        return new CliException(USAGE, message);
    }

    public int exitCode() {
        return exitCode;
    }

    public boolean isUsage() {
        return exitCode == USAGE;
    }
}
