package dev.burrow.container;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A {@link ProcessRunner} for unit tests: records each argv and answers with canned output. */
final class ScriptedProcesses implements ProcessRunner {
    record Answer(int exitCode, String stdout, String stderr) {
    }

    final List<List<String>> calls = new ArrayList<>();
    private final Function<List<String>, Answer> script;

    ScriptedProcesses(Function<List<String>, Answer> script) {
        this.script = script;
    }

    @Override
    public Process start(List<String> argv) {
        calls.add(argv);
        Answer a = script.apply(argv);
        return new Process() {
            public OutputStream getOutputStream() {
                return OutputStream.nullOutputStream();
            }

            public InputStream getInputStream() {
                return new ByteArrayInputStream(a.stdout().getBytes(StandardCharsets.UTF_8));
            }

            public InputStream getErrorStream() {
                return new ByteArrayInputStream(a.stderr().getBytes(StandardCharsets.UTF_8));
            }

            public int waitFor() {
                return a.exitCode();
            }

            public int exitValue() {
                return a.exitCode();
            }

            public void destroy() {
            }
        };
    }
}
