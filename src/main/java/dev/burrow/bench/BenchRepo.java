package dev.burrow.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A small git repository with one commit, for benchmarks. */
final class BenchRepo {
    private BenchRepo() {
    }

    static Path create(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("README.md"), "# bench\n");
        for (List<String> argv : List.of(
                List.of("git", "init", "--quiet", "--initial-branch=main"),
                List.of("git", "add", "."),
                List.of("git", "-c", "user.name=Bench", "-c", "user.email=bench@burrow.invalid", "commit", "--quiet", "-m", "init"))) {
            Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) throw new IOException(String.join(" ", argv) + ": " + out);
        }
        return dir;
    }
}
