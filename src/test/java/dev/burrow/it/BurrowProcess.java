package dev.burrow.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the built jar as `./burrow` runs it: a separate JVM, as a user would. */
final class BurrowProcess {
    record Result(int exitCode, String stdout, String stderr) {
    }

    private BurrowProcess() {
    }

    static Path jar() {
        Path jar = Path.of("target", "burrow.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) throw new IllegalStateException("build the jar first (mvn package): " + jar);
        return jar;
    }

    static ProcessBuilder builder(Map<String, String> env, String... args) {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar().toString()));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().keySet().removeIf(k -> k.startsWith("ANTHROPIC_") || k.startsWith("CLAUDE_") || k.startsWith("BURROW_"));
        pb.environment().putAll(env);
        // Warm containers only where a test asks for them (BURROW_WARM): they would start beside its other sessions.
        pb.environment().putIfAbsent("BURROW_WARM", "0");
        return pb;
    }

    static Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Process p = builder(env, args).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("burrow " + String.join(" ", args) + " did not finish in 180 s");
        }
        return new Result(p.exitValue(), out, err.join());
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
