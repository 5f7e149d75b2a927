package dev.burrow.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GPU detection on scratch trees that look like hosts with and without GPUs. */
class GpuSupportTest {
    @TempDir
    Path root;

    private void touch(String path, String content) throws Exception {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    @Test
    void noGpuMeansNoDeviceFlags() throws Exception {
        touch("dev/null", "");
        GpuSupport gpu = GpuSupport.detect(root);
        assertThat(gpu.runDevices()).isEmpty();
        assertThat(gpu.usable()).isFalse();
        assertThat(gpu.summary()).isEqualTo("none found");
        assertThat(gpu.fix()).isEmpty();
    }

    @Test
    void anNvidiaGpuWithACdiSpecIsPassedThroughCdi() throws Exception {
        touch("dev/nvidia0", "");
        touch("dev/nvidiactl", "");
        touch("var/run/cdi/nvidia.yaml", "cdiVersion: 0.5.0\nkind: nvidia.com/gpu\ndevices:\n- name: all\n");
        touch("etc/cdi/other.json", "{\"kind\": \"vendor.example/thing\"}");
        GpuSupport gpu = GpuSupport.detect(root);
        assertThat(gpu.runDevices()).containsExactly("nvidia.com/gpu=all");
        assertThat(gpu.found()).containsExactly("/dev/nvidia0", "/var/run/cdi/nvidia.yaml");
        assertThat(gpu.summary()).contains("--device nvidia.com/gpu=all");
    }

    @Test
    void anNvidiaGpuWithoutACdiSpecGetsNothingAndTheFix() throws Exception {
        touch("dev/nvidia0", "");
        GpuSupport gpu = GpuSupport.detect(root);
        assertThat(gpu.runDevices()).isEmpty();
        assertThat(gpu.fix()).contains("nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml");
        assertThat(gpu.summary()).contains("/dev/nvidia0", "not usable");
    }

    @Test
    void anAmdGpuIsPassedAsItsDevices() throws Exception {
        touch("dev/kfd", "");
        touch("dev/dri/renderD128", "");
        touch("dev/dri/card0", "");
        GpuSupport gpu = GpuSupport.detect(root);
        assertThat(gpu.runDevices()).containsExactly("/dev/kfd", "/dev/dri");
        assertThat(gpu.found()).containsExactly("/dev/kfd", "/dev/dri/renderD128");
    }
}
