package io.transferpool.train;

import io.transferpool.messaging.JobPlan;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The jobs one trainer holds: gathering (plan seen, features arriving) or training, each with the partition and
 * offset of its plan, so offsets are held back to the oldest unfinished plan and a trainer that dies mid-job gets
 * the whole job again; the ids of jobs recently finished or cancelled, so their replayed records are recognised;
 * and records of jobs whose plan has not been seen, kept (bounded by bytes, oldest job first out) until it
 * arrives. Jobs are known by their run key ({@link JobPlan#key()}: the record key on tp.features), so two runs
 * of one job id are two jobs here. Thread-safe: the consumer thread changes it, metric gauges and training threads
 * read it.
 */
public final class JobTracker {
    /** Where a held job is. */
    public enum State { GATHERING, TRAINING }

    private static final int FINISHED_REMEMBERED = 10_000;

    /** One attempt at a job on this trainer. */
    public static final class Job {
        private final String id;
        private final JobAccumulator acc;
        private final TopicPartition partition;
        private final long planOffset;
        private volatile State state = State.GATHERING;
        private volatile boolean dropped;
        private volatile boolean timedOut;

        Job(String id, JobAccumulator acc, TopicPartition partition, long planOffset) {
            this.id = id;
            this.acc = acc;
            this.partition = partition;
            this.planOffset = planOffset;
        }

        /** The run key of this job (its records' key on tp.features). */
        public String id() {
            return id;
        }

        /** The job id the user gave, for results and status events. */
        public String jobId() {
            return acc.plan().spec().jobId();
        }

        public JobAccumulator accumulator() {
            return acc;
        }

        /** The partition of tp.features its plan came from. */
        public TopicPartition partition() {
            return partition;
        }

        public State state() {
            return state;
        }

        /** True once this attempt was dropped: its training stops and its result is not published. */
        public boolean dropped() {
            return dropped;
        }

        /** True once this job trained past the pool's time limit: its training stops and it FAILS. */
        public boolean timedOut() {
            return timedOut;
        }

        /** Marks the job as past its time limit: its training stops at the next batch and it FAILS. */
        void timeOut() {
            timedOut = true;
        }
    }

    private final long orphanBytesLimit;
    private final Map<String, Job> jobs = new HashMap<>();
    private final Set<String> finished = Collections.newSetFromMap(new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > FINISHED_REMEMBERED;
        }
    });
    private final LinkedHashMap<String, List<ConsumerRecord<String, byte[]>>> orphans = new LinkedHashMap<>();
    private long orphanBytes;

    /** @param orphanBytesLimit record bytes kept, over all jobs, for jobs whose plan has not arrived */
    public JobTracker(long orphanBytesLimit) {
        this.orphanBytesLimit = orphanBytesLimit;
    }

    /** True for a job held now or finished (or cancelled) recently: its records are expected, not orphans. */
    public synchronized boolean known(String jobId) {
        return jobs.containsKey(jobId) || finished.contains(jobId);
    }

    /** Starts gathering a job from its plan; null (and the accumulator closed) when the job is already known. */
    public synchronized Job gather(JobPlan plan, JobAccumulator acc, TopicPartition partition, long planOffset) {
        String jobId = plan.key();
        if (known(jobId)) {
            acc.close();
            return null;
        }
        Job job = new Job(jobId, acc, partition, planOffset);
        jobs.put(jobId, job);
        return job;
    }

    /** The job being gathered under this id, or null. */
    public synchronized Job gathering(String jobId) {
        Job j = jobs.get(jobId);
        return j != null && j.state == State.GATHERING ? j : null;
    }

    /** The job held under this id (gathering or training), or null. */
    public synchronized Job held(String jobId) {
        return jobs.get(jobId);
    }

    /** The jobs being gathered now (a copy). */
    public synchronized List<Job> gatheringJobs() {
        return jobs.values().stream().filter(j -> j.state == State.GATHERING).toList();
    }

    /** Moves a gathered job to training. */
    public synchronized void startTraining(Job job) {
        if (job.state != State.GATHERING || job.dropped) {
            throw new IllegalStateException("job " + job.id + " is not being gathered");
        }
        job.state = State.TRAINING;
    }

    /**
     * The attempt's training ended: its result is out (the id is remembered, so replays are ignored), or it had
     * been dropped (nothing is remembered: the job may come back to this trainer).
     */
    public synchronized void finished(Job job) {
        if (jobs.get(job.id) == job) {
            jobs.remove(job.id);
        }
        if (!job.dropped) {
            finished.add(job.id);
        }
    }

    /** Cancels a job: dropped if held, and its id remembered so its records are ignored. */
    public synchronized boolean cancel(String jobId) {
        takeOrphans(jobId);
        finished.add(jobId);
        Job j = jobs.get(jobId);
        if (j == null) {
            return false;
        }
        drop(j);
        return true;
    }

    /**
     * The job went to another trainer (or, read again from its partition, had gone): dropped here if held, and not
     * remembered as finished, so the plan that hands it over is taken as a job wherever it arrives, here too.
     */
    public synchronized void handedOff(String jobId) {
        takeOrphans(jobId);
        Job j = jobs.get(jobId);
        if (j != null) {
            drop(j);
        }
    }

    /**
     * Drops every job whose plan came from these partitions (another trainer now owns them and takes the jobs
     * over); returns their ids. Gathering jobs are let go at once, features and spill files freed; training jobs
     * stop at their next epoch.
     */
    public synchronized List<String> dropAll(Collection<TopicPartition> partitions) {
        List<String> ids = new ArrayList<>();
        for (Job j : new ArrayList<>(jobs.values())) {
            if (partitions.contains(j.partition)) {
                ids.add(j.id);
                drop(j);
            }
        }
        orphans.values().removeIf(records -> {
            if (records.stream().anyMatch(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())))) {
                records.forEach(r -> orphanBytes -= size(r));
                return true;
            }
            return false;
        });
        return ids;
    }

    private void drop(Job j) {
        j.dropped = true;
        jobs.remove(j.id);
        if (j.state == State.GATHERING) {
            j.acc.close();
        }
    }

    public synchronized int count(State state) {
        return (int) jobs.values().stream().filter(j -> j.state == state).count();
    }

    /** Offsets safe to commit: positions, held back to the plan of each unfinished job on the partition. */
    public synchronized Map<TopicPartition, OffsetAndMetadata> committable(Map<TopicPartition, Long> positions) {
        Map<TopicPartition, Long> hold = new HashMap<>(positions);
        for (Job j : jobs.values()) {
            hold.merge(j.partition, j.planOffset, Math::min);
        }
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        hold.forEach((tp, offset) -> out.put(tp, new OffsetAndMetadata(offset)));
        return out;
    }

    /**
     * Keeps a record of a job whose plan has not arrived. Past the byte limit the oldest job's records go first;
     * returns the ids of jobs whose records were let go that way.
     */
    public synchronized List<String> keepOrphan(ConsumerRecord<String, byte[]> record) {
        orphans.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record);
        orphanBytes += size(record);
        List<String> evicted = new ArrayList<>();
        for (Iterator<Map.Entry<String, List<ConsumerRecord<String, byte[]>>>> it = orphans.entrySet().iterator();
             orphanBytes > orphanBytesLimit && it.hasNext(); ) {
            Map.Entry<String, List<ConsumerRecord<String, byte[]>>> e = it.next();
            e.getValue().forEach(r -> orphanBytes -= size(r));
            evicted.add(e.getKey());
            it.remove();
        }
        return evicted;
    }

    /** True while records of this job wait for its plan. */
    public synchronized boolean keepsOrphans(String jobId) {
        return orphans.containsKey(jobId);
    }

    /** The kept records of a job, in arrival order, now that its plan is here. */
    public synchronized List<ConsumerRecord<String, byte[]>> takeOrphans(String jobId) {
        List<ConsumerRecord<String, byte[]>> kept = orphans.remove(jobId);
        if (kept == null) {
            return List.of();
        }
        kept.forEach(r -> orphanBytes -= size(r));
        return kept;
    }

    public synchronized long orphanBytes() {
        return orphanBytes;
    }

    private static long size(ConsumerRecord<String, byte[]> r) {
        return (r.value() == null ? 0 : r.value().length) + 64L;
    }

    /** Frees every held job's features (on shutdown). */
    public synchronized void close() {
        jobs.values().forEach(j -> j.acc.close());
        jobs.clear();
        orphans.clear();
        orphanBytes = 0;
    }
}
