package dev.burrow.session;

import dev.burrow.container.ContainerState;
import dev.burrow.container.HostileFiles;
import dev.burrow.container.RunDir;
import dev.burrow.session.AgentChannel.Ending;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Why a session ended, in the user's words, when its agent exited or its container went away. */
final class Endings {
    private static final int TAIL_BYTES = 64 * 1024;

    private Endings() {
    }

    /** The agent process ended: an idle timeout, a failed repository setup, or what its channel says the exit code means. */
    static Ending agentExited(Session s, AgentChannel channel, int exitCode, boolean idleTimeout, Duration idleLimit) {
        if (idleTimeout) {
            return new Ending(SessionState.STOPPED, "stopped after " + humanDuration(idleLimit) + " without a turn; resume to continue");
        }
        if (Files.exists(s.runDir().resolve(RunDir.SETUP_FAILED))) {
            return new Ending(SessionState.FAILED, "the repository's setup (.burrow/setup.sh or the environment's lifecycle commands) failed with exit code " + exitCode
                    + " (its output is in the transcript); fix it and resume");
        }
        Ending e = channel.exited(exitCode);
        return e.state() == SessionState.FAILED ? new Ending(e.state(), e.reason() + lastLines(s)) : e;
    }

    /** The container died or was removed from outside; {@code inTurn}: a turn was open or the session was running. */
    static Ending containerGone(Session s, boolean inTurn, Optional<ContainerState> state) {
        String code = state.map(c -> "exit code " + c.exitCode()).orElse("removed");
        if (inTurn) return new Ending(SessionState.FAILED, "the container died during a turn (" + code + ")" + lastLines(s));
        return new Ending(SessionState.STOPPED, "the container went away (" + code + "); resume to continue");
    }

    /** The last lines of the agent's stderr, as ": a | b | c", or "" when it printed none. */
    static String lastLines(Session s) {
        // The container writes this file: never through a link, never waiting on a FIFO, only its last 64 KiB.
        return HostileFiles.readTail(s.runDir().resolve(RunDir.ERRORS), TAIL_BYTES).map(b -> {
            List<String> lines = new String(b, StandardCharsets.UTF_8).lines().filter(x -> !x.isBlank()).toList();
            List<String> tail = lines.subList(Math.max(0, lines.size() - 5), lines.size());
            return tail.isEmpty() ? "" : ": " + String.join(" | ", tail);
        }).orElse("");
    }

    static String humanDuration(Duration d) {
        if (d.toMinutes() == 0) return d.toSeconds() + " seconds";
        return d.toMinutes() + (d.toMinutes() == 1 ? " minute" : " minutes");
    }
}
