package io.transferpool.extract;

import io.transferpool.messaging.ExtractTask;
import io.transferpool.scheduling.FairQueue;
import io.transferpool.scheduling.OwnerShares;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The extract tasks an extractor has read ahead and not yet extracted, served across owners first, then across
 * jobs, one shard per turn ({@link FairQueue}): a one-shard job's shard waits for one shard of each other job
 * ahead of it, not for all of a big job's shards before it on the partition. Offsets are held back to the oldest
 * task not yet done on each partition, so a task read ahead is never committed before it is extracted. Plain Java,
 * owned by the extractor's consumer thread.
 */
final class TaskLine {
    /** Bytes counted for a task beside its record's value. */
    static final int OVERHEAD_BYTES = 256;

    /** A task read and not yet done, with its record (for the offset and a dead letter) and when it came. */
    record Pending(ExtractTask task, ConsumerRecord<String, byte[]> record, long arrivedNanos) {
        TopicPartition partition() {
            return new TopicPartition(record.topic(), record.partition());
        }

        long bytes() {
            return (record.value() == null ? 0 : record.value().length) + OVERHEAD_BYTES;
        }
    }

    /** One job's tasks in arrival order. */
    private static final class JobTasks {
        final String owner;
        final Deque<Pending> tasks = new ArrayDeque<>();

        JobTasks(String owner) {
            this.owner = owner;
        }
    }

    private final FairQueue<JobTasks> turns;
    private final Map<String, JobTasks> jobs = new HashMap<>();
    private final Map<TopicPartition, TreeSet<Long>> unfinished = new HashMap<>();
    private int size;
    private long bytes;

    TaskLine(OwnerShares shares) {
        this.turns = new FairQueue<>(shares);
    }

    /** A task read from its record: in line behind its job's earlier tasks. */
    void add(ExtractTask task, ConsumerRecord<String, byte[]> record, long nowNanos) {
        Pending p = new Pending(task, record, nowNanos);
        JobTasks job = jobs.computeIfAbsent(task.key(), k -> new JobTasks(task.owner()));
        if (job.tasks.isEmpty()) {
            turns.add(job, job.owner);
        }
        job.tasks.addLast(p);
        unfinished.computeIfAbsent(p.partition(), tp -> new TreeSet<>()).add(record.offset());
        size++;
        bytes += p.bytes();
    }

    /** The next task to extract (its job goes to the back of its owner's line), or null when none waits. */
    Pending next() {
        JobTasks job = turns.poll(owner -> 0);
        if (job == null) {
            return null;
        }
        Pending p = job.tasks.pollFirst();
        if (job.tasks.isEmpty()) {
            jobs.remove(p.task().key());
        } else {
            turns.add(job, job.owner);
        }
        size--;
        bytes -= p.bytes();
        return p;
    }

    /** The task is extracted (or skipped, or dead-lettered): its offset may be committed. */
    void done(Pending p) {
        TreeSet<Long> offsets = unfinished.get(p.partition());
        if (offsets != null) {
            offsets.remove(p.record().offset());
        }
    }

    /** Offsets safe to commit: the positions, held back to the oldest task not yet done on each partition. */
    Map<TopicPartition, OffsetAndMetadata> committable(Map<TopicPartition, Long> positions) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        positions.forEach((tp, position) -> {
            TreeSet<Long> offsets = unfinished.get(tp);
            long at = offsets == null || offsets.isEmpty() ? position : Math.min(position, offsets.first());
            out.put(tp, new OffsetAndMetadata(at));
        });
        return out;
    }

    /** These partitions went to another extractor: their tasks leave the line (the new owner reads them again). */
    void drop(Collection<TopicPartition> partitions) {
        jobs.entrySet().removeIf(e -> {
            JobTasks job = e.getValue();
            job.tasks.removeIf(p -> {
                if (partitions.contains(p.partition())) {
                    size--;
                    bytes -= p.bytes();
                    return true;
                }
                return false;
            });
            if (job.tasks.isEmpty()) {
                turns.remove(job);
                return true;
            }
            return false;
        });
        partitions.forEach(unfinished::remove);
    }

    /** Tasks waiting. */
    int size() {
        return size;
    }

    /** What the waiting tasks take in memory, about. */
    long bytes() {
        return bytes;
    }

    /** Jobs with tasks waiting. */
    int jobs() {
        return jobs.size();
    }
}
