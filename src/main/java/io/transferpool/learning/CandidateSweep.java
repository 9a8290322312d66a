package io.transferpool.learning;

import io.transferpool.features.Rows;
import io.transferpool.job.JobResult.EpochMetrics;
import io.transferpool.job.JobResult.SweepCandidate;
import io.transferpool.job.JobResult;
import io.transferpool.job.JobSpec;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Trains every candidate of a job's sweep on the same rows, one after another or several at once
 * ({@code tp.train.sweep-parallelism}), and keeps the one whose best epoch the job's checkpoint monitor ranks
 * first (the earlier on a tie). Each candidate is tested as soon as it is trained, and only the best so far is
 * held, so memory grows with the candidates trained at once, not with the sweep. A candidate that diverges is reported and skipped; each saves its checkpoints
 * apart ({@code candidate-N}), so a trainer taking the job over resumes where each stood.
 */
public final class CandidateSweep {
    private static final Logger LOG = Logger.getLogger(CandidateSweep.class);

    /** Trains one candidate as a job of its own. */
    @FunctionalInterface
    public interface Trainer<P> {
        P train(JobSpec candidate, EpochListener listener, Checkpoints checkpoints) throws Exception;
    }

    /** The chosen candidate's product and every candidate's figures; {@code best} null when all diverged. */
    public record Outcome<P>(P best, List<SweepCandidate> candidates) {
    }

    private CandidateSweep() {
    }

    /**
     * @param trained  what a product's training was
     * @param test     the test rows, or null
     * @param parallel candidates trained at once (1: one after another, on the calling thread)
     */
    public static <P> Outcome<P> run(JobSpec spec, Trainer<P> trainer, Function<P, Trained> trained, Rows test,
                              EpochListener listener, Checkpoints checkpoints, int parallel) throws Exception {
        JobSpec.Checkpoint cp = spec.training().checkpoint();
        List<JobSpec.Candidate> all = spec.sweep();
        EpochListener shared = parallel > 1 ? synchronizedListener(listener) : listener;
        List<Callable<Done<P>>> tasks = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            int index = i;
            tasks.add(() -> train(spec, index, trainer, trained, test, shared, checkpoints));
        }
        SweepCandidate[] out = new SweepCandidate[all.size()];
        List<Done<P>> kept = new ArrayList<>();
        eachCompleted(tasks, parallel, d -> {
            out[d.index()] = d.figures();
            Done<P> b = kept.isEmpty() ? null : kept.get(0);
            // the earlier candidate wins a tie, whatever order they finished in; the others are let go
            if (d.product() != null && (b == null || EpochLoop.improved(d.figures().monitored(),
                    b.figures().monitored(), cp.mode()) || (d.figures().monitored().equals(b.figures()
                    .monitored()) && d.index() < b.index()))) {
                kept.clear();
                kept.add(d);
            }
        });
        Done<P> best = kept.isEmpty() ? null : kept.get(0);
        if (best != null) {
            SweepCandidate b = best.figures();
            out[best.index()] = new SweepCandidate(b.values(), b.epochs(), b.bestEpoch(), b.valLoss(), b.valAccuracy(),
                    b.monitored(), b.testLoss(), b.testAccuracy(), b.seconds(), true, null);
        }
        if (best != null && test != null && test.size() > 0 && out[best.index()].testAccuracy() != null) {
            double chosen = out[best.index()].testAccuracy();
            JobResult.Interval interval = JobResult.Interval.wilson(chosen, test.size());
            for (int i = 0; i < out.length; i++) {
                out[i] = out[i].withIntervals(test.size(), chosen, interval);
            }
        }
        return new Outcome<>(best == null ? null : best.product(), List.of(out));
    }

    public static <P> Outcome<P> run(JobSpec spec, Trainer<P> trainer, Function<P, Trained> trained, Rows test,
                              EpochListener listener, Checkpoints checkpoints) throws Exception {
        return run(spec, trainer, trained, test, listener, checkpoints, 1);
    }

    /** One candidate trained and tested: its product (null when it diverged) and figures. */
    private record Done<P>(int index, P product, SweepCandidate figures) {
    }

    private static <P> Done<P> train(JobSpec spec, int i, Trainer<P> trainer, Function<P, Trained> trained, Rows test,
                                     EpochListener listener, Checkpoints checkpoints) throws Exception {
        JobSpec.Candidate c = spec.sweep().get(i);
        listener.candidate(i + 1, spec.sweep().size(), c.values());
        long t0 = System.nanoTime();
        P product;
        try {
            product = trainer.train(spec.candidate(c), listener, checkpoints.child("candidate-" + (i + 1)));
        } catch (DivergedException e) {
            LOG.infof("Job %s: sweep candidate %s diverged: %s", spec.jobId(), c.values(), e.getMessage());
            return new Done<>(i, null, new SweepCandidate(c.values(), 0, null, null, null, null, null, null,
                    (System.nanoTime() - t0) / 1e9, false, e.getMessage()));
        }
        Trained t = trained.apply(product);
        EpochMetrics at = t.epochs().stream().filter(m -> m.epoch() == t.bestEpoch()).findFirst().orElseThrow();
        double value = EpochLoop.value(spec.training().checkpoint().monitor(), at);
        Double testLoss = null;
        Double testAccuracy = null;
        if (test != null && test.size() > 0) {
            Evaluation.LossAccuracy la = Evaluation.lossAccuracy(EpochLoop.predict(t.network(), test),
                    test.labels(), test.classes());
            testLoss = la.loss();
            testAccuracy = la.accuracy();
        }
        return new Done<>(i, product, new SweepCandidate(c.values(), t.epochs().size(), t.bestEpoch(),
                finite(at.valLoss()), finite(at.valAccuracy()), value, testLoss, testAccuracy,
                (System.nanoTime() - t0) / 1e9, false, null));
    }

    /**
     * Hands each task's result to {@code sink} as it completes (on this thread). With one at a time the tasks run
     * here, in order; else on their own threads, at most {@code parallel} at once, and a task that fails stops the
     * rest.
     */
    private static <T> void eachCompleted(List<Callable<T>> tasks, int parallel, java.util.function.Consumer<T> sink)
            throws Exception {
        if (parallel <= 1) {
            for (Callable<T> t : tasks) {
                sink.accept(t.call());
            }
            return;
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "tp-sweep-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            CompletionService<T> done = new ExecutorCompletionService<>(pool);
            tasks.forEach(done::submit);
            for (int i = 0; i < tasks.size(); i++) {
                try {
                    sink.accept(done.take().get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Exception ex) {
                        throw ex;
                    }
                    throw (Error) e.getCause();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The listener told from several candidates' threads, one call at a time. */
    private static EpochListener synchronizedListener(EpochListener l) {
        return new EpochListener() {
            @Override
            public synchronized void epochDone(EpochMetrics m, int maxEpochs) {
                l.epochDone(m, maxEpochs);
            }

            @Override
            public synchronized void resumed(List<EpochMetrics> earlier) {
                l.resumed(earlier);
            }

            @Override
            public synchronized void candidate(int index, int total, java.util.Map<String, String> values) {
                l.candidate(index, total, values);
            }

            @Override
            public boolean cancelled() {
                return l.cancelled();
            }
        };
    }

    private static Double finite(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
