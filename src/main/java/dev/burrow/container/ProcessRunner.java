package dev.burrow.container;

import java.io.File;
import java.io.IOException;
import java.util.List;

/**
 * Starts external processes. The one seam between Burrow and the programs it drives
 * (podman, git): unit tests inject a scripted runner, everything else uses {@link #SYSTEM}.
 * Every value is its own argv element; nothing goes through a shell.
 */
@FunctionalInterface
public interface ProcessRunner {

    Process start(List<String> argv) throws IOException;

    /** Like {@link #start}, but the child's stdin is a pipe the caller writes and closes ({@link #start} gives it /dev/null). */
    default Process startPiped(List<String> argv) throws IOException {
        return start(argv);
    }

    ProcessRunner SYSTEM = new ProcessRunner() {
        @Override
        public Process start(List<String> argv) throws IOException {
            return new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        }

        @Override
        public Process startPiped(List<String> argv) throws IOException {
            return new ProcessBuilder(argv).start();
        }
    };
}
