package dev.burrow.cli;

import dev.burrow.config.Config;
import dev.burrow.container.PodmanCli;
import dev.burrow.container.ProcessRunner;
import dev.burrow.container.RunnerImage;
import dev.burrow.host.Doctor;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "doctor", description = "Check this machine's setup, with the fix for each failure.")
final class DoctorCommand implements Callable<Integer> {
    @Mixin
    Options options;

    @Override
    public Integer call() {
        Config config = options.config();
        String image = config.runnerImage().isBlank() ? RunnerImage.fromClasspath().tag() : config.runnerImage();
        List<Doctor.Check> checks = new java.util.ArrayList<>(new Doctor(config, new PodmanCli(ProcessRunner.SYSTEM), image).run());
        // Always there: the user service and linger (neither is required to run Burrow).
        dev.burrow.host.UserService service = ServiceCommand.service();
        boolean installed = java.nio.file.Files.isRegularFile(service.unitFile());
        checks.add(new Doctor.Check("user service", installed, false, installed ? "installed: " + service.unitFile() : "not installed",
                "./burrow service install (keeps Burrow serving after this shell ends, restarts it on failure)"));
        dev.burrow.host.UserService.Step linger = service.linger();
        checks.add(new Doctor.Check("linger", linger.ok(), false, linger.line(), ""));
        checks.forEach(c -> System.out.println(c.line()));
        return checks.stream().anyMatch(c -> c.required() && !c.ok()) ? 1 : 0;
    }
}
