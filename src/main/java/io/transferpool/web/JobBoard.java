package io.transferpool.web;

import io.transferpool.admission.JobIds;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.StatusEvent;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The jobs the job service shows, built from what the pool writes on tp.jobids (accepted runs), tp.status and
 * tp.results, in any order those topics are read in: a coordinator that starts reads them from their beginnings
 * and shows what any other coordinator shows. Bounded: past {@code capacity} the job submitted longest ago is
 * forgotten (it stays on the topics); accepted ids are all kept, they decide what "in use" means.
 * <p>
 * Written by the channel's thread, read by HTTP threads: every method holds the board's lock. Watchers are called
 * under it too, so each sees a job's updates in order; they must not block.
 */
public final class JobBoard {
    /** One change of a job: a status event or its result (exactly one is set). */
    public record Update(String jobId, StatusEvent status, JobResult result) {
    }

    private final int capacity;
    private final Map<String, JobEntry> jobs = new HashMap<>();
    private final JobIds ids = new JobIds();
    private final List<Watch> watches = new CopyOnWriteArrayList<>();

    private record Watch(String jobId, Consumer<Update> listener) {
        boolean wants(String id) {
            return jobId == null || jobId.equals(id);
        }
    }

    public JobBoard(int capacity) {
        this.capacity = capacity;
    }

    /** A run accepted by a coordinator (tp.jobids): the job shows that run from now on. */
    public synchronized void accepted(JobIds.Run run) {
        ids.accepted(run);
        JobEntry known = jobs.get(run.jobId());
        if (known != null && known.run() != null && known.run() >= run.run()) {
            return;
        }
        // A result read before its run's acceptance (topics are read in any order) stays.
        JobResult result = known != null && known.result() != null && Integer.valueOf(run.run())
                .equals(known.result().run()) ? known.result() : null;
        StatusEvent latest = known == null ? null : known.latest();
        put(new JobEntry(run.jobId(), result != null ? JobState.of(result.status()) : JobState.QUEUED, run.run(),
                run.acceptedAtMillis(), Math.max(run.acceptedAtMillis(), known == null ? 0 : known.updatedAtMillis()),
                latest, result));
    }

    /**
     * A job this process has just published: shown as SUBMITTED until a coordinator's answer arrives, so the
     * {@code Location} of a 202 answers at once. Nothing for an id the board already shows.
     */
    public synchronized void submitted(String jobId, long atMillis) {
        if (!jobs.containsKey(jobId)) {
            put(new JobEntry(jobId, JobState.SUBMITTED, null, atMillis, atMillis, null, null));
        }
    }

    public synchronized void status(StatusEvent e) {
        if (e.jobId() == null || e.stage() == null) {
            return;
        }
        JobEntry known = jobs.get(e.jobId());
        if (known != null && known.latest() != null && known.latest().timestampMillis() > e.timestampMillis()) {
            return; // an older event read late
        }
        if (known == null) {
            put(new JobEntry(e.jobId(), JobState.of(e.stage()), null, e.timestampMillis(), e.timestampMillis(), e,
                    null));
        } else {
            // A final stage's event comes just before the result: the state changes with the result itself, so
            // a job shown as finished always has one.
            boolean keep = known.result() != null || e.stage().isFinal();
            put(new JobEntry(known.jobId(), keep ? known.state() : JobState.of(e.stage()), known.run(),
                    known.submittedAtMillis(), Math.max(known.updatedAtMillis(), e.timestampMillis()), e,
                    known.result()));
        }
        notify(new Update(e.jobId(), e, null));
    }

    /**
     * Keeps the result of the run the job shows. Dropped: a second result of the same submission (a trainer that
     * crashed after publishing trains the job again), the result of an earlier run read after a later run's
     * acceptance, and a rejection of a resubmitted id in use (the id still names its accepted run).
     */
    public synchronized void result(JobResult r) {
        if (r.jobId() == null) {
            return;
        }
        JobEntry known = jobs.get(r.jobId());
        JobResult had = known == null ? null : known.result();
        if (had != null && r.submission() != null && r.submission().equals(had.submission())) {
            return;
        }
        if (r.status() == JobResult.Status.REJECTED && (ids.last(r.jobId()).isPresent()
                || had != null && had.status() != JobResult.Status.REJECTED)) {
            return;
        }
        if (known != null && known.run() != null && r.run() != null && r.run() < known.run()) {
            return;
        }
        long now = System.currentTimeMillis();
        put(new JobEntry(r.jobId(), JobState.of(r.status()), known == null ? r.run() : known.run(),
                known == null ? now : known.submittedAtMillis(), now, known == null ? null : known.latest(), r));
        notify(new Update(r.jobId(), null, r));
    }

    public synchronized Optional<JobEntry> get(String jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    public synchronized Optional<JobResult> result(String jobId) {
        return get(jobId).map(JobEntry::result);
    }

    /** Jobs newest first (by submission), {@code limit} of them from {@code offset}. */
    public synchronized List<JobEntry> recent(int offset, int limit) {
        return jobs.values().stream().sorted(NEWEST_FIRST).skip(offset).limit(limit).toList();
    }

    public synchronized int size() {
        return jobs.size();
    }

    /**
     * Throws the "in use" rejection when {@code jobId} names an accepted run and {@code rerun} is not set (see
     * JobIds#next): the same answer the coordinator gives, read from the same topic.
     */
    public synchronized void checkFree(String jobId, boolean rerun) {
        ids.next(jobId, rerun);
    }

    /**
     * Calls {@code listener} with the job's current state (its latest status event, then its result if it has
     * one) and then with every later update, until the returned handle is closed. {@code jobId} null watches
     * every job (and gets no current state).
     */
    public synchronized AutoCloseable watch(String jobId, Consumer<Update> listener) {
        Watch w = new Watch(jobId, listener);
        JobEntry known = jobId == null ? null : jobs.get(jobId);
        if (known != null && known.latest() != null) {
            listener.accept(new Update(jobId, known.latest(), null));
        }
        if (known != null && known.result() != null) {
            listener.accept(new Update(jobId, null, known.result()));
        }
        watches.add(w);
        return () -> watches.remove(w);
    }

    private void notify(Update u) {
        for (Watch w : watches) {
            if (w.wants(u.jobId())) {
                w.listener().accept(u);
            }
        }
    }

    private void put(JobEntry e) {
        jobs.put(e.jobId(), e);
        if (jobs.size() > capacity) {
            jobs.values().stream().min(NEWEST_FIRST.reversed()).ifPresent(old -> jobs.remove(old.jobId()));
        }
    }

    private static final Comparator<JobEntry> NEWEST_FIRST = Comparator.comparingLong(JobEntry::submittedAtMillis)
            .reversed().thenComparing(JobEntry::jobId);
}
