package io.transferpool.train;

import io.transferpool.storage.Storage;
import ai.onnx.proto.OnnxMl;
import io.transferpool.export.ArtifactStore;
import io.transferpool.export.ModelExport;
import io.transferpool.features.FeatureCache;
import io.transferpool.features.Rows;
import io.transferpool.job.JobResult.Counts;
import io.transferpool.job.JobResult;
import io.transferpool.job.JobSpec;
import io.transferpool.kernels.NativeThreads;
import io.transferpool.learning.CandidateSweep;
import io.transferpool.learning.Checkpoints;
import io.transferpool.learning.DivergedException;
import io.transferpool.learning.EpochListener;
import io.transferpool.learning.EpochLoop;
import io.transferpool.learning.Evaluation;
import io.transferpool.learning.FineTuner;
import io.transferpool.learning.HeadTrainer;
import io.transferpool.learning.Network;
import io.transferpool.learning.Trained;
import io.transferpool.messaging.JobPlan;
import io.transferpool.model.ModelInspector;
import io.transferpool.model.OnnxModel;
import io.transferpool.report.JobReport;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns a complete {@link JobAccumulator} into a result, in three steps: prepare ({@link TrainingData}: the
 * bad-sample budget, kept features, the validation split, the base as accepted), train (a new head or the
 * fine-tuned top of the base, or each candidate of a sweep, then the test split evaluated), export
 * ({@link ModelExport}: the combined ONNX model checked against the trainer's own predictions, then written with
 * the DL4J network). A step that cannot go on answers the job FAILED, naming the field at fault.
 */
public final class TrainingRun {
    private static final Logger LOG = Logger.getLogger(TrainingRun.class);
    private final Storage storage;
    private final ArtifactStore artifacts;
    private final ModelExport export;
    private final CheckpointStore.Policy checkpointPolicy;
    private final FeatureCache features;
    private final FeatureCache handoffs;
    private final int sweepParallelism;
    private final HeadTrainer heads = new HeadTrainer();

    public TrainingRun(Path dataRoot, ArtifactStore artifacts) {
        this(Storage.local(dataRoot), artifacts, CheckpointStore.Policy.OFF, FeatureCache.OFF, 1, FeatureCache.OFF);
    }

    /**
     * @param checkpointPolicy when to save training progress, so a trainer taking the job over resumes
     * @param features         where extracted features are kept for later jobs, and read back for them
     * @param sweepParallelism sweep candidates trained at once
     */
    public TrainingRun(Path dataRoot, ArtifactStore artifacts, CheckpointStore.Policy checkpointPolicy,
                       FeatureCache features, int sweepParallelism) {
        this(Storage.local(dataRoot), artifacts, checkpointPolicy, features, sweepParallelism, FeatureCache.OFF);
    }

    /**
     * @param handoffs where a trainer writes the features of a gathered job it hands to another trainer, and that
     *                 one reads them (on the artifacts volume); {@link FeatureCache#OFF}: no handoffs
     */
    public TrainingRun(Storage storage, ArtifactStore artifacts, CheckpointStore.Policy checkpointPolicy,
                       FeatureCache features, int sweepParallelism, FeatureCache handoffs) {
        this.handoffs = handoffs;
        NativeThreads.configure();
        this.storage = storage;
        this.artifacts = artifacts;
        this.export = new ModelExport(artifacts);
        this.checkpointPolicy = checkpointPolicy;
        this.features = features;
        this.sweepParallelism = sweepParallelism;
    }

    /** Where handed-off jobs' features go (disabled: no handoffs). */
    public FeatureCache handoffs() {
        return handoffs;
    }

    /** The checkpoints of one submission of a job (kept on the artifacts store, which every trainer reaches). */
    public CheckpointStore checkpoints(JobPlan plan) throws IOException {
        return new CheckpointStore(artifacts.checkpoints(plan.spec().jobId(), plan.submission().id()),
                checkpointPolicy);
    }

