package dev.burrow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's file for ./burrow run: the user's alone, believed only while its process runs. */
class LocalServeTest {
    @TempDir
    Path data;

    private static final String TOKEN = "abcdefghijklmnopqrstuvwxyz012345";

    @Test
    void aRunningServersFileIsFoundAndReadableByTheUserAlone() throws Exception {
        LocalServe serve = new LocalServe("http://127.0.0.1:7070", TOKEN, ProcessHandle.current().pid());
        serve.announce(data);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(LocalServe.NAME)))).isEqualTo("rw-------");
        assertThat(LocalServe.find(data)).contains(serve);
        serve.withdraw(data);
        assertThat(LocalServe.find(data)).isEmpty();
        assertThat(data.resolve(LocalServe.NAME)).doesNotExist();
    }

    @Test
    void aFileOfAGoneProcessALinkOrGarbageIsPassedOver() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        new LocalServe("http://127.0.0.1:7070", TOKEN, gone.pid()).announce(data);
        assertThat(LocalServe.find(data)).isEmpty();

        Files.delete(data.resolve(LocalServe.NAME));
        Path elsewhere = data.resolve("elsewhere.json");
        new LocalServe("http://127.0.0.1:7070", TOKEN, ProcessHandle.current().pid()).announce(data);
        Files.move(data.resolve(LocalServe.NAME), elsewhere);
        Files.createSymbolicLink(data.resolve(LocalServe.NAME), elsewhere);
        assertThat(LocalServe.find(data)).isEmpty();

        Files.delete(data.resolve(LocalServe.NAME));
        Files.writeString(data.resolve(LocalServe.NAME), "{\"url\":\"http://evil.example:80/x\",\"token\":\"" + TOKEN + "\",\"pid\":1}");
        assertThat(LocalServe.find(data)).isEmpty();
    }

    @Test
    void anotherServersFileIsNotWithdrawn() throws Exception {
        LocalServe mine = new LocalServe("http://127.0.0.1:7070", TOKEN, ProcessHandle.current().pid());
        LocalServe theirs = new LocalServe("http://127.0.0.1:7071", TOKEN, ProcessHandle.current().pid());
        theirs.announce(data);
        mine.withdraw(data);
        assertThat(LocalServe.find(data)).contains(theirs);
    }
}
