package dev.burrow.container;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.OptionalInt;

/**
 * The agent's streams as a runner offers them: lines into its stdin, and its output readable
 * from any byte offset, again and again, so that a new Burrow process reads on exactly where an
 * old one stopped. Locally they are files in the session's run dir ({@link RunDirPipe}).
 */
public interface AgentPipe extends AutoCloseable {

    /** Writes one line to the agent's stdin. */
    void write(String line) throws IOException;

    /** Reads the agent's output from byte offset {@code position} into {@code into}; 0 or less when nothing is there yet. */
    int read(long position, ByteBuffer into) throws IOException;

    /** How many bytes the agent has printed so far. */
    long size() throws IOException;

    /** The agent's exit code, once it has ended. */
    OptionalInt exitCode();

    /** The agent ended because it sat idle past the idle timeout. */
    boolean idleTimedOut();

    /** The agent is gone without saying so: record its end, so that a reader stops after its last line. */
    void markGone() throws IOException;

    @Override
    void close();
}
