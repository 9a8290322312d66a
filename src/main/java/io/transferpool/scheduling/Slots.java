package io.transferpool.scheduling;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * A fixed number of slots shared by time slices: work waits in a {@link FairQueue} for a slot, holds it for at
 * least one quantum, and at each of its yield points ({@link Ticket#yieldIfDue}) gives it up to waiting work once
 * its quantum is used, going to the back of its owner's line. Work that nobody waits for keeps its slot. The work
 * itself is paused in place (its thread blocks, its state stays in memory), so it goes on exactly where it stopped.
 *
 * <p>Thread-safe: one lock guards the queue and the slots; each ticket is used by its work's thread(s).
 */
public final class Slots {
    private final int slots;
    private final long quantumNanos;
    private final LongSupplier clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock.
    private final FairQueue<Ticket> queue;
    private final Map<String, Integer> inService = new HashMap<>();
    private int free;
    private double meanSliceNanos;

    /** What a slot's user is told: how long a ticket waited for its first slot (for the wait histogram). */
    @FunctionalInterface
    public interface Listener {
        void started(Ticket ticket, Duration waited);
    }

    private final Listener listener;

    public Slots(SlotPolicy policy, Listener listener) {
        this(policy, listener, System::nanoTime);
    }

    Slots(SlotPolicy policy, Listener listener, LongSupplier clock) {
        this.slots = policy.slots();
        this.free = slots;
        this.quantumNanos = policy.quantum().toNanos();
        this.queue = new FairQueue<>(policy.shares());
        this.listener = listener;
        this.clock = clock;
        this.meanSliceNanos = quantumNanos;
    }

    public int slots() {
        return slots;
    }

    /** Work that waits for a slot now (new, or paused after its turn). */
    public int waiting() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Work holding a slot now. */
    public int busy() {
        lock.lock();
        try {
            return slots - free;
        } finally {
            lock.unlock();
        }
    }

    /** Puts new work in line; its thread then calls {@link Ticket#acquire}. */
    public Ticket enter(String name, String owner) {
        Ticket t = new Ticket(name, owner);
        lock.lock();
        try {
            t.enqueuedAt = clock.getAsLong();
            queue.add(t, owner);
            dispatch();
        } finally {
            lock.unlock();
        }
        return t;
    }

    /** The waiting tickets in the order they would get a slot (index = tickets ahead). */
    public List<Ticket> line() {
        lock.lock();
        try {
            return queue.order(this::held);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The expected wait of work with {@code ahead} tickets before it: each holds a slot for about one slice (the
     * quantum, or less for work that ends sooner: the mean of recent slices), {@code slots} at a time, after the
     * slices under way now.
     */
    public Duration expectedWait(int ahead) {
        lock.lock();
        try {
            return Duration.ofNanos((long) (meanSliceNanos * (1 + ahead / slots)));
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting thread, so work stopped meanwhile (dropped, cancelled) sees it now. */
    public void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private int held(String owner) {
        return inService.getOrDefault(owner, 0);
    }

    // Under lock: hands free slots to the next tickets in line.
    private void dispatch() {
        boolean granted = false;
        while (free > 0) {
            Ticket next = queue.poll(this::held);
            if (next == null) {
                break;
            }
            free--;
            inService.merge(next.owner, 1, Integer::sum);
            next.holding = true;
            next.sliceStart = clock.getAsLong();
            granted = true;
        }
        if (granted) {
            changed.signalAll();
        }
    }

    // Under lock: the ticket gives its slot back.
    private void release(Ticket t) {
        t.holding = false;
        free++;
        inService.merge(t.owner, -1, Integer::sum);
        long slice = clock.getAsLong() - t.sliceStart;
        t.heldNanos += slice;
        meanSliceNanos = 0.8 * meanSliceNanos + 0.2 * Math.min(slice, quantumNanos);
    }

    /** One piece of work's place in line and turn with a slot. */
    public final class Ticket {
        private final String name;
        private final String owner;
        // Guarded by lock.
        private boolean holding;
        private boolean started;
        private boolean left;
        private long enqueuedAt;
        private long sliceStart;
        private long heldNanos;

        private Ticket(String name, String owner) {
            this.name = name;
            this.owner = owner;
        }

        public String name() {
            return name;
        }

        public String owner() {
            return owner;
        }

        /** True once this work has held a slot (it may be paused now). */
        public boolean started() {
            lock.lock();
            try {
                return started;
            } finally {
                lock.unlock();
            }
        }

        /**
         * Blocks until this work holds a slot. {@code stop} is asked while waiting: once true, the ticket leaves
         * the line and this throws {@link CancellationException}.
         */
        public void acquire(BooleanSupplier stop) throws InterruptedException {
            lock.lock();
            try {
                while (!holding) {
                    if (left) {
                        throw new IllegalStateException("ticket " + name + " has left");
                    }
                    if (stop.getAsBoolean()) {
                        leaveLocked();
                        throw new CancellationException(name + " stopped while waiting for a slot");
                    }
                    changed.await(200, TimeUnit.MILLISECONDS);
                }
                if (!started) {
                    started = true;
                    listener.started(this, Duration.ofNanos(sliceStart - enqueuedAt));
                }
            } finally {
                lock.unlock();
            }
        }

        /** As {@link #yieldIfDue(BooleanSupplier, IntConsumer)}, telling no one of the pause. */
        public boolean yieldIfDue(BooleanSupplier stop) throws InterruptedException {
            return yieldIfDue(stop, ahead -> { });
        }

        /**
         * A yield point (between two batches): once this work held its slot for a quantum and other work waits,
         * it goes to the back of its owner's line and blocks until its turn comes again; true if it did. Call it
         * only while holding the slot. {@code paused} is told the work's place in line (work ahead) when it has to
         * wait, before it blocks (quickly: the slots are locked meanwhile).
         */
        public boolean yieldIfDue(BooleanSupplier stop, IntConsumer paused) throws InterruptedException {
            lock.lock();
            try {
                if (!holding) {
                    throw new IllegalStateException("ticket " + name + " does not hold a slot");
                }
                if (queue.isEmpty() || clock.getAsLong() - sliceStart < quantumNanos) {
                    return false;
                }
                release(this);
                queue.add(this, owner);
                dispatch();
                if (!holding) {
                    paused.accept(placeLocked());
                }
                acquire(stop);
                return true;
            } finally {
                lock.unlock();
            }
        }

        /**
         * Takes work that waits for its first turn out of line (it is to go elsewhere); its thread keeps waiting in
         * {@link #acquire} until it is {@link #restore restored} or stopped. False when it started already or left.
         */
        public boolean withdraw() {
            lock.lock();
            try {
                if (started || holding || left || !queue.remove(this)) {
                    return false;
                }
                dispatch();
                return true;
            } finally {
                lock.unlock();
            }
        }

        /** Puts withdrawn work back in line (it could not go elsewhere), behind its owner's other work. */
        public void restore() {
            lock.lock();
            try {
                if (!holding && !left && !queue.contains(this)) {
                    queue.add(this, owner);
                    dispatch();
                }
            } finally {
                lock.unlock();
            }
        }

        /** The work is over: its slot (or place in line) goes to the next. Harmless twice. */
        public void leave() {
            lock.lock();
            try {
                leaveLocked();
            } finally {
                lock.unlock();
            }
        }

        private void leaveLocked() {
            if (left) {
                return;
            }
            left = true;
            if (holding) {
                release(this);
            } else {
                queue.remove(this);
            }
            dispatch();
        }

        /** The work ahead of this in line; -1 while it holds a slot (or has left). */
        public int placeInLine() {
            lock.lock();
            try {
                return placeLocked();
            } finally {
                lock.unlock();
            }
        }

        private int placeLocked() {
            return holding || left ? -1 : queue.order(Slots.this::held).indexOf(this);
        }

        /** Time this work has held a slot, the slice under way included. */
        public Duration held() {
            lock.lock();
            try {
                return Duration.ofNanos(heldNanos + (holding ? clock.getAsLong() - sliceStart : 0));
            } finally {
                lock.unlock();
            }
        }

        @Override
        public String toString() {
            return name + " (" + owner + ")";
        }
    }
}
