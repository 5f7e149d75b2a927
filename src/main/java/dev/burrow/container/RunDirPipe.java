package dev.burrow.container;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's streams through the session's run dir, shared with the container at /run/burrow
 * (runner/burrow-agent-run writes the other side): in.fifo is its stdin, out.jsonl its output,
 * agent.exit its exit code once it ended, and "idle" says the idle timeout ended it.
 * Lock rule: {@link #write} is synchronized; reads come from one follower thread.
 */
public final class RunDirPipe implements AgentPipe {

    static final long WRITE_TIMEOUT_MS = 10_000;

    private final Path runDir;
    private FileChannel input;
    private FileChannel output;

    private final long writeTimeoutMs;

    public RunDirPipe(Path runDir) {
        this(runDir, WRITE_TIMEOUT_MS);
    }

    RunDirPipe(Path runDir, long writeTimeoutMs) {
        this.runDir = runDir;
        this.writeTimeoutMs = writeTimeoutMs;
    }

    /**
     * Writes one line, or fails within {@link #WRITE_TIMEOUT_MS}: an agent that stops reading (a
     * full pipe) would otherwise hold the caller, and the session's locks with it, for ever. The
     * channel is then closed, which ends the blocked write, and the next write opens it anew.
     */
    @Override
    public synchronized void write(String line) throws IOException {
        if (input != null && !input.isOpen()) input = null;
        if (input == null) {
            // The container can put anything at this name: only a FIFO is written, and a link is never
            // followed (O_NOFOLLOW). Read-write, so the open never blocks waiting for a reader; the
            // agent's side holds the FIFO open for as long as it runs.
            Path fifo = runDir.resolve(RunDir.INPUT);
            if (!Files.readAttributes(fifo, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
                throw new IOException("the agent's input " + fifo + " is not a FIFO");
            }
            input = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        }
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        FileChannel ch = input;
        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture.runAsync(() -> {
            if (!done.get()) closeQuietly(ch);
        }, CompletableFuture.delayedExecutor(writeTimeoutMs, TimeUnit.MILLISECONDS));
        try {
            while (bytes.hasRemaining()) ch.write(bytes);
        } catch (IOException e) {
            input = null;
            closeQuietly(ch);
            throw new IOException("the agent has not read its input for " + writeTimeoutMs / 1000 + " s", e);
        } finally {
            done.set(true);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing is all that is asked of it
        }
    }

    @Override
    public int read(long position, ByteBuffer into) throws IOException {
        if (output == null) {
            Path out = runDir.resolve(RunDir.OUTPUT);
            // A regular file only: the container writes this dir, and a FIFO or a link there must not block or lead
            // Burrow anywhere. Read-write and no link (O_NOFOLLOW): the open never waits, even on a FIFO swapped in.
            if (!Files.isRegularFile(out, LinkOption.NOFOLLOW_LINKS)) return 0;
            output = FileChannel.open(out, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        }
        // Only what fstat says is there: a read past it could wait forever on a FIFO.
        if (output.size() <= position) return 0;
        return output.read(into, position);
    }

    @Override
    public long size() throws IOException {
        Path out = runDir.resolve(RunDir.OUTPUT);
        return Files.isRegularFile(out, LinkOption.NOFOLLOW_LINKS) ? Files.size(out) : 0;
    }

    @Override
    public OptionalInt exitCode() {
        Path exit = runDir.resolve(RunDir.EXIT);
        if (!Files.exists(exit, LinkOption.NOFOLLOW_LINKS)) return OptionalInt.empty();
        // Something else than a file there (a link, a FIFO) is an end that says nothing: -1. An
        // empty file is one being written (the runner renames a whole one into place; a writer
        // that does not is caught half-way): not an exit yet.
        if (!Files.isRegularFile(exit, LinkOption.NOFOLLOW_LINKS)) return OptionalInt.of(-1);
        var content = HostileFiles.readTail(exit, 16);
        if (content.isEmpty()) return OptionalInt.empty();
        try {
            return OptionalInt.of(Integer.parseInt(new String(content.get(), StandardCharsets.US_ASCII).strip()));
        } catch (NumberFormatException e) {
            return OptionalInt.of(-1);
        }
    }

    @Override
    public boolean idleTimedOut() {
        return Files.exists(runDir.resolve(RunDir.IDLE), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public void markGone() throws IOException {
        HostileFiles.createNew(runDir.resolve(RunDir.EXIT), "-1\n");
    }

    @Override
    public synchronized void close() {
        try {
            if (input != null) input.close(); // our end of the FIFO: the agent holds its own
            if (output != null) output.close();
        } catch (IOException ignored) {
            // nothing is lost by a failed close of a reader or of our end of the FIFO
        } finally {
            input = null;
            output = null;
        }
    }
}
