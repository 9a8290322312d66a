package io.transferpool.messaging;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TrainerLoadsTest {
    private static final long NOW = 1_000_000;

    @Test
    void theIdleTrainerWithTheMostFreeSlotsHeardOfLatelyIsChosenNeverItself() {
        TrainerLoads loads = new TrainerLoads();
        loads.put(new TrainerLoad("self", 2, 0, 0, List.of(0), NOW));
        loads.put(new TrainerLoad("busy", 1, 1, 0, List.of(1), NOW));
        loads.put(new TrainerLoad("queue", 2, 1, 1, List.of(2), NOW));
        loads.put(new TrainerLoad("one-free", 2, 1, 0, List.of(3), NOW));
        loads.put(new TrainerLoad("two-free", 4, 2, 0, List.of(4), NOW));
        loads.put(new TrainerLoad("no-partition", 8, 0, 0, List.of(), NOW));
        loads.put(new TrainerLoad("silent", 8, 0, 0, List.of(5), NOW - TrainerLoads.FRESH.toMillis() - 1));
        assertThat(loads.idleOtherThan("self", NOW)).hasValueSatisfying(l -> assertThat(l.id()).isEqualTo("two-free"));
        loads.put(new TrainerLoad("two-free", 4, 4, 0, List.of(4), NOW));
        assertThat(loads.idleOtherThan("self", NOW)).hasValueSatisfying(l -> assertThat(l.id()).isEqualTo("one-free"));
        loads.put(new TrainerLoad("one-free", 2, 2, 0, List.of(3), NOW));
        assertThat(loads.idleOtherThan("self", NOW)).isEmpty();
    }

    @Test
    void aLoadSaysTheSameWhenOnlyItsTimeDiffers() {
        TrainerLoad l = new TrainerLoad("t", 1, 0, 0, List.of(1, 2), NOW);
        assertThat(l.sameAs(l.at(NOW + 5))).isTrue();
        assertThat(l.sameAs(new TrainerLoad("t", 1, 1, 0, List.of(1, 2), NOW))).isFalse();
        assertThat(l.sameAs(null)).isFalse();
        assertThat(l.idle()).isTrue();
    }
}
