package dev.burrow.terminal;

import java.io.ByteArrayOutputStream;
import java.util.Set;

/**
 * What a session's terminal (tmux in the container) may send to the user's own terminal, for
 * `./burrow attach` and `run --tui`. The container controls that stream (the agent can
 * reconfigure its tmux, write to its panes), so it passes through this filter: the screen's
 * own sequences (text, colours, cursor movement, modes: CSI) pass, and so do the OSC
 * sequences that stay on the screen (titles, colours, hyperlinks, prompt marks); everything
 * that reaches beyond it is dropped: OSC 52 (clipboard), notifications, file transfers, any
 * other OSC, DCS (tmux passthrough, sixel, terminal queries), APC, PM, SOS, and C1 controls
 * spelled as UTF-8 code points. Streaming: sequences may be split across writes.
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

    private enum State { GROUND, ESCAPE, CSI, OSC, OSC_ESCAPE, STRING, STRING_ESCAPE, C2 }

    private State state = State.GROUND;
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
            case GROUND -> {
                if (b == ESC) state = State.ESCAPE;
                else if (b == 0xc2) state = State.C2; // maybe a C1 control as a UTF-8 code point
                else out.write(b);
            }
            case C2 -> {
                state = State.GROUND;
                if (b >= 0x80 && b <= 0x9f) return; // U+0080..U+009F: C1 controls, dropped
                out.write(0xc2);
                step(b, out);
            }
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
                    case ESC -> out.write(ESC); // the first escape stood alone
                    default -> {
                        out.write(ESC);
                        out.write(b);
                        state = State.GROUND;
                    }
                }
            }
            case CSI -> {
                if (b == ESC) {
                    state = State.ESCAPE; // an escape ends a sequence early, as in a terminal
                    return;
                }
                out.write(b);
                if (b >= 0x40 && b <= 0x7e) state = State.GROUND;
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

    private void endOsc(ByteArrayOutputStream out, byte[] terminator) {
        state = State.GROUND;
        byte[] body = osc.toByteArray();
        if (oscTooLong || !SCREEN_OSC.contains(number(body))) return;
        out.write(ESC);
        out.write(']');
        out.writeBytes(body);
        out.writeBytes(terminator);
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
