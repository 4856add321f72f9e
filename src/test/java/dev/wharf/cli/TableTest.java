package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TableTest {
    @Test
    void columnsAreAlignedTwoSpacesApartWithoutTrailingBlanks() {
        StringWriter out = new StringWriter();
        new Table("A", "LONGER", "C").row("wide cell", "x", "").row("y", "z", "last").print(new PrintWriter(out));

        assertThat(out.toString()).isEqualTo("""
                A          LONGER  C
                wide cell  x       -
                y          z       last
                """);
    }

    @Test
    void serverTextCannotBreakTheTableOrTheTerminal() {
        StringWriter out = new StringWriter();
        new Table("LABEL", "X").row("evil\nlabel\u001b[31m", null).print(new PrintWriter(out));

        assertThat(out.toString().lines()).hasSize(2);
        assertThat(out.toString()).contains("evil?label?[31m").doesNotContain("\u001b");
    }
}
