package io.transferpool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Debian's headless Chromium, which the tests that look at pages run (scripts/install-test-packages.sh). */
public final class Chromium {
    private Chromium() {
    }

    public static Path path() {
        Path chromium = List.of(Path.of("/usr/bin/chromium"), Path.of("/usr/bin/chromium-browser")).stream()
                .filter(Files::isExecutable).findFirst().orElse(null);
        assertThat(chromium).as("Chromium; install Debian's chromium (scripts/install-test-packages.sh does)")
                .isNotNull();
        return chromium;
    }
}
