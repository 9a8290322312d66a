package io.transferpool.scheduling;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FairQueueTest {
    private static final java.util.function.ToIntFunction<String> NONE_HELD = o -> 0;

    private static List<String> drain(FairQueue<String> q) {
        List<String> out = new ArrayList<>();
        for (String s = q.poll(NONE_HELD); s != null; s = q.poll(NONE_HELD)) {
            out.add(s);
        }
        return out;
    }

    @Test
    void oneOwnersWorkIsServedFirstComeFirstServed() {
        FairQueue<String> q = new FairQueue<>(OwnerShares.EQUAL);
        q.add("a1", "alice");
        q.add("a2", "alice");
        q.add("a3", "alice");
        assertThat(drain(q)).containsExactly("a1", "a2", "a3");
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void ownersTakeTurnsSoAFewJobsAreNotBehindManyOfAnotherOwner() {
        FairQueue<String> q = new FairQueue<>(OwnerShares.EQUAL);
        for (int i = 1; i <= 5; i++) {
            q.add("a" + i, "alice");
        }
        assertThat(q.poll(NONE_HELD)).isEqualTo("a1");
        q.add("b1", "bob");
        q.add("b2", "bob");
        // bob arrived after alice was served once: he goes next, then they alternate, then alice's rest
        assertThat(drain(q)).containsExactly("b1", "a2", "b2", "a3", "a4", "a5");
    }

    @Test
    void equalOwnersArrivingTogetherAreServedInArrivalOrder() {
        FairQueue<String> q = new FairQueue<>(OwnerShares.EQUAL);
        q.add("a1", "alice");
        q.add("b1", "bob");
        q.add("a2", "alice");
        q.add("b2", "bob");
        assertThat(drain(q)).containsExactly("a1", "b1", "a2", "b2");
    }

    @Test
    void workPutBackAfterItsTurnGoesBehindTheOwnersOtherWork() {
        FairQueue<String> q = new FairQueue<>(OwnerShares.EQUAL);
        q.add("long", "alice");
        assertThat(q.poll(NONE_HELD)).isEqualTo("long");
        q.add("short", "alice");
        q.add("long", "alice"); // its quantum is used: round-robin
        assertThat(drain(q)).containsExactly("short", "long");
    }

    @Test
    void weightsShareTurnsInProportion() {
        FairQueue<String> q = new FairQueue<>(OwnerShares.of(Map.of("alice", new OwnerShares.Share(2, Integer.MAX_VALUE))));
        for (int i = 0; i < 40; i++) {
            q.add("a" + i, "alice");
            q.add("b" + i, "bob");
        }
        List<String> first = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            first.add(q.poll(NONE_HELD));
        }
        assertThat(first.stream().filter(s -> s.startsWith("a")).count()).isEqualTo(20);
        assertThat(first).startsWith("a0", "b0", "a1", "b1", "a2", "a3", "b2");
    }

    @Test
    void anOwnerIdleForAWhileDoesNotBringCreditForItsIdleTime() {
        FairQueue<String> q = new FairQueue<>(OwnerShares.EQUAL);
        q.add("b0", "bob");
        q.poll(NONE_HELD); // bob once, alone
        for (int i = 1; i <= 10; i++) {
            q.add("a" + i, "alice");
        }
        for (int i = 0; i < 8; i++) {
            q.poll(NONE_HELD); // alice served 8 times while bob had nothing
        }
        for (int i = 1; i <= 4; i++) {
            q.add("b" + i, "bob");
        }
        // bob does not get 7 turns in a row to catch up: the two alternate
        assertThat(drain(q)).containsExactly("b1", "a9", "b2", "a10", "b3", "b4");
    }

    @Test
    void anOwnerAtItsCapWaitsWhileOthersAreServed() {
        FairQueue<String> q = new FairQueue<>(OwnerShares.of(Map.of("batch", new OwnerShares.Share(1, 1))));
        q.add("x1", "batch");
        q.add("x2", "batch");
        q.add("y1", "you");
        Map<String, Integer> held = Map.of("batch", 1);
        assertThat(q.poll(o -> held.getOrDefault(o, 0))).isEqualTo("y1");
        assertThat(q.poll(o -> held.getOrDefault(o, 0))).isNull();
        assertThat(q.order(o -> held.getOrDefault(o, 0))).containsExactly("x1", "x2");
        assertThat(q.poll(NONE_HELD)).isEqualTo("x1");
    }

    @Test
    void theOrderIsTheOrderOfServiceAndChangesNothing() {
        FairQueue<String> q = new FairQueue<>(OwnerShares.of(Map.of("alice", new OwnerShares.Share(2, Integer.MAX_VALUE))));
        for (int i = 0; i < 5; i++) {
            q.add("a" + i, "alice");
            q.add("b" + i, "bob");
            q.add("c" + i, "carol");
        }
        q.poll(NONE_HELD);
        List<String> order = q.order(NONE_HELD);
        assertThat(q.size()).isEqualTo(14);
        assertThat(drain(q)).isEqualTo(order);
    }

    @Test
    void removedWorkIsNotServed() {
        FairQueue<String> q = new FairQueue<>(OwnerShares.EQUAL);
        q.add("a1", "alice");
        q.add("a2", "alice");
        assertThat(q.remove("a1")).isTrue();
        assertThat(q.remove("a1")).isFalse();
        assertThat(q.contains("a2")).isTrue();
        assertThat(drain(q)).containsExactly("a2");
        assertThatThrownBy(() -> {
            q.add("z", "alice");
            q.add("z", "alice");
        }).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void badSharesNameTheProblem() {
        assertThatThrownBy(() -> new OwnerShares.Share(0, 1)).hasMessageContaining("weight must be a positive");
        assertThatThrownBy(() -> new OwnerShares.Share(1, 0)).hasMessageContaining("cap must be at least 1");
    }
}
