package io.transferpool.train;

import io.transferpool.job.JobResult.EpochMetrics;
import io.transferpool.job.JobResult.SweepCandidate;
import io.transferpool.job.JobSpec;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * Trains every candidate of a job's sweep on the same rows, one after another (each candidate's GEMMs already use
 * every core), and keeps the one whose best epoch the job's checkpoint monitor ranks first (the earlier on a tie).
 * Each candidate is tested as soon as it is trained, and only the best so far is held, so memory does not grow
 * with the number of candidates. A candidate that diverges is reported and skipped; each saves its checkpoints
 * apart ({@code candidate-N}), so a trainer taking the job over resumes where each stood.
 */
final class CandidateSweep {
    private static final Logger LOG = Logger.getLogger(CandidateSweep.class);

    /** Trains one candidate as a job of its own. */
    @FunctionalInterface
    interface Trainer<P> {
        P train(JobSpec candidate, EpochListener listener, Checkpoints checkpoints) throws Exception;
    }

    /** The chosen candidate's product and every candidate's figures; {@code best} null when all diverged. */
    record Outcome<P>(P best, List<SweepCandidate> candidates) {
    }

    private CandidateSweep() {
    }

    /**
     * @param trained what a product's training was
     * @param test    the test rows, or null
     */
    static <P> Outcome<P> run(JobSpec spec, Trainer<P> trainer, java.util.function.Function<P, Trained> trained,
                              Rows test, EpochListener listener, Checkpoints checkpoints) throws Exception {
        JobSpec.Checkpoint cp = spec.training().checkpoint();
        List<JobSpec.Candidate> all = spec.sweep();
        List<SweepCandidate> out = new ArrayList<>();
        P best = null;
        double bestValue = Double.NaN;
        int bestIndex = -1;
        for (int i = 0; i < all.size(); i++) {
            JobSpec.Candidate c = all.get(i);
            listener.candidate(i + 1, all.size(), c.values());
            long t0 = System.nanoTime();
            P product;
            try {
                product = trainer.train(spec.candidate(c), listener, checkpoints.child("candidate-" + (i + 1)));
            } catch (DivergedException e) {
                LOG.infof("Job %s: sweep candidate %s diverged: %s", spec.jobId(), c.values(), e.getMessage());
                out.add(new SweepCandidate(c.values(), 0, null, null, null, null, null, null,
                        (System.nanoTime() - t0) / 1e9, false, e.getMessage()));
                continue;
            }
            Trained t = trained.apply(product);
            EpochMetrics at = t.epochs().stream().filter(m -> m.epoch() == t.bestEpoch()).findFirst().orElseThrow();
            double value = EpochLoop.value(cp.monitor(), at);
            Double testLoss = null;
            Double testAccuracy = null;
            if (test != null && test.size() > 0) {
                Evaluation.LossAccuracy la = Evaluation.lossAccuracy(EpochLoop.predict(t.network(), test),
                        test.labels(), test.classes());
                testLoss = la.loss();
                testAccuracy = la.accuracy();
            }
            out.add(new SweepCandidate(c.values(), t.epochs().size(), t.bestEpoch(), finite(at.valLoss()),
                    finite(at.valAccuracy()), value, testLoss, testAccuracy, (System.nanoTime() - t0) / 1e9, false,
                    null));
            if (best == null || EpochLoop.improved(value, bestValue, cp.mode())) {
                best = product;
                bestValue = value;
                bestIndex = out.size() - 1;
            }
        }
        if (bestIndex >= 0) {
            SweepCandidate b = out.get(bestIndex);
            out.set(bestIndex, new SweepCandidate(b.values(), b.epochs(), b.bestEpoch(), b.valLoss(), b.valAccuracy(),
                    b.monitored(), b.testLoss(), b.testAccuracy(), b.seconds(), true, null));
        }
        return new Outcome<>(best, List.copyOf(out));
    }

    private static Double finite(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
