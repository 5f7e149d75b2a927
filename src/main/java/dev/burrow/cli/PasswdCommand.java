package dev.burrow.cli;

import dev.burrow.Burrow;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "passwd", description = "Set the password for the web app (asks twice; ends every existing login).")
final class PasswdCommand implements Callable<Integer> {
    @Mixin
    Options options;

    @Option(names = "--stdin", description = "Read the password from the first line of standard input.")
    boolean stdin;

    @Override
    public Integer call() throws Exception {
        String password;
        if (stdin) {
            password = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (password == null) throw new IllegalArgumentException("no password on standard input");
        } else {
            Console console = System.console();
            if (console == null) throw new IllegalArgumentException("no terminal to ask on; use --stdin");
            char[] first = console.readPassword("New password: ");
            char[] second = console.readPassword("Again: ");
            if (first == null || second == null || !Arrays.equals(first, second)) throw new IllegalArgumentException("the passwords differ; nothing changed");
            password = new String(first);
        }
        try (Burrow burrow = options.start()) {
            burrow.auth().setPassword(password);
        }
        System.out.println("password set; every earlier login has ended");
        return 0;
    }
}
