package io.transferpool.learning;

import io.transferpool.features.Rows;
import io.transferpool.job.JobResult.EpochMetrics;
import io.transferpool.job.JobSpec.Mode;
import io.transferpool.job.JobSpec.Monitor;
import io.transferpool.job.JobSpec;
import io.transferpool.kernels.BatchStep;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CancellationException;

/**
 * The epoch loop both strategies share, with the seed's Keras semantics: shuffled minibatches (seeded), early
 * stopping with patience on the monitored metric, and the best checkpoint (by its own monitor) restored at the end.
 */
public final class EpochLoop {
    private EpochLoop() {
    }

    public static Trained train(Network net, Rows train, Rows validation, JobSpec.Training t, EpochListener listener) {
        try {
            return train(net, train, validation, t, listener, Checkpoints.NONE);
        } catch (IOException e) {
            throw new UncheckedIOException("unreachable: no checkpoints", e);
        }
    }

    /**
     * Trains from the last checkpoint if there is one, saving new ones as {@code checkpoints} says. The ND4J
     * random generator (dropout) is seeded from the job's seed and the epoch at each epoch's start, so a resumed
     * run ends with the same weights as one that never stopped.
     */
    public static Trained train(Network net, Rows train, Rows validation, JobSpec.Training t, EpochListener listener,
                                Checkpoints checkpoints) throws IOException {
        boolean hasVal = validation.size() > 0;
        Random shuffle = new Random(t.seed());
        int[] order = train.identityOrder();
        List<EpochMetrics> epochs = new ArrayList<>();
        INDArray bestParams = null;
        double bestCheckpoint = Double.NaN;
        int bestEpoch = 0;
        double bestStop = Double.NaN;
        int wait = 0;
        long seen = 0;
        double priorSeconds = 0;
        int first = 1;
        Optional<Checkpoints.Saved> saved = checkpoints.restore(net);
        if (saved.isPresent()) {
            LoopState s = saved.get().state();
            shuffle = randomFrom(s.shuffleRandom());
            order = s.order();
            epochs.addAll(s.epochs());
            bestParams = saved.get().bestParams();
            bestCheckpoint = s.bestCheckpoint();
            bestEpoch = s.bestEpoch();
            bestStop = s.bestStop();
            wait = s.epochsWithoutImprovement();
            seen = s.seen();
            priorSeconds = s.seconds();
            first = s.epoch() + 1;
            listener.resumed(List.copyOf(s.epochs()));
        }
        String stopReason = "reached the maximum of " + t.epochs() + " epochs";
        long t0 = System.nanoTime();
        for (int epoch = first; epoch <= t.epochs(); epoch++) {
            stopIfCancelled(listener);
            Nd4j.getRandom().setSeed(t.seed() * 1_000_003L + epoch);
            shuffle(order, shuffle);
            // Training loss and accuracy as Keras reports them: averaged over the epoch's steps, from each step's
            // own forward pass (no second pass over the training rows, unless the network cannot count).
            double lossSum = 0;
            long correct = 0;
            boolean counted = true;
            for (int from = 0; from < order.length; from += t.batchSize()) {
                stopIfCancelled(listener); // a volatile read: a dropped or timed-out job stops within one batch
                int to = Math.min(order.length, from + t.batchSize());
                BatchStep step = net.fit(train, order, from, to);
                lossSum += step.loss() * (to - from);
                correct += step.correct();
                counted &= step.correct() >= 0;
                seen += to - from;
            }
            Evaluation.LossAccuracy tr = counted && order.length > 0
                    ? new Evaluation.LossAccuracy(lossSum / order.length, (double) correct / order.length)
                    : evaluate(net, train);
            if (!Double.isFinite(tr.loss())) {
                throw new DivergedException(epoch, tr.loss());
            }
            Evaluation.LossAccuracy va = hasVal ? evaluate(net, validation) : tr;
            EpochMetrics m = new EpochMetrics(epoch, tr.loss(), tr.accuracy(), hasVal ? va.loss() : Double.NaN,
                    hasVal ? va.accuracy() : Double.NaN);
            epochs.add(m);
            listener.epochDone(m, t.epochs());

            double cp = value(t.checkpoint().monitor(), tr, va);
            if (bestParams == null || improved(cp, bestCheckpoint, t.checkpoint().mode())) {
                bestCheckpoint = cp;
                bestEpoch = epoch;
                bestParams = net.params().dup();
            }
            JobSpec.EarlyStopping es = t.earlyStopping();
            if (es.enabled()) {
                double v = value(es.monitor(), tr, va);
                if (Double.isNaN(bestStop) || improved(v, bestStop, es.mode())) {
                    bestStop = v;
                    wait = 0;
                } else if (++wait >= es.patience()) {
                    stopReason = "early stopping: " + es.monitor().wire() + " did not improve for " + es.patience()
                            + " epochs (best " + String.format("%.4f", bestStop) + ")";
                    break;
                }
            }
            if (epoch < t.epochs() && checkpoints.due(epoch)) {
                stopIfCancelled(listener);
                checkpoints.save(new LoopState(epoch, order.clone(), bytesOf(shuffle), List.copyOf(epochs),
                        bestCheckpoint, bestEpoch, bestStop, wait, seen,
                        priorSeconds + (System.nanoTime() - t0) / 1e9, net.iterations()), bestParams, net);
            }
        }
        net.setParams(bestParams);
        double seconds = priorSeconds + (System.nanoTime() - t0) / 1e9;
        return new Trained(net, List.copyOf(epochs), bestEpoch, stopReason, seconds, seen / seconds, first - 1);
    }

