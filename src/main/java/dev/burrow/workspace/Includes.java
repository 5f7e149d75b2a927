package dev.burrow.workspace;

import dev.burrow.container.HostileFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * `.burrow/include`: files a clone does not carry (gitignored ones such as .env) that the
 * repository asks to have copied from the user's own checkout into each session's workspace.
 * One path per line, relative to the repository; blank lines and # comments are skipped. Only
 * what the clone lacks is copied, never over a file git brought, and nothing outside the
 * repository: no absolute paths, no "..", nothing in .git, no symbolic links (nor folders that are).
 */
final class Includes {
    static final String FILE = ".burrow/include";
    private static final int MAX_LIST_BYTES = 64 * 1024;

    private Includes() {
    }

    /** Copies what the list names from {@code source} into {@code workspace}; returns what was copied. */
    static List<String> copy(Path source, Path workspace) {
        Path list = workspace.resolve(FILE);
        if (linkOnTheWay(workspace, Path.of(FILE)) || !Files.isRegularFile(list, LinkOption.NOFOLLOW_LINKS)) return List.of();
        List<String> copied = new ArrayList<>();
        try {
            String text = new String(HostileFiles.readHead(list, MAX_LIST_BYTES).orElse(new byte[0]), StandardCharsets.UTF_8);
            for (String raw : text.lines().toList()) {
                String line = raw.strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                Path rel = Path.of(line).normalize();
                if (rel.isAbsolute() || rel.startsWith("..") || rel.toString().isEmpty()) {
                    throw new WorkspaceException(FILE + " may only name paths inside the repository, not " + line);
                }
                // The list comes from a branch the agent may have written: never git's own files
                // (objects, refs, stashes), and never through a linked folder on either side.
                for (Path part : rel) {
                    if (part.toString().equalsIgnoreCase(".git")) throw new WorkspaceException(FILE + " may not name anything in .git: " + line);
                }
                if (linkOnTheWay(source, rel) || linkOnTheWay(workspace, rel)) continue;
                Path from = source.resolve(rel);
                Path to = workspace.resolve(rel);
                if (!Files.exists(from, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(from) || Files.exists(to, LinkOption.NOFOLLOW_LINKS)) continue;
                copyTree(from, to);
                copied.add(rel.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return copied;
    }

    // Whether a folder on the way from base to base/rel is a symbolic link.
    private static boolean linkOnTheWay(Path base, Path rel) {
        Path p = base;
        for (int i = 0; i < rel.getNameCount() - 1; i++) {
            p = p.resolve(rel.getName(i));
            if (Files.isSymbolicLink(p)) return true;
        }
        return false;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                // A nested repository's .git is git's business, not a file to hand the session.
                if (dir.getFileName().toString().equalsIgnoreCase(".git")) return FileVisitResult.SKIP_SUBTREE;
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && !file.getFileName().toString().equalsIgnoreCase(".git")) {
                    Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
