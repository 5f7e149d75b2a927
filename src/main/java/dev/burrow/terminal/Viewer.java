package dev.burrow.terminal;

/** One browser tab or script watching a terminal. */
public interface Viewer {
    /** Bytes the terminal printed. */
    void output(byte[] bytes);

    /** The terminal ended (its program exited); {@code reason} says why. */
    void ended(String reason);
}
