package dev.burrow.bench;

import java.time.Duration;
import dev.burrow.credentials.CredentialSettings;
import dev.burrow.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the benchmarks start from: a small git repository with one commit, and their configuration. */
final class BenchRepo {
    private BenchRepo() {
    }

    /** The configuration a benchmark runs under: a scratch data dir and the scripted model. */
    static Config config(Config base, Path dataDir, ScriptedModel model, Duration idle) {
        return Config.defaults(dataDir).withBaseUrl(model.baseUrl()).withCredentials(CredentialSettings.of("bench-key", ""))
                .withImages(base.runnerImage(), base.baseImage()).withIdleTimeout(idle).withGitIdentity("Burrow Bench", "bench@burrow.invalid")
                .withListen("127.0.0.1", 0);
    }

    /** A repository of one commit: a README and the given path, content pairs. */
    static Path create(Path dir, String... files) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("README.md"), "# bench\n");
        for (int i = 0; i + 1 < files.length; i += 2) {
            Path f = dir.resolve(files[i]);
            Files.createDirectories(f.getParent());
            Files.writeString(f, files[i + 1]);
        }
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
