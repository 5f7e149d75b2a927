package dev.burrow.container;

import java.util.List;

/** What a finished external command left: its exit code and its two outputs. */
public record ExecResult(List<String> argv, int exitCode, String stdout, String stderr) {

    public boolean ok() {
        return exitCode == 0;
    }

    /** The first line of stderr (or stdout), for one-line error messages. */
    public String firstErrorLine() {
        String text = stderr.isBlank() ? stdout : stderr;
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("exit code " + exitCode);
    }
}
