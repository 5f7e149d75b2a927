package dev.burrow.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The GPUs this host can give sessions, read from its device nodes and CDI specs. NVIDIA goes
 * through CDI (`--device nvidia.com/gpu=all`), which Podman resolves from a spec in /etc/cdi or
 * /var/run/cdi; without a spec there is nothing safe to pass, so the doctor says how to make
 * one. AMD's devices (/dev/kfd, /dev/dri) are passed as they are.
 *
 * @param found      the GPU device nodes and CDI specs seen, for the doctor
 * @param runDevices the values for `podman run --device`, empty when sessions cannot use a GPU
 * @param fix        what to do when a GPU is present but unusable, else empty
 */
public record GpuSupport(List<String> found, List<String> runDevices, String fix) {
    public static final String NVIDIA_CDI_DEVICE = "nvidia.com/gpu=all";
    public static final GpuSupport NONE = new GpuSupport(List.of(), List.of(), "");
    private static final List<String> CDI_DIRS = List.of("etc/cdi", "var/run/cdi");

    public GpuSupport {
        found = List.copyOf(found);
        runDevices = List.copyOf(runDevices);
        Objects.requireNonNull(fix);
    }

    public static GpuSupport detect() {
        return detect(Path.of("/"));
    }

    /** Reads the host below {@code root} ("/" in production; a scratch tree in tests). */
    static GpuSupport detect(Path root) {
        List<String> nvidia = list(root.resolve("dev"), "nvidia\\d+");
        List<String> cdi = new ArrayList<>();
        for (String dir : CDI_DIRS) {
            for (String spec : list(root.resolve(dir), ".*\\.(json|yaml|yml)")) {
                if (mentionsNvidia(root.resolve(dir).resolve(spec))) cdi.add("/" + dir + "/" + spec);
            }
        }
        boolean kfd = Files.exists(root.resolve("dev/kfd"));
        List<String> render = list(root.resolve("dev/dri"), "renderD\\d+");

        List<String> found = new ArrayList<>();
        nvidia.forEach(n -> found.add("/dev/" + n));
        found.addAll(cdi);
        if (kfd) found.add("/dev/kfd");
        render.forEach(r -> found.add("/dev/dri/" + r));

        List<String> devices = new ArrayList<>();
        String fix = "";
        if (!nvidia.isEmpty() && !cdi.isEmpty()) devices.add(NVIDIA_CDI_DEVICE);
        if (!nvidia.isEmpty() && cdi.isEmpty()) {
            fix = "NVIDIA GPU without a CDI spec: install the NVIDIA Container Toolkit and run "
                    + "sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml";
        }
        // ROCm needs both the compute interface and the render nodes.
        if (kfd && !render.isEmpty()) {
            devices.add("/dev/kfd");
            devices.add("/dev/dri");
        }
        return new GpuSupport(found, devices, fix);
    }

    /** Sessions can have a GPU. */
    public boolean usable() {
        return !runDevices.isEmpty();
    }

    /** One line for the doctor and the new-session form. */
    public String summary() {
        if (found.isEmpty()) return "none found";
        String what = String.join(", ", found);
        return usable() ? what + "; sessions get --device " + String.join(" --device ", runDevices) : what + "; not usable by sessions";
    }

    private static List<String> list(Path dir, String namePattern) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches(namePattern)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean mentionsNvidia(Path spec) {
        try {
            return Files.size(spec) < 10_000_000 && Files.readString(spec).contains("nvidia.com/gpu");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
