package dev.burrow.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LimitsTest {
    @Test
    void settingsBecomePodmanFlagsAndBadOnesSayWhatIsExpected() {
        // Always a ceiling on the user's processes (all of theirs, so not the container's pids limit), within Burrow's own hard limit.
        int nproc = (int) Math.min(Limits.DEFAULT_NPROC, Limits.ownHardNproc());
        assertThat(Limits.parse("8G", "1.5", "4096").runArgs()).containsExactly("--ulimit", "nproc=" + nproc + ":" + nproc, "--memory", "8g",
                "--cpus", "1.5", "--pids-limit", "4096");
        assertThat(Limits.parse(null, " ", "").runArgs()).containsExactly("--ulimit", "nproc=" + nproc + ":" + nproc);
        assertThat(Limits.parse(null, null, null).describe()).isEqualTo("Podman's defaults");
        assertThat(Limits.parse("512m", null, "100").describe()).isEqualTo("memory 512m, 100 processes");
        assertThatThrownBy(() -> Limits.parse("lots", null, null)).hasMessageContaining("BURROW_MEMORY must be a size such as 8g");
        assertThatThrownBy(() -> Limits.parse(null, "0", null)).hasMessageContaining("BURROW_CPUS");
        assertThatThrownBy(() -> Limits.parse(null, null, "many")).hasMessageContaining("BURROW_PIDS");
    }
}
