package dev.burrow.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Logging, set up in code (found by logback through ServiceLoader): parsing an XML file
 * costs every CLI command a noticeable part of its start. Logs go to stderr, at
 * BURROW_LOG_LEVEL (default INFO), libraries at WARN; Burrow's own output is not logging.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("stderr");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getenv("BURROW_LOG_LEVEL"), Level.INFO));
        root.addAppender(stderr);
        for (String noisy : new String[] {"org.eclipse.jetty", "io.javalin", "org.flywaydb"}) {
            context.getLogger(noisy).setLevel(Level.WARN);
        }
        // password4j warns about its optional properties file even when every parameter is given in code.
        context.getLogger("com.password4j").setLevel(Level.ERROR);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
