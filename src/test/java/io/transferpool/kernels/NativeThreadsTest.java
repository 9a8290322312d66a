package io.transferpool.kernels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NativeThreadsTest {

    @Test
    void aVariableIsSetInTheCEnvironmentOnlyWhenItHasNoValue() {
        String name = "TP_NATIVE_THREADS_TEST_" + System.nanoTime();
        assertThat(NativeThreads.setIfAbsent(name, "first")).isEqualTo("first");
        assertThat(NativeThreads.setIfAbsent(name, "second")).as("a value already there is kept").isEqualTo("first");
    }

    @Test
    void theWaitPolicyIsPassiveForLibrariesLoadedAfterwards() {
        assertThat(NativeThreads.configure()).isEqualToIgnoringCase(NativeThreads.PASSIVE);
    }
}
