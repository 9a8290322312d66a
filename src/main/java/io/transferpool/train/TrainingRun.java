package io.transferpool.train;

import ai.onnx.proto.OnnxMl;
import io.transferpool.data.PathResolver;
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
    private final HeadTrainer trainer = new HeadTrainer();

    public TrainingRun(Path dataRoot, ArtifactStore artifacts) {
        this(dataRoot, artifacts, CheckpointStore.Policy.OFF);
    }

    /** @param checkpointPolicy when to save training progress, so a trainer taking the job over resumes */
    public TrainingRun(Path dataRoot, ArtifactStore artifacts, CheckpointStore.Policy checkpointPolicy) {
        NativeThreads.configure();
        this.dataRoot = dataRoot;
        this.artifacts = artifacts;
        this.checkpointPolicy = checkpointPolicy;
    }

    /** The checkpoints of one submission of a job (kept on the artifacts store, which every trainer reaches). */
    public CheckpointStore checkpoints(JobPlan plan) throws java.io.IOException {
        return new CheckpointStore(artifacts.checkpointDir(plan.spec().jobId(), plan.submission()), checkpointPolicy);
    }

    public JobResult run(JobAccumulator acc, EpochListener listener) throws Exception {
        JobPlan plan = acc.plan();
        JobSpec spec = plan.spec();
        String jobId = spec.jobId();
        if (!acc.extractErrors().isEmpty()) {
            return JobResult.failed(jobId, acc.extractErrors().stream()
                    .map(e -> new FieldError("baseModel", "extraction failed: " + e)).toList(), null);
        }
        FeatureStore trainStore = acc.store(Split.TRAIN);
        FeatureStore testStore = acc.store(Split.TEST);
        int planned = plan.trainSamples() + plan.testSamples();
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
            return JobResult.failed(jobId, List.of(new FieldError("data.train", "none of the " + plan.trainSamples()
                    + " training samples could be used; see metrics.counts.badSamples")), metrics(null, null, counts,
                    Map.of()));
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
        OnnxModel base = OnnxModel.load(new PathResolver(dataRoot).inside(plan.modelPath()));
        if (plan.modelSha256() != null && !plan.modelSha256().equals(base.sha256())) {
            return JobResult.failed(jobId, List.of(new FieldError("baseModel.uri", "the model file changed after the "
                    + "job was accepted: its SHA-256 is " + base.sha256() + ", the job pinned " + plan.modelSha256())),
                    null);
        }
        String changed = ExternalData.mismatch(base.graph(), base.folder(), spec.baseModel().externalSha256());
        if (changed != null) {
            return JobResult.failed(jobId, List.of(new FieldError("baseModel.uri", changed)), null);
        }
        CheckpointStore checkpoints = checkpoints(plan);
        int attempt = checkpoints.nextAttempt();
        Produced produced;
        try {
            produced = spec.strategy() == JobSpec.Strategy.FINE_TUNE
                    ? fineTune(base, spec, classes, train, val, listener, checkpoints)
                    : newHead(base, spec, train, val, listener, checkpoints);
        } catch (FineTuner.MismatchException e) {
            return JobResult.failed(jobId, List.of(new FieldError("baseModel.freezeAt", e.getMessage())), null);
        } catch (DivergedException e) {
            return JobResult.failed(jobId, List.of(new FieldError("training", e.getMessage())), null);
        }
        Trained head = produced.trained();

        long te = System.nanoTime();
        JobResult.TestMetrics test = null;
        float[] testProbs = null;
        Rows testRows = null;
        if (testStore.size() > 0) {
            testRows = new Rows(testStore, bySampleId(testStore), classes);
            testProbs = EpochLoop.predict(head.network(), testRows);
            test = io.transferpool.train.Evaluation.of(testProbs, testRows.labels(), plan.classes());
        }
        double evalSeconds = (System.nanoTime() - te) / 1e9;

        long tx = System.nanoTime();
        Rows checkRows = testRows != null ? testRows : val.size() > 0 ? val : train;
        float[] checkProbs = testRows != null ? testProbs : EpochLoop.predict(head.network(), checkRows);
        double diff = OnnxPredictionCheck.maxDifference(base.derive(produced.combined()), spec.extractAt(),
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
        ArtifactStore.ModelArtifacts onnxArtifacts = artifacts.putModel(jobId, plan.run(), "model.onnx", produced.combined(),
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
                JobResult.listed(acc.badSamples()), perClass);
        Map<String, Double> timings = new LinkedHashMap<>();
        int extracted = trainStore.size() + testStore.size();
        timings.put("validationSeconds", plan.validationSeconds());
        timings.put("extractionSeconds", acc.extractionSeconds());
        timings.put("extractionImagesPerSecond", extracted / Math.max(1e-9, acc.extractionSeconds()));
        timings.put("decodeSeconds", acc.decodeSeconds());
        timings.put("preprocessSeconds", acc.preprocessSeconds());
        timings.put("inferenceSeconds", acc.inferenceSeconds());
        timings.put("encodeSeconds", acc.encodeSeconds());
        timings.put("publishSeconds", acc.publishSeconds());
        timings.put("ingestSeconds", acc.ingestSeconds());
        timings.put("trainingSeconds", head.seconds());
        timings.put("trainingSamplesPerSecond", head.samplesPerSecond());
        timings.put("evaluationSeconds", evalSeconds);
        timings.put("exportSeconds", exportSeconds);
        timings.put("totalSeconds", (System.currentTimeMillis() - plan.submittedAtMillis()) / 1e3);
        LOG.infof("Job %s trained: %d epochs, best %d, test accuracy %s, ONNX check max diff %.1e", jobId,
                head.epochs().size(), head.bestEpoch(), test == null ? "n/a" : String.format("%.4f", test.accuracy()),
                diff);
        JobResult.Recovery recovery = attempt > 1 ? new JobResult.Recovery(attempt, head.resumedFromEpoch()) : null;
        return new JobResult(jobId, JobResult.Status.SUCCEEDED, List.of(), new JobResult.Metrics(head.epochs(),
                head.bestEpoch(), head.stopReason(), test, counts, timings, recovery, produced.stages()),
                new JobResult.Artifacts(headArtifact, onnxArtifacts.model(), onnxArtifacts.data()));
    }

    /** What a strategy trained, its combined ONNX model, and the shape of the tensor the trainer was fed. */
    private record Produced(Trained trained, OnnxMl.ModelProto combined, long[] fromShape,
                            List<JobResult.Stage> stages) {
    }

    private Produced newHead(OnnxModel base, JobSpec spec, Rows train, Rows val, EpochListener listener,
                             Checkpoints checkpoints) throws java.io.IOException {
        Trained head = trainer.train(train, val, spec, listener, checkpoints);
        List<DenseWeights> layers = HeadExport.layers(((Network.Head) head.network()).net(), spec.head());
        OnnxMl.ModelProto combined = CombinedModelWriter.combine(base, spec.baseModel().cut(), layers,
                "transferpool job " + spec.jobId() + " base " + base.sha256());
        long[] shape = ModelInspector.shapes(base).getOrDefault(spec.baseModel().cut(), List.of()).stream()
                .mapToLong(Long::longValue).toArray();
        return new Produced(head, combined, shape.length > 0 ? shape : new long[]{1, train.store().dimension()},
                null);
    }

    private Produced fineTune(OnnxModel base, JobSpec spec, int classes, Rows train, Rows val,
                              EpochListener listener, Checkpoints checkpoints) throws Exception {
        FineTuner.Result r = new FineTuner().train(base, spec, classes, train, val, listener, checkpoints);
        OnnxModel updated = base.derive(WeightWriteBack.apply(base, r.translation(), r.graph()));
        String producer = "transferpool job " + spec.jobId() + " fine-tuned from " + base.sha256();
        OnnxMl.ModelProto combined = Boolean.TRUE.equals(spec.fineTune().keepBaseClassifier())
                ? CombinedModelWriter.withSoftmax(updated, spec.baseModel().cut(), classes, producer)
                : CombinedModelWriter.combine(updated, spec.baseModel().cut(),
                HeadExport.layers(r.graph(), spec.head()), producer);
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
