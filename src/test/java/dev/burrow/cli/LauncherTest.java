package dev.burrow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's first run, with stand-ins for Maven and the JDK that are as noisy as the real
 * ones (colour codes, npm's notices): the user sees one line per phase with its time, and the
 * tools' own output only when a phase fails.
 */
class LauncherTest {
    @TempDir
    Path root;
    Path bin;
    Path jdk;

    @BeforeEach
    void copyTheLauncher() throws IOException {
        Files.copy(Path.of("burrow"), root.resolve("burrow"));
        Files.createDirectories(root.resolve("scripts"));
        Files.copy(Path.of("scripts/lib.sh"), root.resolve("scripts/lib.sh"));
        for (String d : List.of("src/main", "runner", "web")) Files.createDirectories(root.resolve(d));
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Files.writeString(root.resolve("web/package-lock.json"), "{}");
        bin = Files.createDirectories(root.resolve("stub-bin"));
        jdk = Files.createDirectories(root.resolve("stub-jdk/bin"));
        Files.writeString(root.resolve("stub-jdk/release"), "JAVA_VERSION=\"25.0.1\"\n");
        // The JDK: makes the AOT cache it is asked for, and says what it ran.
        script(jdk.resolve("java"), """
                for a in "$@"; do case "$a" in -XX:AOTCacheOutput=*) : > "${a#-XX:AOTCacheOutput=}";; esac; done
                echo "ran burrow with: ${@: -1}"
                """);
        script(jdk.resolve("javac"), "exit 0\n");
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/bash\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Maven as Debian's 3.8 is: colour codes in batch mode, npm's summary, then the jar (or a failure). */
    private void maven(boolean fails) throws IOException {
        script(bin.resolve("mvn"), """
                printf '\\033[0m\\033[0m\\nadded 2 packages in 511ms\\n\\033[1mnpm notice\\033[0m New major version of npm available!\\n'
                echo '[ERROR] COMPILATION ERROR: Foo.java:[3,1] cannot find symbol' >&2
                %s
                mkdir -p target && echo jar > target/burrow.jar
                """.formatted(fails ? "exit 1" : ""));
    }

    private record Run(int exit, String out, String err) {
    }

    private Run launch(String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder();
        pb.command().add(root.resolve("burrow").toString());
        pb.command().addAll(List.of(args));
        pb.environment().put("JAVA_HOME", root.resolve("stub-jdk").toString());
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        Path out = root.resolve("out.txt");
        Path err = root.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void aFirstRunSaysOneLinePerPhaseWithItsTimeAndNothingOfTheToolsOwn() throws Exception {
        maven(false);
        Run r = launch("--version");
        assertThat(r.exit()).isZero();
        assertThat(r.err().lines().toList()).hasSize(2).satisfiesExactly(
                l -> assertThat(l).matches("burrow: building target/burrow\\.jar \\(.*\\) \\.\\.\\. done \\(\\d+ s\\)"),
                l -> assertThat(l).matches("burrow: preparing a faster start \\(once per build\\) \\.\\.\\. done \\(\\d+ s\\)"));
        assertThat(r.err()).doesNotContain("\u001b", "npm", "added 2 packages");
        assertThat(r.out()).isEqualTo("ran burrow with: --version\n");
        assertThat(root.resolve("target/build.log")).content().contains("added 2 packages");

        // Built: the next run says nothing of its own.
        Run again = launch("--version");
        assertThat(again.err()).isEmpty();
    }

    @Test
    void aFailedBuildShowsTheToolsOutputWithoutColourCodesAndWhereTheWholeOfItIs() throws Exception {
        maven(true);
        Run r = launch("serve");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("burrow: building target/burrow.jar").contains("... failed (", "cannot find symbol",
                "the build failed; the whole output is in " + root.resolve("target/build.log")).doesNotContain("\u001b");
        assertThat(r.out()).isEmpty();
    }
}
