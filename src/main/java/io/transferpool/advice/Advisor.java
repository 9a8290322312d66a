package io.transferpool.advice;

import io.transferpool.storage.Storage;
import io.transferpool.data.Dataset;
import io.transferpool.data.Sample;
import io.transferpool.features.FeatureStore;
import io.transferpool.features.Rows;
import io.transferpool.job.Advice;
import io.transferpool.job.JobSpec;
import io.transferpool.learning.EpochLoop;
import io.transferpool.learning.HeadTrainer;
import io.transferpool.learning.Trained;
import io.transferpool.model.CutSession;
import io.transferpool.model.ModelInspector;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.TensorInfo;
import io.transferpool.translate.Boundaries;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Measures what the seed's rule needs on a sample of a job's training images, then lets {@link SeedRule} choose:
 * the size of the task (from the listing), and how like the base's data it is: a linear classifier trained on
 * the features of the cut and of up to two earlier block ends (pooling or residual-add outputs), each scored on a
 * held-out part of the sample, and how confident the base's own classifier is on the images. Runs the base on ONNX
 * Runtime (CPU, one pass over the sample: {@link SamplePass}) and the probes in DL4J, in this process: a few
 * seconds for a small base; a slow base measures fewer images so that the advice keeps within its budget.
 */
public final class Advisor {
    /** Training images per class the probes see at most. */
    public static final int SAMPLE_PER_CLASS = 500;
    /** Images the probes see at most in all, whatever the number of classes. */
    static final int MAX_SAMPLE = 2000;
    /** Folds of the probes' cross-validation. */
    static final int FOLDS = 5;
    /** Depths with more values per image than this are not probed (a linear probe on them is slow and noisy). */
    static final long MAX_PROBE_VALUES = 16_384;
    private static final Set<String> BLOCK_ENDS = Set.of("MaxPool", "AveragePool", "GlobalAveragePool",
            "GlobalMaxPool", "Add");
    private final Duration budget;

    /**
     * @param budget about the longest the advice may take: half of it for running the base over the sample (on a
     *               slow base it then measures fewer images), the rest for the probes
     */
    public Advisor(Duration budget) {
        this.budget = budget;
    }

    /** The depths an advice looks at: where to cut, what to probe, where fine-tuning may start. */
    record Plan(SeedRule.Depths depths, List<TensorInfo> probes) {
    }

    /**
     * @param spec  the job (its cut, when given, is where a new head goes; else the base's last good cut point)
     * @param input the model input the images feed
     * @param root  where the samples' references are read from
     */
    public Advice advise(JobSpec spec, OnnxModel model, String input, Dataset train, Storage root) throws Exception {
        Plan plan = plan(model, input, spec.baseModel().cut());
        List<Sample> sample = sample(train, spec.training().seed());
        int classes = train.classes().size();
        // at least two images per fold and class before the budget may stop the pass (the probes need them)
        SamplePass.Result pass = SamplePass.run(model, input, plan, sample, spec.preprocess(), root,
                budget.dividedBy(2), Math.min(sample.size(), 2 * FOLDS * Math.max(1, classes)));
        int[] y = pass.labels();
        List<Advice.Probe> probes = new ArrayList<>();
        probes.add(new Advice.Probe(plan.depths().cut(), pass.cut().dimension(), probe(pass.cut(), y, classes, spec)));
        for (int i = 0; i < plan.probes().size(); i++) {
            CutSession.Features f = pass.probes().get(i);
            probes.add(new Advice.Probe(plan.probes().get(i).name(), f.dimension(), probe(f, y, classes, spec)));
        }
        int[] perClass = train.countsPerClass();
        int min = perClass.length == 0 ? 0 : java.util.Arrays.stream(perClass).min().orElse(0);
        Advice.Measurements m = new Advice.Measurements(train.samples().size(), classes, min, y.length,
                List.copyOf(probes), pass.confidence(), SeedRule.LARGE_PER_CLASS, SeedRule.SIMILAR_MARGIN);
        return SeedRule.decide(m, plan.depths());
    }

    /** The cut, the earlier block ends to probe, and the boundaries fine-tuning may start from. */
    static Plan plan(OnnxModel model, String input, String cut) {
        List<TensorInfo> tensors = ModelInspector.inspect(model);
        if (cut == null) {
            cut = tensors.stream().filter(TensorInfo::goodCut).reduce((a, b) -> b).map(TensorInfo::name)
                    .orElseThrow(() -> new io.transferpool.job.JobRejectedException("baseModel.cut", "the base has no "
                            + "flatten or global-pool output to cut at; name the tensor where a new head goes"));
        }
        String at = cut;
        int cutIndex = indexOf(tensors, at);
        long cutValues = tensors.get(cutIndex).featureSize();
        Set<String> fineTunable = new HashSet<>(Boundaries.fineTunable(model, ModelInspector.shapes(model), cut));
        List<TensorInfo> ends = new ArrayList<>();
        for (TensorInfo t : tensors.subList(0, cutIndex)) {
            // a block end with as many values as the cut is the cut's own input (the pool before a flatten)
            if (BLOCK_ENDS.contains(t.op()) && t.featureSize() > 0 && t.featureSize() != cutValues) {
                ends.add(t);
            }
        }
        String lastBlock = null;
        for (int i = ends.size() - 1; i >= 0 && lastBlock == null; i--) {
            if (fineTunable.contains(ends.get(i).name())) {
                lastBlock = ends.get(i).name();
            }
        }
        List<TensorInfo> probes = new ArrayList<>();
        for (int i = ends.size() - 1; i >= 0 && probes.size() < 2; i--) {
            if (ends.get(i).featureSize() <= MAX_PROBE_VALUES) {
                probes.add(ends.get(i));
            }
        }
        return new Plan(new SeedRule.Depths(cut, lastBlock, fineTunable.contains(input) ? input : null),
                List.copyOf(probes));
    }

