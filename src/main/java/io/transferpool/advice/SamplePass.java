package io.transferpool.advice;

import io.transferpool.storage.Storage;
import io.transferpool.data.DecodedBatch;
import io.transferpool.data.ImageDecoder;
import io.transferpool.data.Preprocessor;
import io.transferpool.data.Sample;
import io.transferpool.job.JobSpec;
import io.transferpool.model.CutSession;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.SessionFactory;
import io.transferpool.model.TensorInfo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One pass of the base over the advice's sample, a batch at a time: each batch is decoded, run once through the base
 * cut at every depth the advice looks at and at the base's own output, and only the features are kept (earlier
 * depths pooled to about the cut's size as they come). So memory grows with features, not with pixels: 2,000 images
 * of 224x224 RGB are 1.2 GB of input floats, more than a coordinator's heap. The pass stops early, keeping the images
 * seen so far, when it would take longer than its time budget: the advice runs while the job is being checked, under
 * {@code tp.limits.validation-timeout}, and a slow base on a small machine must not turn into a rejected job.
 */
final class SamplePass {
    private static final int BATCH = 64;

    /**
     * @param labels     the labels of the images measured, in order
     * @param cut        their features at the cut
     * @param probes     at each probed depth, pooled
     * @param confidence the base's mean top probability (null when its output is not a class score)
     */
    record Result(int[] labels, CutSession.Features cut, List<CutSession.Features> probes, Double confidence) {
    }

    private SamplePass() {
    }

    /**
     * @param minImages the pass measures at least these many images (or the whole sample) whatever the budget
     */
    static Result run(OnnxModel model, String input, Advisor.Plan plan, List<Sample> sample, JobSpec.Preprocess p,
                      Storage root, Duration budget, int minImages) throws Exception {
        List<String> tensors = new ArrayList<>();
        tensors.add(plan.depths().cut());
        plan.probes().forEach(t -> tensors.add(t.name()));
        String output = model.graph().getOutput(0).getName();
        int scores = tensors.indexOf(output);
        if (scores < 0) {
            tensors.add(output);
            scores = tensors.size() - 1;
        }
        Preprocessor pre = new Preprocessor(p);
        ImageDecoder decoder = new ImageDecoder(root);
        List<Integer> labels = new ArrayList<>();
        Collected cut = new Collected();
        List<Collected> probes = new ArrayList<>();
        plan.probes().forEach(t -> probes.add(new Collected()));
        double confidenceSum = 0;
        boolean scored = true;
        long start = System.nanoTime();
        int taken = 0;
        try (CutSession session = CutSession.open(model, input, tensors, SessionFactory.Settings.cpu(0))) {
            while (taken < sample.size()) {
                List<Sample> part = sample.subList(taken, Math.min(sample.size(), taken + BATCH));
                taken += part.size();
                // bad images are counted and reported by the job itself; the advice does without them
                DecodedBatch d = DecodedBatch.of(decoder, pre, part);
                int n = d.good().size();
                if (n == 0) {
                    continue;
                }
                d.good().forEach(s -> labels.add(s.label()));
                List<CutSession.Features> f = session.runAll(d.inputs(), n, p);
                cut.add(f.get(0));
                for (int i = 0; i < probes.size(); i++) {
                    TensorInfo t = plan.probes().get(i);
                    probes.get(i).add(Advisor.pooled(f.get(1 + i), t.shape(), f.get(0).dimension()));
                }
                CutSession.Features out = f.get(scores);
                scored &= out.dimension() >= 2;
                for (int i = 0; scored && i < n; i++) {
                    confidenceSum += topProbability(out.values(), i * out.dimension(), out.dimension());
                }
                double elapsed = System.nanoTime() - start;
                if (labels.size() >= minImages && elapsed / taken * sample.size() > budget.toNanos()) {
                    break; // the rest would not fit: measure on what was seen (a random part of the sample)
                }
            }
        }
        int measured = labels.size();
        return new Result(labels.stream().mapToInt(Integer::intValue).toArray(), cut.features(),
                probes.stream().map(Collected::features).toList(),
                scored && measured > 0 ? confidenceSum / measured : null);
    }

    /** The highest class probability of one image's output: as given when it is a distribution, else softmax. */
    static double topProbability(float[] values, int offset, int k) {
        double total = 0;
        double max = Double.NEGATIVE_INFINITY;
        boolean probabilities = true;
        for (int j = 0; j < k; j++) {
            float v = values[offset + j];
            total += v;
            max = Math.max(max, v);
            probabilities &= v >= 0 && v <= 1;
        }
        if (probabilities && Math.abs(total - 1) < 1e-3) {
            return max;
        }
        double z = 0;
        for (int j = 0; j < k; j++) {
            z += Math.exp(values[offset + j] - max);
        }
        return 1 / z;
    }

    /** Feature rows of one depth, batch after batch. */
    private static final class Collected {
        private final List<float[]> parts = new ArrayList<>();
        private int dimension;
        private int values;

        void add(CutSession.Features f) {
            dimension = f.dimension();
            parts.add(f.values());
            values += f.values().length;
        }

        CutSession.Features features() {
            float[] all = new float[values];
            int at = 0;
            for (float[] part : parts) {
                System.arraycopy(part, 0, all, at, part.length);
                at += part.length;
            }
            return new CutSession.Features(all, dimension);
        }
    }
}
