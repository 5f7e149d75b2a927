package dev.burrow.cli;

import dev.burrow.config.PrivateDir;
import dev.burrow.container.ContainerException;
import dev.burrow.session.SessionException;
import dev.burrow.workspace.WorkspaceException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `./burrow`: the command line. Every failure ends in one line on stderr saying what to do. */
@Command(name = "burrow", mixinStandardHelpOptions = true, version = "Burrow 0.1.0",
        description = "Claude Code sessions in rootless Podman containers on your own machine.")
public final class Main implements Runnable {
    // Picocli reflects over every registered command, a few hundred milliseconds for all of
    // them; a command line that names one registers only that one.
    private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("serve", ServeCommand::new);
        COMMANDS.put("run", RunCommand::new);
        COMMANDS.put("sessions", SessionsCommand::new);
        COMMANDS.put("resume", ResumeCommand::new);
        COMMANDS.put("stop", StopCommand::new);
        COMMANDS.put("rm", RmCommand::new);
        COMMANDS.put("attach", AttachCommand::new);
        COMMANDS.put("mode", ModeCommand::new);
        COMMANDS.put("doctor", DoctorCommand::new);
        COMMANDS.put("service", ServiceCommand::new);
        COMMANDS.put("image", ImageCommand::new);
        COMMANDS.put("env", EnvCommand::new);
        COMMANDS.put("passwd", PasswdCommand::new);
        COMMANDS.put("token", TokenCommand::new);
        COMMANDS.put("bench", Main::bench);
        COMMANDS.put("aot-training", AotTrainingCommand::new);
    }

    /** The benchmarks come from their own jar, which only `./burrow bench` puts on the class path; null without it. */
    private static Object bench() {
        try {
            return Class.forName("dev.burrow.bench.BenchCommand").getConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load the benchmarks", e);
        }
    }

    public static void main(String[] args) {
        PrivateDir.ownerOnlyFromNowOn();
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code; tests call this too. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        Supplier<Object> only = args.length > 0 ? COMMANDS.get(args[0]) : null;
        if (only != null) {
            Object command = only.get();
            if (command == null) {
                System.err.println("burrow: the benchmarks are not in this jar; run them with ./burrow bench, which builds target/burrow-bench.jar");
                return 1;
            }
            cl.addSubcommand(args[0], command);
        } else {
            COMMANDS.forEach((name, command) -> {
                Object c = command.get();
                if (c != null) cl.addSubcommand(name, c);
            });
        }
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            String msg = switch (e) {
                case SessionException se -> se.getMessage();
                case ContainerException ce -> ce.getMessage();
                case WorkspaceException we -> we.getMessage();
                case IllegalArgumentException ie -> ie.getMessage();
                default -> e.toString();
            };
            cmd.getErr().println("burrow: " + msg);
            if (!(e instanceof SessionException || e instanceof ContainerException || e instanceof WorkspaceException
                    || e instanceof IllegalArgumentException)) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
