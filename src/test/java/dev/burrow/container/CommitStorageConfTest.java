package dev.burrow.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommitStorageConfTest {
    @TempDir
    Path tmp;

    private static final String[] PATHS = {"/home/u/.local/share/containers/storage", "/run/user/1000/containers"};

    @Test
    void aStorageConfWithADriverAloneGetsTheStoresPathsWrittenIn() throws Exception {
        Path user = Files.writeString(tmp.resolve("storage.conf"), "[storage]\ndriver = \"overlay\"\n\n[storage.options]\nmount_program = \"x\"\n");
        Path copy = CommitStorageConf.forCommit(user, () -> PATHS);
        try {
            assertThat(Files.readString(copy)).isEqualTo("[storage]\nrunroot = \"/run/user/1000/containers\"\ngraphroot = \"/home/u/.local/share/containers/storage\"\n"
                    + "\ndriver = \"overlay\"\n\n[storage.options]\nmount_program = \"x\"\n");
        } finally {
            CommitStorageConf.delete(copy);
        }
    }

    @Test
    void noCopyWhereTheFileNamesItsRunRootOrThereIsNoFile() throws Exception {
        Path user = Files.writeString(tmp.resolve("storage.conf"), "[storage]\ndriver = \"overlay\"\n  runroot = \"/r\"\n");
        assertThat(CommitStorageConf.forCommit(user, () -> PATHS)).isNull();
        assertThat(CommitStorageConf.forCommit(tmp.resolve("none.conf"), () -> PATHS)).isNull();
    }

    @Test
    void theUsersFileIsFoundWherePodmanLooks() {
        assertThat(CommitStorageConf.userConf(Map.of(), "/home/u")).isEqualTo(Path.of("/home/u/.config/containers/storage.conf"));
        assertThat(CommitStorageConf.userConf(Map.of("XDG_CONFIG_HOME", "/x"), "/home/u")).isEqualTo(Path.of("/x/containers/storage.conf"));
        assertThat(CommitStorageConf.userConf(Map.of("CONTAINERS_STORAGE_CONF", "/s.conf"), "/home/u")).isEqualTo(Path.of("/s.conf"));
    }
}
