package dev.burrow.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EscapeFilterTest {
    private static String through(String... writes) {
        EscapeFilter f = new EscapeFilter();
        StringBuilder out = new StringBuilder();
        for (String w : writes) {
            byte[] b = w.getBytes(StandardCharsets.UTF_8);
            out.append(new String(f.filter(b, 0, b.length), StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    @Test
    void theScreensOwnSequencesPass() {
        String screen = "plain \u001b[1;31mred\u001b[0m \u001b[2J\u001b[10;5H\u001b[?1049h é ü 日本 \u001b]0;title\u0007\u001b]8;;https://x\u001b\\link\u001b]8;;\u001b\\\r\n";
        assertThat(through(screen)).isEqualTo(screen);
    }

    @Test
    void theClipboardNotificationsAndPassthroughAreDropped() {
        assertThat(through("a\u001b]52;c;UFdORUQ=\u0007b")).isEqualTo("ab");
        assertThat(through("a\u001b]52;c;UFdORUQ=\u001b\\b")).isEqualTo("ab");
        assertThat(through("a\u001b]9;hello\u0007\u001b]777;notify;x;y\u0007\u001b]1337;File=x:AAAA\u0007b")).isEqualTo("ab");
        assertThat(through("a\u001bPtmux;\u001b\u001b]52;c;UFdORUQ=\u0007\u001b\\b")).isEqualTo("ab"); // tmux passthrough
        assertThat(through("a\u001b_Gf=100;AAAA\u001b\\b\u001b^pm\u001b\\c")).isEqualTo("abc"); // APC (kitty graphics), PM
        assertThat(through("a\u009d52;c;UFdORUQ=\u009cb")).isEqualTo("a52;c;UFdORUQ=b"); // C1 spelled as code points
    }

    @Test
    void c1ControlsAreDroppedInEveryStateAndAsRawBytes() {
        // Found in review: inside a CSI, right after a lone ESC, inside an allowed OSC's body.
        assertThat(through("\u001b[\u009d52;c;SEFDS0VEMQ==\u0007")).doesNotContain("\u009d");
        assertThat(through("\u001b\u009d52;c;SEFDS0VEMg==\u0007")).doesNotContain("\u009d").doesNotStartWith("\u001b");
        assertThat(through("\u001b]0;x\u009c\u009d52;c;SEFDS0VEMw==\u0007")).isEmpty(); // the title with C1 in it is dropped whole
        assertThat(through("\u001b]0;x\u001b[31m\u0007y")).doesNotContain("\u001b]"); // cut off by an escape
        // Raw 8-bit C1 and broken UTF-8 never pass; split characters do.
        byte[] raw = {'a', (byte) 0x9d, '5', '2', (byte) 0xc2, 'b', (byte) 0xe6, (byte) 0x97, 'c', (byte) 0xff};
        assertThat(new EscapeFilter().filter(raw, 0, raw.length)).containsExactly('a', '5', '2', 'b', 'c');
        assertThat(through("\u65e5", "\u672c")).isEqualTo("日本");
        // Found in the second review: leaving UTF-8 (then "Ý" would end in an 8-bit OSC), and overlong spellings of U+009D.
        assertThat(through("a\u001b%@\u00dd52;c;x\u0007\u001b%Gb")).isEqualTo("a\u00dd52;c;x\u0007b");
        byte[] overlong = {'a', (byte) 0xe0, (byte) 0x82, (byte) 0x9d, '5', (byte) 0xf0, (byte) 0x80, (byte) 0x82, (byte) 0x9d, '2',
                (byte) 0xed, (byte) 0xa0, (byte) 0x80, 'b', (byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80, 'c'};
        assertThat(new EscapeFilter().filter(overlong, 0, overlong.length)).containsExactly('a', '5', '2', 'b', 'c');
        assertThat(through("\ud83d\ude00 \u00e9 \u20ac")).isEqualTo("\ud83d\ude00 \u00e9 \u20ac"); // 4, 2 and 3 bytes, well-formed
        EscapeFilter f = new EscapeFilter();
        byte[] ri = "日".getBytes(StandardCharsets.UTF_8);
        assertThat(f.filter(ri, 0, 1)).isEmpty();
        assertThat(new String(f.filter(ri, 1, 2), StandardCharsets.UTF_8)).isEqualTo("日");
    }

    @Test
    void sequencesSplitAcrossWritesAreStillCaught() {
        assertThat(through("a\u001b", "]5", "2;c;UFdO", "RUQ=\u001b", "\\b")).isEqualTo("ab");
        assertThat(through("x\u001b", "[3", "1mred")).isEqualTo("x\u001b[31mred");
    }

    @Test
    void aLongOscIsDroppedEvenWithAScreenNumber() {
        assertThat(through("a\u001b]0;" + "x".repeat(10_000) + "\u0007b")).isEqualTo("ab");
    }
}
