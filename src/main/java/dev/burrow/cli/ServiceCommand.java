package dev.burrow.cli;

import dev.burrow.config.Config;
import dev.burrow.container.Commands;
import dev.burrow.container.ProcessRunner;
import dev.burrow.host.HostSetup;
import dev.burrow.host.UserService;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "service", description = "Keep Burrow serving as a systemd user service (install, uninstall, status).",
        subcommands = {ServiceCommand.Install.class, ServiceCommand.Uninstall.class, ServiceCommand.Status.class})
final class ServiceCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    static UserService service() {
        return new UserService(new Commands(ProcessRunner.SYSTEM), UserService.configHome(System.getenv()));
    }

    /** The unit's plan from this process: the launcher next to this jar, this JDK, this data dir and this shell's settings. */
    static UserService.Plan plan(Options options, List<String> serveArgs) {
        Config config = options.config();
        Path jar;
        try {
            jar = Path.of(ServiceCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Path launcher = jar.getParent().getParent().resolve("burrow");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalArgumentException("the launcher " + launcher + " is not there; install the service with the ./burrow of a Burrow checkout");
        }
        return new UserService.Plan(launcher, Path.of(System.getProperty("java.home")), config.dataDir(), serveArgs, System.getenv());
    }

    static int print(List<UserService.Step> steps) {
        steps.forEach(s -> System.out.println((s.ok() ? "" : "note: ") + s.line()));
        return 0;
    }

    @Command(name = "install", description = "Install, enable and start the user unit running burrow serve with this shell's settings (secrets stay in the data dir).")
    static final class Install implements Callable<Integer> {
        @Mixin
        Options options;

        @Mixin
        ServeOptions serve;

        @Option(names = "--no-enable", description = "Write the unit only; do not enable or start it.")
        boolean noEnable;

        @Override
        public Integer call() {
            refuseRoot();
            List<UserService.Step> steps = service().install(plan(options, serve.args()), !noEnable);
            print(steps);
            // Enabling was asked for and could not be done: the user has a step left.
            return !noEnable && steps.stream().anyMatch(s -> !s.ok() && s.line().contains("could not enable")) ? 1 : 0;
        }
    }

    @Command(name = "uninstall", description = "Stop and remove the user unit; running sessions' containers keep running.")
    static final class Uninstall implements Callable<Integer> {
        @Override
        public Integer call() {
            refuseRoot();
            return print(service().uninstall());
        }
    }

    @Command(name = "status", description = "Whether the user unit is installed, enabled and running, and whether linger is on.")
    static final class Status implements Callable<Integer> {
        @Mixin
        Options options;

        @Mixin
        ServeOptions serve;

        @Override
        public Integer call() {
            return print(service().status(plan(options, serve.args())));
        }
    }

    static void refuseRoot() {
        if (HostSetup.isRoot()) {
            throw new IllegalArgumentException("refusing to install a user service as root: Burrow runs as a normal user with rootless Podman;"
                    + " run ./burrow service as that user, without sudo");
        }
    }
}
