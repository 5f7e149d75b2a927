package dev.burrow.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The file by which a running `serve` tells `./burrow run` (of the same data dir) where it is:
 * {@value #NAME} in the data dir, 0600, holding its URL, its process id and its process-local
 * bearer token (valid only while that process runs; see Authenticator#localToken). Only the user
 * reads the data dir, and no container mounts its top. `run` hands its session to that server,
 * which keeps warm containers; without one, `run` starts the session itself.
 */
record LocalServe(String url, String token, long pid) {
    static final String NAME = "serve.json";

    LocalServe {
        if (!url.matches("http://[0-9A-Za-z.:\\[\\]-]+:[0-9]{1,5}")) throw new IllegalArgumentException("not a local server's URL: " + url);
        if (!token.matches("[A-Za-z0-9_-]{20,200}")) throw new IllegalArgumentException("not a token");
    }

    /** Written whole (a temporary file renamed into place), readable by the user alone. */
    void announce(Path dataDir) throws IOException {
        Path tmp = dataDir.resolve(NAME + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, ServedRun.JSON.createObjectNode().put("url", url).put("token", token).put("pid", pid).toString());
        Files.move(tmp, dataDir.resolve(NAME), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Removed as the server stops, unless another server has written its own since. */
    void withdraw(Path dataDir) {
        try {
            if (find(dataDir).filter(this::equals).isPresent()) Files.deleteIfExists(dataDir.resolve(NAME));
        } catch (IOException e) {
            // a stale file names a process that is gone: find() passes it over
        }
    }

    /** The server that runs on this data dir, if one does (a file whose process is gone is passed over). */
    static Optional<LocalServe> find(Path dataDir) {
        Path file = dataDir.resolve(NAME);
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
            JsonNode n = ServedRun.JSON.readTree(Files.readString(file));
            LocalServe found = new LocalServe(n.path("url").asString(""), n.path("token").asString(""), n.path("pid").asLong(-1));
            // Alive, and this user's: a file left by a server that died names a process id that may be anyone's by now.
            String me = ProcessHandle.current().info().user().orElse("?");
            boolean alive = ProcessHandle.of(found.pid()).filter(ProcessHandle::isAlive).flatMap(h -> h.info().user()).filter(me::equals).isPresent();
            return alive ? Optional.of(found) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
