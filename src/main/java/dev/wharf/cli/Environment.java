package dev.wharf.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * Everything the client takes from the outside world: environment variables, the standard streams, the terminal,
 * the configuration directory and the clock. {@link #system()} is the real one; tests build their own.
 *
 * @param vars      environment variables
 * @param stdin     standard input (read by {@code --password-stdin})
 * @param out       standard output
 * @param err       standard error
 * @param terminal  the interactive terminal, or null when there is none (a pipe, CI)
 * @param configDir the directory that holds the saved session, usually {@code $XDG_CONFIG_HOME/wharf}
 * @param clock     the time and zone used to show and parse times
 */
public record Environment(Map<String, String> vars, InputStream stdin, PrintWriter out, PrintWriter err,
                          Terminal terminal, Path configDir, Clock clock) {

    /** An interactive terminal: prompts, the password one without echo. */
    public interface Terminal {
        /** Reads a line after printing the prompt; null at end of input. */
        String readLine(String prompt);

        /** Reads a line without echoing it; null at end of input. */
        char[] readPassword(String prompt);
    }

    /** The real process environment: {@code System.getenv()}, the standard streams and {@code System.console()}. */
    public static Environment system() {
        Map<String, String> vars = System.getenv();
        Console console = interactive(System.console());
        Charset charset = console != null ? console.charset() : Charset.defaultCharset();
        Terminal terminal = console == null ? null : new Terminal() {
            @Override
            public String readLine(String prompt) {
                return console.readLine("%s", prompt);
            }

            @Override
            public char[] readPassword(String prompt) {
                return console.readPassword("%s", prompt);
            }
        };
        return new Environment(vars, System.in,
                new PrintWriter(new OutputStreamWriter(System.out, charset), true),
                new PrintWriter(new OutputStreamWriter(System.err, charset), true),
                terminal, configDir(vars, Path.of(System.getProperty("user.home"))), Clock.system(java.time.ZoneId.systemDefault()));
    }

    /**
     * The console when it is a real terminal. From Java 22 {@code System.console()} is not null even when the
     * streams are redirected, and {@code Console.isTerminal()} (absent before 22, hence reflection) tells.
     */
    private static Console interactive(Console console) {
        if (console == null) {
            return null;
        }
        try {
            Object terminal = Console.class.getMethod("isTerminal").invoke(console);
            return Boolean.FALSE.equals(terminal) ? null : console;
        } catch (ReflectiveOperationException e) {
            return console;
        }
    }

    /**
     * {@code $XDG_CONFIG_HOME/wharf}, or {@code ~/.config/wharf} when the variable is unset or relative (the XDG
     * base directory spec says to ignore a relative value).
     */
    public static Path configDir(Map<String, String> vars, Path home) {
        String xdg = vars.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "wharf");
        }
        return home.resolve(".config").resolve("wharf");
    }

    /** The value of an environment variable, or null when it is unset or blank. */
    public String var(String name) {
        String v = vars.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    /** All of standard input as UTF-8 text. */
    public String readStdin() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8))) {
            StringBuilder sb = new StringBuilder();
            char[] buf = new char[4096];
            for (int n; (n = r.read(buf)) > 0; ) {
                sb.append(buf, 0, n);
            }
            return sb.toString();
        } catch (java.io.IOException e) {
            throw CliException.usage("cannot read standard input: " + e.getMessage());
        }
    }

    public void flush() {
        out.flush();
        err.flush();
    }
}
