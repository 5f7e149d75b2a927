package dev.burrow.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.burrow.store.AuthStore;
import dev.burrow.store.Database;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticatorTest {
    @TempDir
    Path tmp;
    Database db;
    MutableClock clock = new MutableClock();
    Authenticator auth;

    @BeforeEach
    void setUp() {
        db = new Database(tmp.resolve("b.db"));
        auth = new Authenticator(new AuthStore(db), clock);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    @Test
    void thePasswordIsStoredAsArgon2idAndChecked() {
        assertThat(auth.passwordSet()).isFalse();
        assertThatThrownBy(() -> auth.setPassword("short")).hasMessageContaining("at least");
        auth.setPassword("correct horse battery");
        assertThat(new AuthStore(db).passwordHash().orElseThrow()).startsWith("$argon2id$").doesNotContain("correct horse");
        assertThat(auth.checkPassword("correct horse battery")).isTrue();
        assertThat(auth.checkPassword("Correct horse battery")).isFalse();
    }

    @Test
    void loginsExpireWhenIdleAndAfterTheirLifetimeAndWithANewPassword() {
        auth.setPassword("correct horse battery");
        Authenticator.NewLogin a = auth.login("127.0.0.1", "test");
        assertThat(auth.session(a.cookieValue())).isPresent();
        assertThat(auth.session("made-up")).isEmpty();
        // Only the hash is stored.
        assertThat(auth.logins()).singleElement().satisfies(l -> assertThat(l.idHash()).isNotEqualTo(a.cookieValue()).hasSize(64));

        clock.advance(Authenticator.IDLE_EXPIRY.plusMinutes(1));
        assertThat(auth.session(a.cookieValue())).isEmpty();

        Authenticator.NewLogin b = auth.login("127.0.0.1", "test");
        for (int day = 0; day < 29; day++) {
            clock.advance(Duration.ofDays(1));
            assertThat(auth.session(b.cookieValue())).isPresent();
        }
        clock.advance(Duration.ofDays(1).plusMinutes(1));
        assertThat(auth.session(b.cookieValue())).as("absolute expiry").isEmpty();

        Authenticator.NewLogin c = auth.login("127.0.0.1", "test");
        auth.setPassword("another long password");
        assertThat(auth.session(c.cookieValue())).isEmpty();
    }

    @Test
    void tokensAreShownOnceStoredHashedAndRevocable() {
        String token = auth.createToken("ci");
        assertThat(auth.token(token)).contains("ci");
        assertThat(auth.token(token + "x")).isEmpty();
        assertThatThrownBy(() -> auth.createToken("ci")).hasMessageContaining("exists");
        assertThatThrownBy(() -> auth.createToken("bad name")).hasMessageContaining("token name");
        assertThat(auth.tokens()).singleElement().satisfies(t -> assertThat(t.lastUsedAt()).isNotNull());
        assertThat(auth.revokeToken("ci")).isTrue();
        assertThat(auth.token(token)).isEmpty();
    }
}