    public JobResult run(JobAccumulator acc, EpochListener listener) throws Exception {
        try {
            TrainingData data = TrainingData.prepare(acc, features, handoffs, storage);
            if (data.plan().spec().strategy() == JobSpec.Strategy.EXTRACT) {
                return reported(data.plan(), extracted(acc, data));
            }
            CheckpointStore checkpoints = checkpoints(acc.plan());
            int attempt = checkpoints.nextAttempt();
            Outcome trained = train(data, listener, checkpoints);
            ModelExport.Exported exported = export(data, trained);
            return reported(data.plan(), result(acc, data, trained, exported, attempt));
        } catch (Refused r) {
            return r.result();
        }
    }

    /**
     * What a strategy trained, how to make its combined ONNX model (only the chosen candidate of a sweep is
     * exported), and the shape of the tensor the trainer was fed.
     */
    private record Product(Trained trained, Supplier<OnnxMl.ModelProto> combined, long[] fromShape,
                           List<JobResult.Stage> stages) {
    }

    /** What the train step made: the chosen product, the sweep's figures, the test split's scores. */
    private record Outcome(Product product, List<JobResult.SweepCandidate> sweep, JobResult.TestMetrics test,
                           float[] testProbabilities, double evaluationSeconds) {
    }

    private Outcome train(TrainingData data, EpochListener listener, Checkpoints checkpoints) throws Exception {
        JobSpec spec = data.plan().spec();
        String jobId = spec.jobId();
        int classes = data.plan().classes().size();
        CandidateSweep.Trainer<Product> strategy = (s, l, c) -> s.strategy() == JobSpec.Strategy.FINE_TUNE
                ? fineTune(data.base(), s, classes, data.train(), data.validation(), l, c)
                : newHead(data.base(), s, data.train(), data.validation(), l, c);
        Product product;
        List<JobResult.SweepCandidate> sweep = null;
        try {
            if (spec.sweep().isEmpty()) {
                product = strategy.train(spec, listener, checkpoints);
            } else {
                var outcome = CandidateSweep.run(spec, strategy, Product::trained, data.test(), listener,
                        checkpoints, sweepParallelism);
                sweep = outcome.candidates();
                product = outcome.best();
                if (product == null) {
                    throw Refused.failed(jobId, "sweep", "every candidate diverged; see metrics.sweep",
                            new JobResult.Metrics(List.of(), null, null, null, null, Map.of(), null, null, sweep));
                }
            }
        } catch (FineTuner.MismatchException e) {
            throw Refused.failed(jobId, "baseModel.freezeAt", e.getMessage(), null);
        } catch (DivergedException e) {
            throw Refused.failed(jobId, "training", e.getMessage(), null);
        }
        long te = System.nanoTime();
        JobResult.TestMetrics test = null;
        float[] probabilities = null;
        if (data.test() != null) {
            probabilities = EpochLoop.predict(product.trained().network(), data.test());
            test = Evaluation.of(probabilities, data.test().labels(), data.plan().classes());
        }
        return new Outcome(product, sweep, test, probabilities, (System.nanoTime() - te) / 1e9);
    }

    private ModelExport.Exported export(TrainingData data, Outcome trained) throws Exception {
        Rows rows = data.checkRows();
        try {
            return export.write(data.plan().spec(), data.plan().run(), data.base(),
                    trained.product().trained().network(), trained.product().combined(),
                    trained.product().fromShape(), rows, rows == data.test() ? trained.testProbabilities() : null);
        } catch (ModelExport.MismatchException e) {
            throw Refused.failed(data.plan().spec().jobId(), "head", e.getMessage(), null);
        }
    }

