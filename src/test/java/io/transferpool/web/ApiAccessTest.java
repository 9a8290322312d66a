package io.transferpool.web;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ApiAccessTest {
    @Test
    void withoutATokenEverythingPassesWithOneOnlyTheBearerOfIt() {
        assertThat(ApiAccess.check(Optional.empty(), null)).isTrue();
        assertThat(ApiAccess.check(Optional.of(""), null)).as("blank: off").isTrue();
        Optional<String> token = Optional.of("s3cret");
        assertThat(ApiAccess.check(token, "Bearer s3cret")).isTrue();
        assertThat(ApiAccess.check(token, "bearer s3cret")).as("scheme is case-insensitive").isTrue();
        assertThat(ApiAccess.check(token, null)).isFalse();
        assertThat(ApiAccess.check(token, "Bearer s3cre")).isFalse();
        assertThat(ApiAccess.check(token, "Basic s3cret")).isFalse();
        assertThat(ApiAccess.check(token, "s3cret")).isFalse();
    }
}
