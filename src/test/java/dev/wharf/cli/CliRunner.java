package dev.wharf.cli;

import dev.wharf.Main;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs {@code wharf} commands in-process over an {@link Environment} of the test's making: a temporary home and
 * {@code XDG_CONFIG_HOME}, chosen environment variables, standard input, an optional fake terminal and a clock.
 */
final class CliRunner {
    final Path home;
    final Map<String, String> vars = new HashMap<>();
    String stdin = "";
    FakeTerminal terminal;
    Clock clock = Clock.systemUTC();

    CliRunner() {
        try {
            home = Files.createTempDirectory("wharf-cli-home-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        vars.put("XDG_CONFIG_HOME", home.resolve("xdg").toString());
    }

    Path configDir() {
        return Environment.configDir(vars, home);
    }

    Path sessionFile() {
        return configDir().resolve(SessionStore.FILE_NAME);
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Environment env = new Environment(Map.copyOf(vars),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), new PrintWriter(out),
                new PrintWriter(err), terminal, configDir(), clock);
        int code = Main.commandLine(env).execute(args);
        env.flush();
        return new Result(code, out.toString(), err.toString());
    }

    /** Signs in with {@code --password-stdin} and checks that it worked. */
    Result login(String url, String user, String password) {
        stdin = password + "\n";
        Result r = run("login", "--url", url, "-u", user, "--password-stdin");
        stdin = "";
        if (r.exit() != 0) {
            throw new AssertionError("login failed: " + r);
        }
        return r;
    }

    /** Every file under the home directory, as text: where a secret must never be found. */
    String everythingSaved() {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(home)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                all.append(Files.readString(p)).append('\n');
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return all.toString();
    }

    record Result(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** A terminal that answers prompts from a script and records what it was asked. */
    static final class FakeTerminal implements Environment.Terminal {
        final Deque<String> answers = new ArrayDeque<>();
        final List<String> prompts = new java.util.ArrayList<>();

        FakeTerminal(String... answers) {
            this.answers.addAll(List.of(answers));
        }

        @Override
        public String readLine(String prompt) {
            prompts.add("line:" + prompt);
            return answers.poll();
        }

        @Override
        public char[] readPassword(String prompt) {
            prompts.add("password:" + prompt);
            String a = answers.poll();
            return a == null ? null : a.toCharArray();
        }
    }
}
