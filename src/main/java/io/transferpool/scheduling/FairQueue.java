package io.transferpool.scheduling;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Work waiting for a share of some capacity (training slots, an extractor's time), served across owners before
 * jobs: the owner served least so far for its weight goes next (a stride scheduler: each service moves the owner's
 * pass on by 1/weight), first come first served among equals and within one owner. An owner that starts waiting
 * again does not bring the credit of its idle time: its pass is raised to the pass of the last owner served, so it
 * cannot shut the others out for as long as it was away. An owner at its cap waits until one of its units frees.
 * Work put back after its turn ({@link #add} again) goes to the back of its owner's line: round-robin, so no long
 * job starves and no short job waits for a long one to end.
 *
 * <p>Not thread-safe: its user (one lock, or one thread) owns it. Items are told apart by identity.
 *
 * @param <T> the work
 */
public final class FairQueue<T> {
    private final OwnerShares shares;
    private final Map<String, Deque<Waiting<T>>> lines = new HashMap<>();
    private final Map<String, Double> pass = new HashMap<>();
    private final Map<T, Waiting<T>> index = new IdentityHashMap<>();
    private double clock;
    private long arrivals;

    private record Waiting<T>(T item, String owner, long seq) {
    }

    public FairQueue(OwnerShares shares) {
        this.shares = shares;
    }

    /** Puts work at the back of its owner's line. */
    public void add(T item, String owner) {
        if (index.containsKey(item)) {
            throw new IllegalStateException("already waiting: " + item);
        }
        Deque<Waiting<T>> line = lines.computeIfAbsent(owner, o -> new ArrayDeque<>());
        if (line.isEmpty()) {
            pass.merge(owner, clock, Math::max);
        }
        Waiting<T> w = new Waiting<>(item, owner, arrivals++);
        line.addLast(w);
        index.put(item, w);
    }

    /** Takes work out of the queue (cancelled, dropped); false if it was not waiting. */
    public boolean remove(T item) {
        Waiting<T> w = index.remove(item);
        if (w == null) {
            return false;
        }
        Deque<Waiting<T>> line = lines.get(w.owner());
        line.remove(w);
        if (line.isEmpty()) {
            lines.remove(w.owner());
        }
        return true;
    }

    public boolean contains(T item) {
        return index.containsKey(item);
    }

    public int size() {
        return index.size();
    }

    public boolean isEmpty() {
        return index.isEmpty();
    }

    /**
     * The next work to serve, or null when nothing waits or every waiting owner is at its cap.
     *
     * @param inService units each owner holds now (for caps)
     */
    public T poll(ToIntFunction<String> inService) {
        String owner = nextOwner(inService);
        if (owner == null) {
            return null;
        }
        Deque<Waiting<T>> line = lines.get(owner);
        Waiting<T> w = line.pollFirst();
        if (line.isEmpty()) {
            lines.remove(owner);
        }
        index.remove(w.item());
        double p = pass.get(owner);
        clock = Math.max(clock, p);
        pass.put(owner, p + 1 / shares.weight(owner));
        return w.item();
    }

    /**
     * The waiting work in the order it would be served if nothing else arrived and no unit freed out of turn: each
     * item's index is the number of items ahead of it. Work of owners at their cap comes last, in arrival order.
     */
    public List<T> order(ToIntFunction<String> inService) {
        FairQueue<T> copy = new FairQueue<>(shares);
        lines.forEach((owner, line) -> copy.lines.put(owner, new ArrayDeque<>(line)));
        copy.index.putAll(index);
        copy.pass.putAll(pass);
        copy.clock = clock;
        List<T> out = new ArrayList<>(index.size());
        for (T next = copy.poll(inService); next != null; next = copy.poll(inService)) {
            out.add(next);
        }
        copy.index.values().stream().sorted(java.util.Comparator.comparingLong(Waiting::seq))
                .forEach(w -> out.add(w.item()));
        return out;
    }

    private String nextOwner(ToIntFunction<String> inService) {
        String owner = null;
        double best = Double.POSITIVE_INFINITY;
        long bestSeq = Long.MAX_VALUE;
        for (var e : lines.entrySet()) {
            String o = e.getKey();
            if (inService.applyAsInt(o) >= shares.cap(o)) {
                continue;
            }
            double p = pass.get(o);
            long seq = e.getValue().peekFirst().seq();
            if (p < best || (p == best && seq < bestSeq)) {
                owner = o;
                best = p;
                bestSeq = seq;
            }
        }
        return owner;
    }
}