    private static int indexOf(List<TensorInfo> tensors, String name) {
        for (int i = 0; i < tensors.size(); i++) {
            if (tensors.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new io.transferpool.job.JobRejectedException("baseModel.cut", "no tensor \"" + name + "\" in the model");
    }

    /**
     * Up to {@link #SAMPLE_PER_CLASS} images of each class, picked by the job's seed; fewer when there are many
     * classes, so that the whole sample stays near {@link #MAX_SAMPLE} (but at least one per fold and class).
     */
    static List<Sample> sample(Dataset train, long seed) {
        List<Sample> shuffled = new ArrayList<>(train.samples());
        Collections.shuffle(shuffled, new Random(seed));
        int classes = Math.max(1, train.classes().size());
        int perClass = Math.max(FOLDS, Math.min(SAMPLE_PER_CLASS, MAX_SAMPLE / classes));
        int[] taken = new int[classes];
        List<Sample> out = new ArrayList<>();
        for (Sample s : shuffled) {
            if (taken[s.label()]++ < perClass) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * Feature maps [C, H, W] averaged over a g x g grid of spatial cells, g as large as keeps C g^2 within
     * {@code values} (at least 1): the layer's channels kept, its spatial detail coarsened.
     */
    static CutSession.Features pooled(CutSession.Features f, List<Long> shape, int values) {
        if (shape.size() != 4 || f.dimension() <= values) {
            return f;
        }
        int c = shape.get(1).intValue();
        int h = shape.get(2).intValue();
        int w = shape.get(3).intValue();
        int g = (int) Math.max(1, Math.min(Math.min(h, w), Math.floor(Math.sqrt((double) values / c))));
        int n = f.values().length / f.dimension();
        int dim = c * g * g;
        float[] out = new float[n * dim];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int gy = 0; gy < g; gy++) {
                    int y0 = gy * h / g;
                    int y1 = (gy + 1) * h / g;
                    for (int gx = 0; gx < g; gx++) {
                        int x0 = gx * w / g;
                        int x1 = (gx + 1) * w / g;
                        double sum = 0;
                        for (int yy = y0; yy < y1; yy++) {
                            for (int xx = x0; xx < x1; xx++) {
                                sum += f.values()[i * f.dimension() + (ch * h + yy) * w + xx];
                            }
                        }
                        out[i * dim + (ch * g + gy) * g + gx] = (float) (sum / ((y1 - y0) * (x1 - x0)));
                    }
                }
            }
        }
        return new CutSession.Features(out, dim);
    }

    /**
     * Cross-validated accuracy of a softmax classifier (no hidden layer) on the features: the sample split into
     * {@link #FOLDS} folds (stratified), each scored by a probe trained on the others, so every sampled image counts
     * once and the comparison between depths is not at the mercy of one small validation split.
     */
    static double probe(CutSession.Features f, int[] labels, int classes, JobSpec spec) {
        int n = labels.length;
        int[] fold = new int[n];
        int[] seen = new int[classes];
        for (int i = 0; i < n; i++) {
            fold[i] = seen[labels[i]]++ % FOLDS;
        }
        JobSpec.Training t = new JobSpec.Training(new JobSpec.Optimizer("adam", 1e-3, 0, 0, false, 0.9, 0.999,
                1e-7), 100, 32, new JobSpec.EarlyStopping(true, JobSpec.Monitor.VAL_LOSS, 5, JobSpec.Mode.MIN),
                new JobSpec.Checkpoint(JobSpec.Monitor.VAL_LOSS, JobSpec.Mode.MIN), spec.training().seed());
        JobSpec probe = spec.candidate(new JobSpec.Candidate(Map.of(), new JobSpec.Head(List.of(), "relu", 0),
                t, spec.fineTune()));
        try (FeatureStore store = new FeatureStore(Long.MAX_VALUE, java.nio.file.Path.of(System.getProperty("java.io.tmpdir")))) {
            int[] ids = new int[n];
            for (int i = 0; i < n; i++) {
                ids[i] = i;
            }
            store.add(ids, labels, f.values(), f.dimension());
            long correct = 0;
            for (int k = 0; k < FOLDS; k++) {
                int held = k;
                int[] in = java.util.stream.IntStream.range(0, n).filter(i -> fold[i] != held).toArray();
                int[] out = java.util.stream.IntStream.range(0, n).filter(i -> fold[i] == held).toArray();
                if (in.length == 0 || out.length == 0) {
                    continue;
                }
                Rows train = new Rows(store, in, classes);
                Rows val = new Rows(store, out, classes);
                Trained trained = new HeadTrainer().train(train, val, probe, (m, max) -> { });
                float[] p = EpochLoop.predict(trained.network(), val);
                for (int i = 0; i < out.length; i++) {
                    int best = 0;
                    for (int c = 1; c < classes; c++) {
                        best = p[i * classes + c] > p[i * classes + best] ? c : best;
                    }
                    correct += best == labels[out[i]] ? 1 : 0;
                }
            }
            return n == 0 ? 0 : (double) correct / n;
        }
    }
}
