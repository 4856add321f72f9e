package dev.wharf.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code wharf completion}: a bash completion script, which zsh also runs through bashcompinit. */
@Command(name = "completion",
        description = {"Print a shell completion script for wharf (bash, or zsh through bashcompinit).",
                "bash:  source <(wharf completion)",
                "zsh:   autoload -U +X compinit && compinit; source <(wharf completion zsh)"})
public final class CompletionCommand extends ClientCommand {
    enum Shell { bash, zsh }

    @Parameters(arity = "0..1", paramLabel = "SHELL", defaultValue = "bash",
            description = "bash or zsh (default ${DEFAULT-VALUE}); the script is the same for both.")
    Shell shell;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        env.out().print(AutoComplete.bash(root.getCommandName(), root));
        env.out().flush();
        return 0;
    }
}