    private static void stopIfCancelled(EpochListener listener) {
        if (listener.cancelled()) {
            throw new CancellationException("training was cancelled");
        }
    }

    private static byte[] bytesOf(Random r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(out)) {
            o.writeObject(r);
        }
        return out.toByteArray();
    }

    private static Random randomFrom(byte[] bytes) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return (Random) in.readObject();
        } catch (ClassNotFoundException | ClassCastException e) {
            throw new IOException("checkpoint's shuffling state is not a java.util.Random", e);
        }
    }

    /** What {@code monitor} saw at an epoch (training figures stand in for validation when there was none). */
    static double value(Monitor monitor, EpochMetrics m) {
        boolean hasVal = !Double.isNaN(m.valLoss());
        Evaluation.LossAccuracy tr = new Evaluation.LossAccuracy(m.loss(), m.accuracy());
        return value(monitor, tr, hasVal ? new Evaluation.LossAccuracy(m.valLoss(), m.valAccuracy()) : tr);
    }

    static boolean improved(double value, double best, Mode mode) {
        return mode == Mode.MAX ? value > best : value < best;
    }

    private static double value(Monitor monitor, Evaluation.LossAccuracy train, Evaluation.LossAccuracy val) {
        return switch (monitor) {
            case VAL_LOSS -> val.loss();
            case VAL_ACCURACY -> val.accuracy();
            case LOSS -> train.loss();
            case ACCURACY -> train.accuracy();
        };
    }

    private static void shuffle(int[] a, Random rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Loss and accuracy of the network (inference mode) on some rows. */
    public static Evaluation.LossAccuracy evaluate(Network net, Rows rows) {
        float[] probs = predict(net, rows);
        return Evaluation.lossAccuracy(probs, rows.labels(), rows.classes());
    }

    /** Class probabilities, row-major, for the rows in index order. */
    public static float[] predict(Network net, Rows rows) {
        int k = rows.classes();
        float[] probs = new float[rows.size() * k];
        int[] order = rows.identityOrder();
        for (int from = 0; from < rows.size(); from += 512) {
            int to = Math.min(rows.size(), from + 512);
            DataSet b = rows.batch(order, from, to);
            float[] p = net.output(b.getFeatures()).castTo(DataType.FLOAT).dup('c').data().asFloat();
            System.arraycopy(p, 0, probs, from * k, p.length);
        }
        return probs;
    }
}
