package dev.burrow.cli;

import dev.burrow.container.ContainerException;
import dev.burrow.session.SessionException;
import dev.burrow.workspace.WorkspaceException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `./burrow`: the command line. Every failure ends in one line on stderr saying what to do. */
@Command(name = "burrow", mixinStandardHelpOptions = true, version = "Burrow 0.1.0",
        description = "Claude Code sessions in rootless Podman containers on your own machine.",
        subcommands = {ServeCommand.class, RunCommand.class, SessionsCommand.class, ResumeCommand.class, StopCommand.class,
                RmCommand.class, DoctorCommand.class, ImageCommand.class, BenchCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code; tests call this too. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
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
