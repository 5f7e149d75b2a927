package dev.burrow.terminal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * What a session's terminal (tmux in the container) may send to the user's own terminal, for
 * `./burrow attach` and `run --tui`. The container controls that stream (the agent can
 * reconfigure its tmux, write to its panes), so it passes through this filter: the screen's
 * own sequences (text, colours, cursor movement, modes: CSI) pass, and so do the OSC
 * sequences that stay on the screen (titles, colours, hyperlinks, prompt marks); everything
 * that reaches beyond it is dropped: OSC 52 (clipboard), notifications, file transfers, any
 * other OSC, DCS (tmux passthrough, sixel, terminal queries), APC, PM, SOS, ESC % (leaving
 * UTF-8), and C1 controls,
 * whether spelled as UTF-8 code points (U+0080..U+009F) or as raw bytes, in every state: a
 * terminal that takes C1 from UTF-8 starts an OSC at U+009D wherever it comes. Only complete
 * UTF-8 reaches the terminal. Streaming: sequences may be split across writes.
 *
 * <p>Not thread-safe: one filter per stream, fed by one thread.
 */
public final class EscapeFilter {
    private static final int ESC = 0x1b;
    private static final int BEL = 0x07;
    /** OSC numbers that change only what is on the screen or in its frame. */
    private static final Set<Integer> SCREEN_OSC = Set.of(0, 1, 2, 4, 8, 10, 11, 12, 17, 19, 104, 110, 111, 112, 117, 119, 133);
    /** A longer OSC is dropped whatever its number: no screen sequence needs more. */
    private static final int MAX_OSC = 8192;

    private enum State { GROUND, ESCAPE, ESCAPE_PERCENT, CSI, OSC, OSC_ESCAPE, STRING, STRING_ESCAPE }

    private State state = State.GROUND;
    // A UTF-8 character being read in the ground state: its bytes so far, and how many it has.
    private final byte[] utf8 = new byte[4];
    private int utf8Have;
    private int utf8Need;
    private final ByteArrayOutputStream osc = new ByteArrayOutputStream();
    private boolean oscTooLong;

    /** Filters {@code len} bytes of {@code in} from {@code off}; returns what may reach the user's terminal. */
    public byte[] filter(byte[] in, int off, int len) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(len);
        for (int i = off; i < off + len; i++) step(in[i] & 0xff, out);
        return out.toByteArray();
    }

    private void step(int b, ByteArrayOutputStream out) {
        switch (state) {
            case GROUND -> ground(b, out);
            case ESCAPE -> {
                switch (b) {
                    case '[' -> {
                        out.write(ESC);
                        out.write(b);
                        state = State.CSI;
                    }
                    case ']' -> {
                        osc.reset();
                        oscTooLong = false;
                        state = State.OSC;
                    }
                    case 'P', '_', '^', 'X' -> state = State.STRING; // DCS, APC, PM, SOS: dropped whole
                    // ESC % @ would take the terminal out of UTF-8, where bytes of allowed characters read as C1: dropped whole.
                    case '%' -> state = State.ESCAPE_PERCENT;
                    case ESC -> { } // the first escape stood alone: it is dropped
                    default -> {
                        state = State.GROUND;
                        if (b >= 0x20 && b < 0x7f) {
                            out.write(ESC); // an escape sequence of the screen's (charsets, keypad, save cursor)
                            out.write(b);
                        } else {
                            ground(b, out); // ESC before a control or a high byte: the escape is dropped
                        }
                    }
                }
            }
            case ESCAPE_PERCENT -> state = State.GROUND; // its final byte goes with it
            case CSI -> {
                if (b == ESC) {
                    state = State.ESCAPE; // an escape ends a sequence early, as in a terminal
                } else if (b >= 0x80) {
                    state = State.GROUND; // not part of a CSI: the sequence is over, the byte is text
                    ground(b, out);
                } else {
                    out.write(b);
                    if (b >= 0x40 && b <= 0x7e) state = State.GROUND;
                }
            }
            case OSC -> {
                if (b == BEL) {
                    endOsc(out, new byte[] {BEL});
                } else if (b == ESC) {
                    state = State.OSC_ESCAPE;
                } else if (osc.size() < MAX_OSC) {
                    osc.write(b);
                } else {
                    oscTooLong = true;
                }
            }
            case OSC_ESCAPE -> {
                if (b == '\\') {
                    endOsc(out, new byte[] {ESC, '\\'});
                } else {
                    state = State.ESCAPE; // the OSC was cut off (and is dropped); a new sequence starts
                    step(b, out);
                }
            }
            case STRING -> {
                if (b == ESC) state = State.STRING_ESCAPE;
            }
            case STRING_ESCAPE -> state = b == '\\' ? State.GROUND : b == ESC ? State.STRING_ESCAPE : State.STRING;
        }
    }

    /** Text and controls outside any sequence: complete UTF-8 characters pass, C1 controls and broken UTF-8 do not. */
    private void ground(int b, ByteArrayOutputStream out) {
        if (utf8Need > 0) {
            // Well-formed UTF-8 only: the second byte's range depends on the first (no overlong
            // spellings, which a lenient terminal would read as C1; no surrogates; nothing past U+10FFFF).
            int first = utf8[0] & 0xff;
            int low = utf8Have > 1 ? 0x80 : first == 0xe0 ? 0xa0 : first == 0xf0 ? 0x90 : 0x80;
            int high = utf8Have > 1 ? 0xbf : first == 0xed ? 0x9f : first == 0xf4 ? 0x8f : 0xbf;
            if (b >= low && b <= high) {
                utf8[utf8Have++] = (byte) b;
                if (utf8Have < utf8Need) return;
                boolean c1 = first == 0xc2 && (utf8[1] & 0xff) <= 0x9f; // U+0080..U+009F
                if (!c1) out.write(utf8, 0, utf8Have);
                utf8Need = 0;
                return;
            }
            utf8Need = 0; // cut short: the partial character is dropped, and this byte read afresh
        }
        if (b == ESC) {
            state = State.ESCAPE;
        } else if (b < 0x80) {
            out.write(b);
        } else if (b >= 0xc2 && b <= 0xf4) {
            utf8[0] = (byte) b;
            utf8Have = 1;
            utf8Need = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
        }
        // else: a stray continuation byte (raw C1 among them) or an invalid lead byte: dropped
    }

    private void endOsc(ByteArrayOutputStream out, byte[] terminator) {
        state = State.GROUND;
        byte[] body = osc.toByteArray();
        if (oscTooLong || !SCREEN_OSC.contains(number(body)) || !printable(body)) return;
        out.write(ESC);
        out.write(']');
        out.writeBytes(body);
        out.writeBytes(terminator);
    }

    /** Whether an OSC's body is well-formed UTF-8 without a control character (C0, DEL, C1). */
    private static boolean printable(byte[] body) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(body)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
        return text.codePoints().noneMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f));
    }

    /** The OSC's number (the digits before ';' or its end), or -1. */
    private static int number(byte[] body) {
        int n = 0;
        int i = 0;
        for (; i < body.length && body[i] != ';'; i++) {
            if (body[i] < '0' || body[i] > '9' || i > 5) return -1;
            n = n * 10 + body[i] - '0';
        }
        return i == 0 ? -1 : n;
    }
}
