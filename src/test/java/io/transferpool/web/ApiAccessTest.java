package io.transferpool.web;

import org.junit.jupiter.api.Test;

import java.util.Map;
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

    @Test
    void anOwnersTokenLetsItsBearerInAndSaysWhoseJobItIs() {
        Map<String, String> owners = Map.of("alice", "a-token", "bob", "b-token", "off", "");
        assertThat(ApiAccess.allowed(Optional.empty(), owners, null)).as("owner tokens turn access on").isFalse();
        assertThat(ApiAccess.allowed(Optional.empty(), owners, "Bearer a-token")).isTrue();
        assertThat(ApiAccess.allowed(Optional.of("admin"), owners, "Bearer admin")).isTrue();
        assertThat(ApiAccess.allowed(Optional.of("admin"), owners, "Bearer c-token")).isFalse();
        assertThat(ApiAccess.allowed(Optional.empty(), Map.of("off", ""), null)).as("blank tokens: off").isTrue();
        assertThat(ApiAccess.ownerOf(owners, "Bearer b-token")).contains("bob");
        assertThat(ApiAccess.ownerOf(owners, "Bearer admin")).isEmpty();
        assertThat(ApiAccess.ownerOf(owners, "Bearer ")).as("a blank token is nobody's").isEmpty();
        assertThat(ApiAccess.ownerOf(owners, null)).isEmpty();
    }
}
