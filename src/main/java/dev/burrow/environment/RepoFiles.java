package dev.burrow.environment;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The repository's files at the commit a session starts from, read as data on the host (by
 * hardened git: nothing of the repository runs, no link is followed). Paths are repository
 * paths with '/' separators, "" for the root.
 */
public interface RepoFiles {
    /** The commit read. */
    String commit();

    /** The branch it is the head of, as the session names it (the source's current branch when none is named). */
    String ref();

    /** A regular file's bytes (at most {@code max}; longer is an error), or empty when there is no such file. */
    Optional<byte[]> read(String path, int max);

    /** The names directly in a directory, or none when it is not one. */
    List<String> list(String dir);

    /** The object id of a path (a tree or a blob), or empty when there is none. */
    Optional<String> id(String path);

    /** The directory's tree as a plain tar, written to {@code out}. */
    void archive(String dir, Path out);
}
