package dev.burrow.session;

import dev.burrow.container.HostileFiles;
import dev.burrow.container.RunDir;
import dev.burrow.workspace.WorkBundle;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Burrow's side of the save through the run dir (runner/burrow-agent-run serves it): the save
 * without a {@code podman exec}, which alone costs a third of a second. One line into the run
 * dir's save FIFO asks for it; the container's burrow-save output lands in {@link RunDir#SAVE_OUTPUT}
 * and {@link RunDir#SAVE_DONE} says "NONCE EXIT_CODE" when it ended.
 *
 * <p>The run dir is the container's to write, and anything in the container may answer: the
 * answer is believed no more than an exec's output is (the same {@link WorkBundle.Receiver}
 * checks it), only a done line naming this request's nonce counts, and every name is opened
 * without following a link and without waiting on a FIFO. Anything else, a FIFO no one reads, a
 * save that has not begun within a second, a failure, means "not served": the caller saves
 * through exec as before, which also reports the failure in its own words.
 *
 * <p>Not thread-safe per session: one save at a time per session (WorkSaver's lock).
 */
final class RunDirSave {
    // How long the container has to take the request and begin the save before exec takes over.
    private static final Duration TAKEN = Duration.ofSeconds(1);
    private static final Pattern DONE = Pattern.compile("([0-9a-f]{32}) ([0-9]{1,3})\n?");
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunDirSave() {
    }

    /**
     * Asks the session's container for its save and copies the output into {@code into};
     * false when it was not served (nothing of it then reached {@code into}).
     */
    static boolean save(Path runDir, List<String> argv, OutputStream into, long maxBytes, Duration timeout) throws IOException {
        // argv is WorkBundle.argv's, every value checked there: the command, then BRANCH BASE SHORT_ID.
        if (argv.size() != 4 || !argv.getFirst().equals(WorkBundle.COMMAND)) throw new IllegalArgumentException("not a save: " + argv);
        Path out = runDir.resolve(RunDir.SAVE_OUTPUT);
        Path done = runDir.resolve(RunDir.SAVE_DONE);
        Path part = runDir.resolve(RunDir.SAVE_OUTPUT + ".tmp");
        if (!delete(done)) return false;
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String id = HexFormat.of().formatHex(nonce);
        String request = "1 " + id + " " + String.join(" ", argv.subList(1, 4)) + "\n";
        if (!HostileFiles.writeFifo(runDir.resolve(RunDir.SAVE_REQUEST), request.getBytes(StandardCharsets.US_ASCII), TAKEN)) return false;
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try {
            while (true) {
                var line = HostileFiles.readHead(done, 64).map(b -> new String(b, StandardCharsets.US_ASCII));
                if (line.isPresent()) {
                    var m = DONE.matcher(line.get());
                    if (m.matches() && m.group(1).equals(id)) {
                        return m.group(2).equals("0") && HostileFiles.copyTo(out, into, maxBytes);
                    }
                }
                long now = System.nanoTime();
                if (now > deadline) return false;
                // Begun within a second (its output file is there), or someone else took the request.
                if (now - start > TAKEN.toNanos() && !Files.exists(part, LinkOption.NOFOLLOW_LINKS) && !Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
                    return false;
                }
                // A few milliseconds: a small save takes a couple of hundred.
                Thread.sleep(now - start < 1_000_000_000L ? 3 : 20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            for (Path p : List.of(done, out, part)) delete(p);
        }
    }

    // The container's names: a dir with files in it there (say) does not delete; that is its own save's loss, not an error here.
    private static boolean delete(Path p) {
        try {
            Files.deleteIfExists(p);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
