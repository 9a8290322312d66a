package io.transferpool.kernels;

import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.NesterovsUpdater;
import org.nd4j.linalg.learning.SgdUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One updater block's optimizer update and parameter step ({@code params -= update}) in one pass over the native
 * arrays, computed in Java on chunks copied to the heap, split across the cores. The same formulas as libnd4j's
 * Nesterov, Adam and SGD updater ops, on DL4J's own state arrays (so checkpoints and DL4J stay interchangeable):
 * libnd4j runs Adam's square roots one element at a time on one core (5.7 ms for the 2.1M parameters of the seed's
 * head, more than a step's two big GEMMs), where the JIT vectorizes this loop. Empty for other optimizers.
 */
final class HostUpdate implements DenseHeadStep.BlockUpdate {
    private static final int CHUNK = 16_384;
    private static final int MIN_PER_THREAD = 1 << 17;
    private static final int THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    /**
     * Threads for all parts of an update but the caller's, shared by all trainings in the process (stateless;
     * daemon, so they never hold the JVM).
     */
    private static final ExecutorService HELPERS = Executors.newFixedThreadPool(Math.max(1, THREADS - 1), r -> {
        Thread t = new Thread(r, "head-update");
        t.setDaemon(true);
        return t;
    });

    /** Each thread's chunk buffers: parameters, gradients and up to two state arrays. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][CHUNK]);

    private enum Kind { SGD, NESTEROV, ADAM }

    private final Kind kind;
    private final GradientUpdater<?> updater;
    private final FloatBuffer params;
    private final FloatBuffer gradients;
    private final FloatBuffer first;
    private final FloatBuffer second;
    private final int length;

    private HostUpdate(Kind kind, GradientUpdater<?> updater, FloatBuffer params, FloatBuffer gradients,
                       FloatBuffer first, FloatBuffer second, int length) {
        this.kind = kind;
        this.updater = updater;
        this.params = params;
        this.gradients = gradients;
        this.first = first;
        this.second = second;
        this.length = length;
    }

    /**
     * @param params    the network's flat parameters
     * @param gradients the network's flat gradients, in the same order
     */
    static Optional<DenseHeadStep.BlockUpdate> of(UpdaterBlock block, INDArray params, INDArray gradients) {
        GradientUpdater<?> u = block.getGradientUpdater();
        int from = block.getParamOffsetStart();
        int to = block.getParamOffsetEnd();
        FloatBuffer p = slice(params, from, to);
        FloatBuffer g = slice(gradients, from, to);
        if (p == null || g == null) {
            return Optional.empty();
        }
        int n = to - from;
        if (u instanceof SgdUpdater) {
            return Optional.of(new HostUpdate(Kind.SGD, u, p, g, null, null, n));
        }
        if (u instanceof NesterovsUpdater) {
            FloatBuffer v = NativeFloats.of(u.getState().get(NesterovsUpdater.V_STATE), n);
            return v == null ? Optional.empty() : Optional.of(new HostUpdate(Kind.NESTEROV, u, p, g, v, null, n));
        }
        if (u instanceof AdamUpdater) {
            FloatBuffer m = NativeFloats.of(u.getState().get(AdamUpdater.M_STATE), n);
            FloatBuffer v = NativeFloats.of(u.getState().get(AdamUpdater.V_STATE), n);
            return m == null || v == null ? Optional.empty()
                    : Optional.of(new HostUpdate(Kind.ADAM, u, p, g, m, v, n));
        }
        return Optional.empty();
    }

    private static FloatBuffer slice(INDArray flat, int from, int to) {
        FloatBuffer all = NativeFloats.of(flat, flat.length());
        return all == null ? null : all.slice(from, to - from);
    }

