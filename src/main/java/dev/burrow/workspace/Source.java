package dev.burrow.workspace;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a session's code comes from: a git repository on this machine, or a git URL.
 * A local source gets the session branch back in the user's own repository; a URL source
 * keeps it in Burrow's bare mirror of that URL.
 */
public sealed interface Source {

    /** What the user typed, for display. */
    String display();

    record Local(Path path) implements Source {
        public Local {
            Objects.requireNonNull(path);
        }

        public String display() {
            return path.toString();
        }
    }

    record Url(String url) implements Source {
        public String display() {
            return url;
        }
    }

    // scheme://..., or scp-like user@host:path
    Pattern URL = Pattern.compile("^(?:[a-zA-Z][a-zA-Z0-9+.-]*://\\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\\S+)$");

    /** Reads what the user gave: a URL if it looks like one, otherwise a local path. */
    static Source parse(String repo) {
        if (repo == null || repo.isBlank()) throw new WorkspaceException("no repository given; pass --repo PATH or --repo URL");
        String r = repo.strip();
        if (r.startsWith("-")) throw new WorkspaceException("not a repository: " + r);
        if (URL.matcher(r).matches()) return new Url(r);
        Path p = Path.of(r).toAbsolutePath().normalize();
        if (!Files.exists(p)) throw new WorkspaceException("repository path does not exist: " + p);
        return new Local(p);
    }
}
