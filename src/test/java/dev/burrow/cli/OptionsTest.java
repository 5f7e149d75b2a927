package dev.burrow.cli;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void rootIsRefusedUnlessAllowed() {
        assertThatThrownBy(() -> Options.refuseRoot("serve", true, false)).hasMessageContaining("--allow-root");
        assertThatCode(() -> Options.refuseRoot("serve", true, true)).doesNotThrowAnyException();
        assertThatCode(() -> Options.refuseRoot("serve", false, false)).doesNotThrowAnyException();
    }
}
