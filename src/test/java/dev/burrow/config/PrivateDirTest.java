package dev.burrow.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateDirTest {
    @TempDir
    Path tmp;

    @Test
    void theDataDirIsTheUsersAloneWhetherNewOrLeftOpenBefore() throws Exception {
        Path fresh = PrivateDir.secure(tmp.resolve("a/b/data"));
        assertThat(Files.getPosixFilePermissions(fresh)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        Path open = Files.createDirectories(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        PrivateDir.secure(open); // not Burrow's (yet): the user may have named a dir that holds other things
        assertThat(Files.getPosixFilePermissions(open)).isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(open.resolve("burrow.db"), "");
        PrivateDir.secure(open); // an earlier Burrow's data dir, left open
        assertThat(Files.getPosixFilePermissions(open)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }
}
