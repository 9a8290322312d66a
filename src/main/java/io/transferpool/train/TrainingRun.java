package io.transferpool.train;

import ai.onnx.proto.OnnxMl;
import io.transferpool.data.PathResolver;
import io.transferpool.features.FeatureCache;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobResult.Artifact;
import io.transferpool.job.JobResult.Counts;
import io.transferpool.job.JobResult;
import io.transferpool.job.JobSpec;
import io.transferpool.messaging.FeatureBatch.Split;
import io.transferpool.messaging.JobPlan;
import io.transferpool.model.CombinedModelWriter;
import io.transferpool.model.DenseWeights;
import io.transferpool.model.ExternalData;
import io.transferpool.model.ModelInspector;
import io.transferpool.model.OnnxModel;
import io.transferpool.translate.WeightWriteBack;
import org.jboss.logging.Logger;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns a complete {@link JobAccumulator} into a result: checks the bad-sample budget, splits off validation,
 * trains (a new head, or the fine-tuned top of the base), evaluates on the test split, writes the DL4J network and
 * the combined ONNX model (checked against the trainer's own predictions) and gathers metrics and timings.
 */
public final class TrainingRun {
    private static final Logger LOG = Logger.getLogger(TrainingRun.class);
    private final Path dataRoot;
    private final ArtifactStore artifacts;
    private final CheckpointStore.Policy checkpointPolicy;
    private final FeatureCache features;
    private final int sweepParallelism;
    private final HeadTrainer trainer = new HeadTrainer();

    public TrainingRun(Path dataRoot, ArtifactStore artifacts) {
        this(dataRoot, artifacts, CheckpointStore.Policy.OFF, FeatureCache.OFF, 1);
    }

    /**
     * @param checkpointPolicy when to save training progress, so a trainer taking the job over resumes
     * @param features         where extracted features are kept for later jobs, and read back for them
     * @param sweepParallelism sweep candidates trained at once
     */
    public TrainingRun(Path dataRoot, ArtifactStore artifacts, CheckpointStore.Policy checkpointPolicy,
                       FeatureCache features, int sweepParallelism) {
        NativeThreads.configure();
        this.dataRoot = dataRoot;
        this.artifacts = artifacts;
        this.checkpointPolicy = checkpointPolicy;
        this.features = features;
        this.sweepParallelism = sweepParallelism;
    }

    /** The checkpoints of one submission of a job (kept on the artifacts store, which every trainer reaches). */
    public CheckpointStore checkpoints(JobPlan plan) throws java.io.IOException {
        return new CheckpointStore(artifacts.checkpointDir(plan.spec().jobId(), plan.submission().id()), checkpointPolicy);
    }

    public JobResult run(JobAccumulator acc, EpochListener listener) throws Exception {
        JobPlan plan = acc.plan();
        JobSpec spec = plan.spec();
        String jobId = spec.jobId();
        if (!acc.extractErrors().isEmpty()) {
            return JobResult.failed(jobId, acc.extractErrors().stream()
                    .map(e -> new FieldError("baseModel", "extraction failed: " + e)).toList(), null);
        }
        Map<String, Double> featureTimings = new LinkedHashMap<>();
        if (plan.features().reused()) {
            long tl = System.nanoTime();
            var kept = features.load(plan.features().key(), acc.store(Split.TRAIN), acc.store(Split.TEST));
            if (kept.isEmpty()) {
                return JobResult.failed(jobId, List.of(new FieldError("data", "the features kept for this job's "
                        + "model, cut and data (" + plan.features().key() + ") are gone: evicted or deleted after the "
                        + "job was planned; submit it again and it will extract them")), null);
            }
            acc.reused(kept.get().badSamples());
            featureTimings.put("featuresLoadSeconds", (System.nanoTime() - tl) / 1e9);
        }
        FeatureStore trainStore = acc.store(Split.TRAIN);
        FeatureStore testStore = acc.store(Split.TEST);
        int planned = plan.train().samples() + plan.test().samples();
        int bad = acc.badSamples().size();
        Counts counts = new Counts(trainStore.size(), 0, testStore.size(), trainStore.dimension(), bad,
                JobResult.listed(acc.badSamples()), Map.of());
        double badFraction = planned == 0 ? 0 : (double) bad / planned;
        if (badFraction > spec.data().maxBadSampleFraction()) {
            return JobResult.failed(jobId, List.of(new FieldError("data", String.format(
                    "%d of %d samples (%.1f%%) could not be used, more than data.maxBadSampleFraction (%.1f%%); "
                            + "see metrics.counts.badSamples", bad, planned, 100 * badFraction,
                    100 * spec.data().maxBadSampleFraction()))), metrics(null, null, counts, Map.of()));
        }
        if (trainStore.size() == 0) {
            return JobResult.failed(jobId, List.of(new FieldError("data.train", "none of the " + plan.train().samples()
                    + " training samples could be used; see metrics.counts.badSamples")), metrics(null, null, counts,
                    Map.of()));
        }
        if (plan.features().key() != null && !plan.features().reused()) {
            long tk = System.nanoTime();
            try {
                features.keep(plan.features().key(), jobId, trainStore, testStore, acc.badSamples());
                featureTimings.put("featuresKeepSeconds", (System.nanoTime() - tk) / 1e9);
            } catch (java.io.IOException | RuntimeException e) {
                // Keeping is a saving for later jobs; this one trains all the same.
                LOG.warnf("Job %s: features not kept: %s", jobId, e.toString());
            }
        }
        int classes = plan.classes().size();
        // Rows arrive in whatever order shards finished; ordering by sample id makes the split and the training
        // order (so the whole result) depend only on the job and its seed.
        int[] byId = bySampleId(trainStore);
        int[] labels = new int[byId.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = trainStore.label(byId[i]);
        }
        StratifiedSplit split = StratifiedSplit.of(labels, classes, spec.data().validationSplit(), spec.training().seed());
        Rows train = new Rows(trainStore, pick(byId, split.train()), classes);
        Rows val = new Rows(trainStore, pick(byId, split.validation()), classes);
        OnnxModel base = OnnxModel.load(new PathResolver(dataRoot).inside(plan.model().path()));
        if (plan.model().sha256() != null && !plan.model().sha256().equals(base.sha256())) {
            return JobResult.failed(jobId, List.of(new FieldError("baseModel.uri", "the model file changed after the "
                    + "job was accepted: its SHA-256 is " + base.sha256() + ", the job pinned " + plan.model().sha256())),
                    null);
        }
        String changed = ExternalData.mismatch(base.graph(), base.folder(), spec.baseModel().externalSha256());
        if (changed != null) {
            return JobResult.failed(jobId, List.of(new FieldError("baseModel.uri", changed)), null);
        }
        CheckpointStore checkpoints = checkpoints(plan);
        int attempt = checkpoints.nextAttempt();
        Rows testRows = testStore.size() > 0 ? new Rows(testStore, bySampleId(testStore), classes) : null;
        CandidateSweep.Trainer<Produced> strategy = (s, l, c) -> s.strategy() == JobSpec.Strategy.FINE_TUNE
                ? fineTune(base, s, classes, train, val, l, c) : newHead(base, s, train, val, l, c);
        Produced produced;
        List<JobResult.SweepCandidate> sweep = null;
        try {
            if (spec.sweep().isEmpty()) {
                produced = strategy.train(spec, listener, checkpoints);
            } else {
                var outcome = CandidateSweep.run(spec, strategy, Produced::trained, testRows, listener, checkpoints,
                        sweepParallelism);
                sweep = outcome.candidates();
                produced = outcome.best();
                if (produced == null) {
                    return JobResult.failed(jobId, List.of(new FieldError("sweep", "every candidate diverged; "
                            + "see metrics.sweep")), new JobResult.Metrics(List.of(), null, null, null, null, Map.of(),
                            null, null, sweep));
                }
            }
        } catch (FineTuner.MismatchException e) {
            return JobResult.failed(jobId, List.of(new FieldError("baseModel.freezeAt", e.getMessage())), null);
        } catch (DivergedException e) {
            return JobResult.failed(jobId, List.of(new FieldError("training", e.getMessage())), null);
        }
        Trained head = produced.trained();

        long te = System.nanoTime();
        JobResult.TestMetrics test = null;
        float[] testProbs = null;
        if (testRows != null) {
            testProbs = EpochLoop.predict(head.network(), testRows);
            test = io.transferpool.train.Evaluation.of(testProbs, testRows.labels(), plan.classes());
        }
        double evalSeconds = (System.nanoTime() - te) / 1e9;

        long tx = System.nanoTime();
        Rows checkRows = testRows != null ? testRows : val.size() > 0 ? val : train;
        float[] checkProbs = testRows != null ? testProbs : EpochLoop.predict(head.network(), checkRows);
        OnnxMl.ModelProto combined = produced.combined().get();
        double diff = OnnxPredictionCheck.maxDifference(base.derive(combined), spec.extractAt(),
                produced.fromShape(), checkRows, checkProbs);
        if (diff > OnnxPredictionCheck.TOLERANCE) {
            return JobResult.failed(jobId, List.of(new FieldError("head", String.format(
                    "the combined ONNX model's predictions differ from the trainer's by %.2e (limit %.0e)", diff,
                    OnnxPredictionCheck.TOLERANCE))), null);
        }
        ByteArrayOutputStream headZip = new ByteArrayOutputStream();
        head.network().save(headZip);
        boolean fineTuned = spec.strategy() == JobSpec.Strategy.FINE_TUNE;
        Artifact headArtifact = artifacts.put(jobId, plan.run(), fineTuned ? "network.dl4j.zip" : "head.dl4j.zip",
                StableZip.of(headZip.toByteArray()));
        ArtifactStore.ModelArtifacts onnxArtifacts = artifacts.putModel(jobId, plan.run(), "model.onnx", combined,
                base.folder());
        double exportSeconds = (System.nanoTime() - tx) / 1e9;

        Map<String, Integer> perClass = new LinkedHashMap<>();
        int[] perClassCounts = new int[classes];
        for (int l : labels) {
            perClassCounts[l]++;
        }
        for (int c = 0; c < classes; c++) {
            perClass.put(plan.classes().get(c), perClassCounts[c]);
        }
        counts = new Counts(train.size(), val.size(), testStore.size(), trainStore.dimension(), bad,
                JobResult.listed(acc.badSamples()), perClass, acc.reusedRows());
        Map<String, Double> timings = new LinkedHashMap<>();
        int extracted = trainStore.size() + testStore.size();
        timings.put("validationSeconds", plan.submission().validationSeconds());
        timings.put("extractionSeconds", acc.extractionSeconds());
        if (acc.reusedRows() == 0) {
            timings.put("extractionImagesPerSecond", extracted / Math.max(1e-9, acc.extractionSeconds()));
        }
        timings.put("decodeSeconds", acc.decodeSeconds());
        timings.put("readSeconds", acc.readSeconds());
        timings.put("preprocessSeconds", acc.preprocessSeconds());
        timings.put("inferenceSeconds", acc.inferenceSeconds());
        timings.put("encodeSeconds", acc.encodeSeconds());
        timings.put("publishSeconds", acc.publishSeconds());
        timings.put("consumeSeconds", acc.consumeSeconds());
        timings.put("ingestSeconds", acc.ingestSeconds());
        timings.putAll(featureTimings);
        timings.put("trainingSeconds", head.seconds());
        if (sweep != null) {
            timings.put("sweepSeconds", sweep.stream().mapToDouble(JobResult.SweepCandidate::seconds).sum());
        }
        timings.put("trainingSamplesPerSecond", head.samplesPerSecond());
        timings.put("evaluationSeconds", evalSeconds);
        timings.put("exportSeconds", exportSeconds);
        timings.put("totalSeconds", (System.currentTimeMillis() - plan.submission().submittedAtMillis()) / 1e3);
        LOG.infof("Job %s trained: %d epochs, best %d, test accuracy %s, ONNX check max diff %.1e", jobId,
                head.epochs().size(), head.bestEpoch(), test == null ? "n/a" : String.format("%.4f", test.accuracy()),
                diff);
        JobResult.Recovery recovery = attempt > 1 ? new JobResult.Recovery(attempt, head.resumedFromEpoch()) : null;
        return new JobResult(jobId, JobResult.Status.SUCCEEDED, List.of(), new JobResult.Metrics(head.epochs(),
                head.bestEpoch(), head.stopReason(), test, counts, timings, recovery, produced.stages(), sweep),
                new JobResult.Artifacts(headArtifact, onnxArtifacts.model(), onnxArtifacts.data()));
    }

    /**
     * What a strategy trained, how to make its combined ONNX model (only the chosen candidate of a sweep is
     * exported), and the shape of the tensor the trainer was fed.
     */
    private record Produced(Trained trained, Supplier<OnnxMl.ModelProto> combined, long[] fromShape,
                            List<JobResult.Stage> stages) {
    }

    private Produced newHead(OnnxModel base, JobSpec spec, Rows train, Rows val, EpochListener listener,
                             Checkpoints checkpoints) throws java.io.IOException {
        Trained head = trainer.train(train, val, spec, listener, checkpoints);
        Supplier<OnnxMl.ModelProto> combined = () -> CombinedModelWriter.combine(base, spec.baseModel().cut(),
                HeadExport.layers(((Network.Head) head.network()).net(), spec.head()),
                "transferpool job " + spec.jobId() + " base " + base.sha256());
        long[] shape = ModelInspector.shapes(base).getOrDefault(spec.baseModel().cut(), List.of()).stream()
                .mapToLong(Long::longValue).toArray();
        return new Produced(head, combined, shape.length > 0 ? shape : new long[]{1, train.store().dimension()},
                null);
    }

    private Produced fineTune(OnnxModel base, JobSpec spec, int classes, Rows train, Rows val,
                              EpochListener listener, Checkpoints checkpoints) throws Exception {
        FineTuner.Result r = new FineTuner().train(base, spec, classes, train, val, listener, checkpoints);
        Supplier<OnnxMl.ModelProto> combined = () -> {
            OnnxModel updated = base.derive(WeightWriteBack.apply(base, r.translation(), r.graph()));
            String producer = "transferpool job " + spec.jobId() + " fine-tuned from " + base.sha256();
            return Boolean.TRUE.equals(spec.fineTune().keepBaseClassifier())
                    ? CombinedModelWriter.withSoftmax(updated, spec.baseModel().cut(), classes, producer)
                    : CombinedModelWriter.combine(updated, spec.baseModel().cut(),
                    HeadExport.layers(r.graph(), spec.head()), producer);
        };
        return new Produced(r.trained(), combined, r.translation().inputShapes().get(0), r.stages());
    }

    private static JobResult.Metrics metrics(Trained head, JobResult.TestMetrics test, Counts counts,
                                             Map<String, Double> timings) {
        return new JobResult.Metrics(head == null ? List.of() : head.epochs(), head == null ? null : head.bestEpoch(),
                head == null ? null : head.stopReason(), test, counts, timings);
    }

    static int[] bySampleId(FeatureStore store) {
        return java.util.stream.IntStream.range(0, store.size()).boxed()
                .sorted(java.util.Comparator.comparingInt(store::sampleId)).mapToInt(i -> i).toArray();
    }

    private static int[] pick(int[] rows, int[] positions) {
        int[] out = new int[positions.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows[positions[i]];
        }
        return out;
    }
}
