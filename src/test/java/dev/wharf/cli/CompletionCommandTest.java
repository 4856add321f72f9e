package dev.wharf.cli;

import static dev.wharf.cli.CliAssertions.failsWithOneLine;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CompletionCommandTest {
    private final CliRunner cli = new CliRunner();

    @Test
    void printsABashScriptThatKnowsEveryCommand() throws Exception {
        CliRunner.Result r = cli.run("completion");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("#!/usr/bin/env bash").contains("complete -F")
                .contains("bashcompinit")
                .contains("login").contains("logout").contains("tokens").contains("audit").contains("api")
                .contains("--password-stdin").contains("--jsonfile").contains("--inactive");
        assertThat(cli.run("completion", "zsh").out()).isEqualTo(r.out());
        assertThat(cli.run("completion", "bash").out()).isEqualTo(r.out());
    }

    @Test
    void theScriptIsValidBash() throws Exception {
        Path bash = Path.of("/bin/bash");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(bash), "bash is not installed");
        Path script = cli.home.resolve("wharf-completion.bash");
        Files.writeString(script, cli.run("completion").out());

        Process p = new ProcessBuilder(bash.toString(), "-n", script.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isZero();
    }

    @Test
    void unknownShellIsAUsageError() {
        failsWithOneLine(cli.run("completion", "fish"), 2, "'fish'");
    }
}
