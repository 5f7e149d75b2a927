package dev.burrow.cli;

import dev.burrow.Burrow;
import dev.burrow.session.Session;
import dev.burrow.session.SessionMode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** `./burrow mode ID chat|terminal`: continues a session's conversation in the other mode. */
@Command(name = "mode", description = "Continue a session in chat or in the terminal; the conversation carries over (claude --resume).")
final class ModeCommand implements Callable<Integer> {
    @Mixin
    Options options;

    @Parameters(index = "0", paramLabel = "ID", description = "Session id (or its short id).")
    String id;

    @Parameters(index = "1", paramLabel = "MODE", description = "chat or terminal.")
    String mode;

    @Override
    public Integer call() throws Exception {
        options.refuseRoot("run sessions");
        SessionMode target = SessionMode.parse(mode);
        try (Burrow burrow = options.start()) {
            burrow.sessions().ensureRunnerImage(Options::progress);
            burrow.sessions().reconcile(false);
            Session s = burrow.sessions().switchMode(id, target, Options::progress);
            System.err.println("burrow: session " + s.shortId() + " is " + s.state().label() + " in " + s.mode().label() + " mode"
                    + (target == SessionMode.TERMINAL ? "; ./burrow attach " + s.shortId() + " shows it" : ""));
            return 0;
        }
    }
}
