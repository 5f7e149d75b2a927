package dev.burrow.cli;

import dev.burrow.Burrow;
import dev.burrow.store.AuthStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "token", description = "Bearer tokens for scripts using the API.",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
final class TokenCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "create", description = "Create a token; it is printed once, alone on the last line.")
    static final class Create implements Callable<Integer> {
        @Mixin
        Options options;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            try (Burrow burrow = options.start()) {
                String token = burrow.auth().createToken(name);
                System.out.println("token " + name + " created; use it as: Authorization: Bearer <token>. It is shown only now:");
                System.out.println(token);
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List tokens (names and use, never the tokens).")
    static final class ListTokens implements Callable<Integer> {
        @Mixin
        Options options;

        @Override
        public Integer call() {
            try (Burrow burrow = options.start()) {
                for (AuthStore.Token t : burrow.auth().tokens()) {
                    System.out.println(t.name() + "  created " + t.createdAt() + "  " + (t.lastUsedAt() == null ? "never used" : "last used " + t.lastUsedAt()));
                }
            }
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revoke a token.")
    static final class Revoke implements Callable<Integer> {
        @Mixin
        Options options;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            try (Burrow burrow = options.start()) {
                if (!burrow.auth().revokeToken(name)) throw new IllegalArgumentException("no token named " + name);
            }
            System.out.println("token " + name + " revoked");
            return 0;
        }
    }
}
