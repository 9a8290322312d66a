package io.transferpool.scheduling;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The slots' decisions on a clock the test moves; threads only where work really blocks. */
class SlotsTest {
    private static final Duration QUANTUM = Duration.ofSeconds(1);
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final List<Duration> waits = new CopyOnWriteArrayList<>();

    private Slots slots(int n, OwnerShares shares) {
        return new Slots(new SlotPolicy(n, QUANTUM, shares), (t, waited) -> waits.add(waited), clock::get);
    }

    @Test
    void longWorkYieldsAtItsNextPointOnceItsQuantumIsUsedAndResumesAfterTheShortOne() throws Exception {
        Slots s = slots(1, OwnerShares.EQUAL);
        Slots.Ticket longJob = s.enter("long", "alice");
        longJob.acquire(() -> false);
        Slots.Ticket shortJob = s.enter("short", "bob");
        assertThat(s.line()).containsExactly(shortJob);
        assertThat(longJob.yieldIfDue(() -> false)).as("within its quantum").isFalse();

        clock.addAndGet(QUANTUM.toNanos());
        CompletableFuture<Boolean> paused = CompletableFuture.supplyAsync(() -> {
            try {
                return longJob.yieldIfDue(() -> false);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        CompletableFuture.runAsync(() -> {
            try {
                shortJob.acquire(() -> false);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }).get(30, TimeUnit.SECONDS);
        assertThat(s.line()).containsExactly(longJob);
        assertThat(paused).isNotDone();
        assertThat(waits).containsExactly(Duration.ZERO, QUANTUM);

        clock.addAndGet(200_000_000L);
        shortJob.leave();
        assertThat(paused.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(s.waiting()).isZero();
        assertThat(s.busy()).isEqualTo(1);
        assertThat(longJob.held()).isEqualTo(QUANTUM);
        assertThat(waits).as("only the first turn's wait is counted").hasSize(2);
        longJob.leave();
        assertThat(s.busy()).isZero();
    }

    @Test
    void workNobodyWaitsForKeepsItsSlot() throws Exception {
        Slots s = slots(1, OwnerShares.EQUAL);
        Slots.Ticket t = s.enter("alone", "alice");
        t.acquire(() -> false);
        clock.addAndGet(10 * QUANTUM.toNanos());
        assertThat(t.yieldIfDue(() -> false)).isFalse();
        assertThat(t.held()).isEqualTo(QUANTUM.multipliedBy(10));
    }

    @Test
    void workStoppedWhileWaitingLeavesTheLine() throws Exception {
        Slots s = slots(1, OwnerShares.EQUAL);
        s.enter("first", "alice").acquire(() -> false);
        Slots.Ticket waiting = s.enter("second", "alice");
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> acquire = CompletableFuture.runAsync(() -> {
            try {
                waiting.acquire(stop::get);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        stop.set(true);
        s.wake();
        assertThatThrownBy(() -> acquire.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(CancellationException.class);
        assertThat(s.waiting()).isZero();
    }

    @Test
    void severalSlotsServeSeveralJobsAtOnceAndAFreedSlotGoesToTheNext() throws Exception {
        Slots s = slots(2, OwnerShares.EQUAL);
        Slots.Ticket a = s.enter("a", "alice");
        Slots.Ticket b = s.enter("b", "alice");
        Slots.Ticket c = s.enter("c", "alice");
        a.acquire(() -> false);
        b.acquire(() -> false);
        assertThat(s.busy()).isEqualTo(2);
        assertThat(s.line()).containsExactly(c);
        a.leave();
        a.leave(); // harmless twice
        c.acquire(() -> false);
        assertThat(s.busy()).isEqualTo(2);
        assertThat(c.started()).isTrue();
    }

    @Test
    void anOwnerAtItsCapLetsOthersHaveTheFreeSlot() throws Exception {
        Slots s = slots(2, OwnerShares.of(Map.of("batch", new OwnerShares.Share(1, 1))));
        s.enter("x1", "batch").acquire(() -> false);
        Slots.Ticket x2 = s.enter("x2", "batch");
        Slots.Ticket y = s.enter("y", "you");
        y.acquire(() -> false);
        assertThat(s.line()).containsExactly(x2);
        assertThat(s.busy()).isEqualTo(2);
    }

    @Test
    void workWithdrawnBeforeItsFirstTurnWaitsOutOfLineUntilRestored() throws Exception {
        Slots s = slots(1, OwnerShares.EQUAL);
        Slots.Ticket running = s.enter("running", "alice");
        running.acquire(() -> false);
        Slots.Ticket moved = s.enter("moved", "alice");
        Slots.Ticket next = s.enter("next", "bob");
        assertThat(running.withdraw()).as("it holds a slot").isFalse();
        assertThat(moved.withdraw()).isTrue();
        assertThat(moved.withdraw()).isFalse();
        assertThat(s.line()).containsExactly(next);
        assertThat(moved.placeInLine()).isEqualTo(-1);
        running.leave();
        next.acquire(() -> false);
        moved.restore();
        assertThat(s.line()).containsExactly(moved);
        next.leave();
        moved.acquire(() -> false);
        assertThat(moved.started()).isTrue();
        assertThat(moved.withdraw()).as("started").isFalse();
    }

    @Test
    void theExpectedWaitGrowsWithTheJobsAheadPerSlot() {
        Slots s = slots(2, OwnerShares.EQUAL);
        assertThat(s.expectedWait(0)).isEqualTo(QUANTUM);
        assertThat(s.expectedWait(1)).isEqualTo(QUANTUM);
        assertThat(s.expectedWait(4)).isEqualTo(QUANTUM.multipliedBy(3));
    }

    @Test
    void aPolicyWithoutSlotsIsRefused() {
        assertThatThrownBy(() -> new SlotPolicy(0, QUANTUM, OwnerShares.EQUAL)).hasMessageContaining("slots must be");
    }
}