    private JobResult result(JobAccumulator acc, TrainingData data, Outcome trained, ModelExport.Exported exported,
                             int attempt) {
        String jobId = data.plan().spec().jobId();
        Trained head = trained.product().trained();
        Counts counts = new Counts(data.train().size(), data.validation().size(),
                data.test() == null ? 0 : data.test().size(), data.train().store().dimension(),
                acc.badSamples().size(), JobResult.listed(acc.badSamples()), data.perClass(), acc.reusedRows());
        Map<String, Double> timings = RunTimings.of(acc, data, head, trained.sweep(), trained.evaluationSeconds(),
                exported);
        LOG.infof("Job %s trained: %d epochs, best %d, test accuracy %s, ONNX check max diff %.1e", jobId,
                head.epochs().size(), head.bestEpoch(), trained.test() == null ? "n/a"
                        : String.format("%.4f", trained.test().accuracy()), exported.maxDifference());
        JobResult.Recovery recovery = attempt > 1 ? new JobResult.Recovery(attempt, head.resumedFromEpoch()) : null;
        return new JobResult(jobId, JobResult.Status.SUCCEEDED, List.of(), new JobResult.Metrics(head.epochs(),
                head.bestEpoch(), head.stopReason(), trained.test(), counts, timings, recovery,
                trained.product().stages(), trained.sweep()), exported.artifacts());
    }

    /**
     * The result with its HTML report written beside the other artifacts: the page the job service shows, rendered
     * from the result as it will be published (marked with its submission and advice), so it can be read where the
     * artifacts are kept. A report that cannot be written is left out of the result, not the job's models.
     */
    private JobResult reported(JobPlan plan, JobResult result) {
        JobResult published = plan.answer(result);
        try {
            JobResult.Artifact report = artifacts.put(plan.spec().jobId(), plan.run(), "report.html",
                    JobReport.html(published).getBytes(StandardCharsets.UTF_8));
            return published.withArtifacts(published.artifacts().withReport(report));
        } catch (IOException e) {
            LOG.warnf("Job %s: its report was not written: %s", plan.spec().jobId(), e.getMessage());
            return result;
        }
    }

    /** A {@code strategy: "extract"} job: its features written out, nothing trained. */
    private JobResult extracted(JobAccumulator acc, TrainingData data) throws Refused, IOException {
        long t0 = System.nanoTime();
        JobResult.Artifact folder = FeatureExport.write(data, storage, artifacts);
        // the whole training split: an extract job takes no validation rows out
        int trainRows = data.train().store().size();
        int testRows = data.test() == null ? 0 : data.test().store().size();
        Counts counts = new Counts(trainRows, 0, testRows, data.train().store().dimension(),
                acc.badSamples().size(), JobResult.listed(acc.badSamples()), data.perClass(), acc.reusedRows());
        Map<String, Double> timings = RunTimings.extracted(acc, data, (System.nanoTime() - t0) / 1e9);
        LOG.infof("Job %s extracted: %d + %d rows of %d features to %s", data.plan().spec().jobId(), trainRows,
                testRows, data.train().store().dimension(), folder.uri());
        return new JobResult(data.plan().spec().jobId(), JobResult.Status.SUCCEEDED, List.of(),
                new JobResult.Metrics(List.of(), null, null, null, counts, timings, null, null, null),
                JobResult.Artifacts.features(folder));
    }

    private Product newHead(OnnxModel base, JobSpec spec, Rows train, Rows val, EpochListener listener,
                            Checkpoints checkpoints) throws IOException {
        Trained head = heads.train(train, val, spec, listener, checkpoints);
        long[] shape = ModelInspector.shapes(base).getOrDefault(spec.baseModel().cut(), List.of()).stream()
                .mapToLong(Long::longValue).toArray();
        return new Product(head, () -> ModelExport.combineHead(base, spec, ((Network.Head) head.network()).net()),
                shape.length > 0 ? shape : new long[]{1, train.store().dimension()}, null);
    }

    private Product fineTune(OnnxModel base, JobSpec spec, int classes, Rows train, Rows val,
                             EpochListener listener, Checkpoints checkpoints) throws Exception {
        FineTuner.Result r = new FineTuner().train(base, spec, classes, train, val, listener, checkpoints);
        return new Product(r.trained(), () -> ModelExport.combineFineTuned(base, spec, classes, r.translation(),
                r.graph()), r.translation().inputShapes().get(0), r.stages());
    }
}
