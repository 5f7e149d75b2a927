package dev.burrow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.agent.EventParser;
import dev.burrow.store.StoredEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** `./burrow run` prints the agent's text to the user's terminal: never a control sequence in it. */
class TranscriptTest {
    @Test
    void theAgentsEscapeSequencesNeverReachTheTerminal() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Transcript t = new Transcript(new PrintStream(out, true, StandardCharsets.UTF_8), false);
        // OSC 52 (write the clipboard), a title change, a colour, a carriage return and a C1 CSI, as Claude Code's JSON escapes them.
        String text = "\\u001b]52;c;ZXZpbA==\\u0007\\u001b]0;owned\\u0007\\u001b[31mred\\rover\\u009b2Jdone\\tünïcode";
        t.print(new StoredEvent("s", 1, EventParser.parse(
                "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"" + text + "\"}]}}"), Instant.EPOCH));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\r").doesNotContain("\u009b");
        assertThat(printed).isEqualTo("]52;c;ZXZpbA==]0;owned[31mredover2Jdone\tünïcode\n");
    }
}
