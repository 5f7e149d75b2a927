package dev.burrow.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.burrow.container.ContainerEngine;
import dev.burrow.container.ContainerState;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ContainerMonitorTest {
    static final String ID = "c".repeat(64);

    @Test
    void whileTheContainersProcessLivesPodmanIsNotAskedAndItsEndIsSeenWithinSeconds() throws Exception {
        Process container = new ProcessBuilder("sleep", "120").start();
        AtomicInteger listings = new AtomicInteger();
        // Only what the monitor uses; anything else it called would fail the test.
        ContainerEngine engine = (ContainerEngine) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ContainerEngine.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "mainProcess" -> Optional.of(container.toHandle());
                    case "listOwned" -> {
                        listings.incrementAndGet();
                        yield List.of(new ContainerState(ID, "burrow-x", container.isAlive() ? "running" : "exited", container.isAlive(), 0,
                                Map.of("burrow.session", "s1")));
                    }
                    case "inspect" -> Optional.empty();
                    default -> throw new AssertionError("the monitor called " + method.getName());
                });
        CountDownLatch gone = new CountDownLatch(1);
        try (ContainerMonitor monitor = new ContainerMonitor(engine, (session, state) -> {
            if (session.equals("s1") && state.isPresent() && !state.get().running()) gone.countDown();
        })) {
            monitor.watch("s1", ID);
            Thread.sleep(4 * ContainerMonitor.PERIOD_MS + 500);
            assertThat(listings).as("podman ps runs while the process lives").hasValue(1);
            container.destroyForcibly().waitFor();
            assertThat(gone.await(3 * ContainerMonitor.PERIOD_MS, TimeUnit.MILLISECONDS)).as("the end seen").isTrue();
            assertThat(listings).hasValue(2);
        } finally {
            container.destroyForcibly();
        }
    }
}
