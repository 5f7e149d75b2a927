package dev.burrow.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;
import org.flywaydb.core.Flyway;

/**
 * Burrow's SQLite database (WAL, migrated by Flyway). One connection, used under a lock:
 * SQLite has one writer anyway, and this keeps every append's sequence number exact.
 * Other processes (a CLI beside the server) wait on SQLite's busy timeout.
 */
public final class Database implements AutoCloseable {
    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();

    public Database(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String url = "jdbc:sqlite:" + file.toAbsolutePath();
        try {
            // Transactions take the write lock as they begin (BEGIN IMMEDIATE), so another process
            // holding it (a second Burrow, a backup) is waited for, up to the busy timeout: a
            // deferred one that read first would fail at once when it came to write (SQLite
            // never waits there, to avoid a deadlock), and the event it was storing would be lost.
            org.sqlite.SQLiteConfig sqlite = new org.sqlite.SQLiteConfig();
            sqlite.setTransactionMode(org.sqlite.SQLiteConfig.TransactionMode.IMMEDIATE);
            sqlite.setBusyTimeout(BUSY_TIMEOUT_MS);
            connection = DriverManager.getConnection(url, sqlite.toProperties());
            // Flyway takes a good part of a second to start; a CLI command should not pay that
            // when the schema is already current.
            if (schemaVersion(connection) < LATEST_MIGRATION) {
                Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").load().migrate();
            }
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=" + BUSY_TIMEOUT_MS);
                s.execute("PRAGMA foreign_keys=ON");
            }
        } catch (SQLException e) {
            throw new StoreException("cannot open the database " + file + ": " + e.getMessage(), e);
        }
    }

    /** How long a write waits for another process's lock on the database. */
    static final int BUSY_TIMEOUT_MS = 10_000;

    /** The highest V<n>__*.sql in db/migration; DatabaseTest checks that it is. */
    static final int LATEST_MIGRATION = 8;

    private static int schemaVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT MAX(CAST(version AS INTEGER)) FROM flyway_schema_history WHERE success = 1")) {
            return rs.next() ? rs.getInt(1) : 0;
        } catch (SQLException e) {
            return 0; // no history table yet: a new database
        }
    }

    interface Work<T> {
        T apply(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one transaction, alone on the connection. */
    <T> T transaction(Work<T> work) {
        lock.lock();
        try {
            connection.setAutoCommit(false);
            try {
                T result = work.apply(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("database error: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing at shutdown: nothing left to do with the error
        } finally {
            lock.unlock();
        }
    }
}
