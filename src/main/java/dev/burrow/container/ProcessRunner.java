package dev.burrow.container;

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

    ProcessRunner SYSTEM = argv -> new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
}
