package dev.burrow.cli;

import dev.burrow.Burrow;
import dev.burrow.config.Config;
import dev.burrow.host.HostSetup;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** Options every command that touches sessions shares (the benchmarks' commands too, from their own jar). */
public final class Options {
    @Option(names = "--data-dir", description = "Where Burrow keeps its database and workspaces (default: $BURROW_DATA_DIR, $XDG_DATA_HOME/burrow or ~/.local/share/burrow).")
    public Path dataDir;

    @Option(names = "--allow-root", description = "Run as root anyway. A container that can reach a root Podman socket is root on the host.")
    public boolean allowRoot;

    public Config config() {
        return Config.load(System.getenv(), dataDir);
    }

    Burrow start() {
        return Burrow.start(config());
    }

    public void refuseRoot(String command) {
        refuseRoot(command, HostSetup.isRoot(), allowRoot);
    }

    static void refuseRoot(String command, boolean root, boolean allowRoot) {
        if (root && !allowRoot) {
            throw new IllegalArgumentException("refusing to " + command + " as root: a container that can reach a root Podman socket is root"
                    + " on the host; run Burrow as a normal user (rootless Podman), or pass --allow-root");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger("burrow");

    static void debug(String what, long sinceNanos) {
        LOG.debug("{} at {} ms", what, (System.nanoTime() - sinceNanos) / 1_000_000);
    }

    static void progress(String line) {
        System.err.println("burrow: " + line);
    }
}
