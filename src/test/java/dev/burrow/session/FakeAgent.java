package dev.burrow.session;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Claude Code as the engine's unit tests need it, speaking the run dir's protocol: it waits for
 * "ready", reads stream-json messages from in.fifo and answers each with an init, an assistant
 * line and a result in out.jsonl. In terminal mode a typed message (a tmux paste) becomes the
 * UserPromptSubmit and Stop hook lines instead. A message "exit N" ends it with code N, as
 * burrow-agent-run records it in agent.exit; "hold" answers nothing until {@link #finishTurn}.
 */
final class FakeAgent {
    private final Path runDir;
    private final boolean terminal;
    private final RandomAccessFile fifo;
    private volatile boolean stopped;
    private volatile boolean reading;

    private FakeAgent(Path runDir, boolean terminal) throws IOException {
        this.runDir = runDir;
        this.terminal = terminal;
        // Read-write, as the real agent's side: the open never waits for a writer.
        this.fifo = new RandomAccessFile(runDir.resolve("in.fifo").toFile(), "rw");
    }

    static FakeAgent start(Path runDir, String mode) {
        try {
            FakeAgent a = new FakeAgent(runDir, "terminal".equals(mode));
            Thread.ofVirtual().name("fake-agent").start(a::run);
            return a;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void run() {
        try {
            while (!stopped && !Files.exists(runDir.resolve("ready"))) Thread.sleep(5);
            if (terminal) return; // everything arrives through tmux (typed) in terminal mode
            reading = true;
            BufferedReader in = new BufferedReader(new InputStreamReader(new FileInputStream(fifo.getFD()), StandardCharsets.UTF_8));
            String line;
            while (!stopped && (line = in.readLine()) != null) {
                if (line.contains("\"fake_quit\"")) return;
                if (line.contains("\"control_request\"")) {
                    result("error_during_execution", true);
                    continue;
                }
                if (!line.contains("\"type\":\"user\"")) continue;
                String exit = between(line, "exit ");
                if (exit != null) {
                    exit(Integer.parseInt(exit));
                    return;
                }
                if (line.contains("hold")) continue;
                answer();
            }
        } catch (IOException | InterruptedException e) {
            // stopped
        } finally {
            reading = false;
        }
    }

    private static String between(String line, String marker) {
        int i = line.indexOf(marker);
        if (i < 0) return null;
        int j = i + marker.length();
        int k = j;
        while (k < line.length() && Character.isDigit(line.charAt(k))) k++;
        return k > j ? line.substring(j, k) : null;
    }

    private void answer() throws IOException {
        write("{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"conv-1\",\"model\":\"fake\"}");
        write("{\"type\":\"assistant\",\"message\":{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"done\"}]},\"session_id\":\"conv-1\"}");
        result("success", false);
    }

    /** Ends a held turn. */
    void finishTurn() throws IOException {
        result("success", false);
    }

    /** A message was typed into the terminal: the hooks report the turn and its end. */
    void typed() {
        try {
            String text = Files.exists(runDir.resolve("paste")) ? Files.readString(runDir.resolve("paste")) : "";
            write("{\"type\":\"burrow_hook\",\"hook\":\"UserPromptSubmit\",\"session_id\":\"conv-1\",\"prompt\":\"" + text.replace("\"", "") + "\"}");
            if (!text.contains("hold")) write("{\"type\":\"burrow_hook\",\"hook\":\"Stop\",\"session_id\":\"conv-1\"}");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void result(String subtype, boolean error) throws IOException {
        write("{\"type\":\"result\",\"subtype\":\"" + subtype + "\",\"is_error\":" + error + ",\"result\":\"done\",\"total_cost_usd\":0.01,"
                + "\"usage\":{\"input_tokens\":3,\"output_tokens\":5},\"duration_ms\":7,\"session_id\":\"conv-1\"}");
    }

    /** The agent process ends with this code. */
    void exit(int code) throws IOException {
        reading = false; // nothing more to wake: the agent is ending
        // As burrow-agent-run does: written aside, then renamed into place whole.
        Files.writeString(runDir.resolve("agent.exit.tmp"), code + "\n");
        Files.move(runDir.resolve("agent.exit.tmp"), runDir.resolve("agent.exit"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        stop();
    }

    synchronized void write(String line) throws IOException {
        Files.writeString(runDir.resolve("out.jsonl"), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    void stop() {
        if (stopped) return;
        stopped = true;
        try {
            if (reading) fifo.write("{\"type\":\"fake_quit\"}\n".getBytes(StandardCharsets.UTF_8)); // wakes the reader
            fifo.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