    @Override
    public void apply(int iteration, int epoch) {
        Step step = step(iteration, epoch);
        int parts = Math.max(1, Math.min(THREADS, length / MIN_PER_THREAD));
        if (parts == 1) {
            run(step, 0, length);
            return;
        }
        List<Future<?>> helpers = new ArrayList<>();
        for (int i = 1; i < parts; i++) {
            int from = (int) ((long) length * i / parts);
            int to = (int) ((long) length * (i + 1) / parts);
            helpers.add(HELPERS.submit(() -> run(step, from, to)));
        }
        run(step, 0, length / parts);
        for (Future<?> f : helpers) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during a parameter update", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("parameter update failed", e.getCause());
            }
        }
    }

    /** The step's scalars, as the updater ops compute them from DL4J's schedules. */
    private record Step(float lr, float momentum, float beta1, float beta2, float alpha, float epsilon) {
    }

    private Step step(int iteration, int epoch) {
        double lr = updater.getConfig().getLearningRate(iteration, epoch);
        return switch (kind) {
            case SGD -> new Step((float) lr, 0, 0, 0, 0, 0);
            case NESTEROV -> new Step((float) lr,
                    (float) ((Nesterovs) updater.getConfig()).currentMomentum(iteration, epoch), 0, 0, 0, 0);
            case ADAM -> {
                Adam c = (Adam) updater.getConfig();
                double b1t = Math.pow(c.getBeta1(), iteration + 1);
                double b2t = Math.pow(c.getBeta2(), iteration + 1);
                double alpha = lr * Math.sqrt(1 - b2t) / (1 - b1t);
                if (!Double.isFinite(alpha) || alpha == 0) {
                    alpha = c.getEpsilon(); // as libnd4j's op does
                }
                yield new Step((float) lr, 0, (float) c.getBeta1(), (float) c.getBeta2(), (float) alpha,
                        (float) c.getEpsilon());
            }
        };
    }

    private void run(Step s, int from, int to) {
        float[][] scratch = SCRATCH.get();
        float[] p = scratch[0];
        float[] g = scratch[1];
        float[] a = scratch[2];
        float[] b = scratch[3];
        for (int start = from; start < to; start += CHUNK) {
            int n = Math.min(CHUNK, to - start);
            params.get(start, p, 0, n);
            gradients.get(start, g, 0, n);
            switch (kind) {
                case SGD -> sgd(s, p, g, n);
                case NESTEROV -> {
                    first.get(start, a, 0, n);
                    nesterov(s, p, g, a, n);
                    first.put(start, a, 0, n);
                }
                case ADAM -> {
                    first.get(start, a, 0, n);
                    second.get(start, b, 0, n);
                    adam(s, p, g, a, b, n);
                    first.put(start, a, 0, n);
                    second.put(start, b, 0, n);
                }
            }
            params.put(start, p, 0, n);
        }
    }

    private static void sgd(Step s, float[] p, float[] g, int n) {
        float lr = s.lr;
        for (int i = 0; i < n; i++) {
            p[i] -= lr * g[i];
        }
    }

    private static void nesterov(Step s, float[] p, float[] g, float[] v, int n) {
        float mu = s.momentum;
        float lr = s.lr;
        float mu1 = mu + 1;
        for (int i = 0; i < n; i++) {
            float prev = mu * v[i];
            float next = prev - lr * g[i];
            v[i] = next;
            p[i] -= prev - mu1 * next;
        }
    }

    private static void adam(Step s, float[] p, float[] g, float[] m, float[] v, int n) {
        float b1 = s.beta1;
        float b2 = s.beta2;
        float c1 = 1 - b1;
        float c2 = 1 - b2;
        float alpha = s.alpha;
        float eps = s.epsilon;
        for (int i = 0; i < n; i++) {
            float gi = g[i];
            float mi = b1 * m[i] + gi * c1;
            float vi = b2 * v[i] + gi * gi * c2;
            m[i] = mi;
            v[i] = vi;
            p[i] -= mi * alpha / ((float) Math.sqrt(vi) + eps);
        }
    }
}
