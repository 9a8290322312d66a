package io.transferpool.train;

import io.transferpool.TestFiles;
import io.transferpool.export.ArtifactStore;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.FeatureBatch.Split;
import io.transferpool.messaging.FeatureBatch;
import io.transferpool.messaging.JobPlan;
import io.transferpool.messaging.ShardDone;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class TrainingRunTest {
    /** A plan of SHARDS training shards of PER_SHARD samples, no test split, the model pinned to {@code sha256}. */
    static JobPlan plan(io.transferpool.job.JobSpec spec, String sha256) {
        return JobPlan.of(spec, new JobPlan.Model("models/base.onnx", sha256), List.of("a", "b"),
                new JobPlan.Split(SHARDS, SHARDS * PER_SHARD), JobPlan.Split.NONE,
                new JobPlan.Submission(null, 1, System.currentTimeMillis(), 0));
    }

    @TempDir
    Path work;

    private static final int D = 1152;
    private static final int SHARDS = 6;
    private static final int PER_SHARD = 20;

    private List<FeatureBatch> batches() {
        Random rnd = new Random(3);
        List<FeatureBatch> out = new ArrayList<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            int[] ids = new int[PER_SHARD];
            int[] labels = new int[PER_SHARD];
            float[] f = new float[PER_SHARD * D];
            for (int i = 0; i < PER_SHARD; i++) {
                ids[i] = shard * PER_SHARD + i;
                labels[i] = ids[i] % 2;
                for (int j = 0; j < D; j++) {
                    f[i * D + j] = (float) (rnd.nextGaussian() * 0.5 + (j < 8 && labels[i] == 1 ? 1 : 0));
                }
            }
            out.add(new FeatureBatch("det", Split.TRAIN, shard, D, ids, labels, f));
        }
        return out;
    }

    private JobResult train(List<FeatureBatch> arrival, String name) throws Exception {
        var spec = JobParser.parse(TestFiles.job("det", "models/base.onnx", "t", null, 4)).orThrow();
        JobPlan plan = plan(spec, null);
        try (JobAccumulator acc = new JobAccumulator(plan, 1 << 24, work)) {
            for (FeatureBatch b : arrival) {
                acc.accept(b);
                acc.accept(new ShardDone("det", Split.TRAIN, b.shard(), SHARDS, PER_SHARD, List.of(), 0, 0, 0, "CPU",
                        null));
            }
            assertThat(acc.complete()).isTrue();
            return new TrainingRun(TestFiles.DEMO, new ArtifactStore(work.resolve(name))).run(acc, (m, max) -> { });
        }
    }

    @Test
    void anExtractJobNeedsNoBaseModelOnTheTrainer() throws Exception {
        // the data root has the images (to name the rows) but no model at all: the extractors checked it
        Path root = work.resolve("root");
        TestFiles.copyImages("train", root.resolve("t"), SHARDS * PER_SHARD / 2);
        java.nio.file.Files.move(root.resolve("t/shirt"), root.resolve("t/a")); // the plan's classes
        java.nio.file.Files.move(root.resolve("t/tshirt"), root.resolve("t/b"));
        var spec = JobParser.parse(TestFiles.job("det", "models/base.onnx", "t", null, 1)
                .replace("\"strategy\": \"feature-extraction\"", "\"strategy\": \"extract\"")).orThrow();
        JobPlan plan = plan(spec, null);
        try (JobAccumulator acc = new JobAccumulator(plan, 1 << 24, work)) {
            for (FeatureBatch b : batches()) {
                acc.accept(b);
                acc.accept(new ShardDone("det", Split.TRAIN, b.shard(), SHARDS, PER_SHARD, List.of(), 0, 0, 0, "CPU",
                        null));
            }
            JobResult r = new TrainingRun(root, new ArtifactStore(work.resolve("extract"))).run(acc, (m, max) -> { });
            assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
            assertThat(r.metrics().counts().train()).isEqualTo(SHARDS * PER_SHARD);
            assertThat(Path.of(java.net.URI.create(r.artifacts().features().uri())).resolve("train.npy")).exists();
            assertThat(java.nio.file.Files.readString(Path.of(java.net.URI.create(r.artifacts().report().uri()))))
                    .contains(r.artifacts().features().uri());
        }
    }

    @Test
    void aSucceededJobLeavesItsReportBesideItsArtifacts() throws Exception {
        JobResult r = train(batches(), "report");
        assertThat(r.status()).isEqualTo(JobResult.Status.SUCCEEDED);
        Path report = Path.of(java.net.URI.create(r.artifacts().report().uri()));
        assertThat(report).hasFileName("report.html")
                .hasParent(Path.of(java.net.URI.create(r.artifacts().onnx().uri())).getParent());
        assertThat(io.transferpool.model.OnnxModel.sha256(report)).isEqualTo(r.artifacts().report().sha256());
        // the page the job service shows for this result: the job, and its models with their digests
        assertThat(java.nio.file.Files.readString(report)).contains("det").contains(r.artifacts().onnx().uri())
                .contains(r.artifacts().onnx().sha256()).contains(r.artifacts().head().uri());
    }

    @Test
    void keptFeaturesGoneBeforeTrainingFailTheJobSayingSo() throws Exception {
        var spec = JobParser.parse(TestFiles.job("det", "models/base.onnx", "t", null, 1)).orThrow();
        JobPlan plan = JobPlan.of(spec, new JobPlan.Model("models/base.onnx", null), List.of("a", "b"),
                new JobPlan.Split(0, SHARDS * PER_SHARD), JobPlan.Split.NONE,
                new JobPlan.Submission(null, 1, System.currentTimeMillis(), 0))
                .withFeatures(new JobPlan.KeptFeatures("f".repeat(64), true));
        var cache = new io.transferpool.features.FeatureCache(
                new io.transferpool.features.FeatureCache.Policy(work.resolve("kept"), 1 << 20));
        try (JobAccumulator acc = new JobAccumulator(plan, 1 << 24, work)) {
            assertThat(acc.complete()).as("no shards: the features were to be read back").isTrue();
            JobResult r = new TrainingRun(TestFiles.DEMO, new ArtifactStore(work.resolve("gone")),
                    CheckpointStore.Policy.OFF, cache, 1).run(acc, (m, max) -> { });
            assertThat(r.status()).isEqualTo(JobResult.Status.FAILED);
            assertThat(r.errors()).singleElement().satisfies(e -> {
                assertThat(e.field()).isEqualTo("data");
                assertThat(e.problem()).contains("are gone", "submit it again");
            });
        }
    }

    /** Features no head can train on (values that overflow a float) make every candidate diverge. */
    @Test
    void aSweepWhoseEveryCandidateDivergedFailsTheJobWithEachCandidatesReason() throws Exception {
        var spec = JobParser.parse(TestFiles.job("det", "models/base.onnx", "t", null, 2).replace("\"seed\": 7}}", """
                "seed": 7},
                 "sweep": {"learningRate": [0.001, 0.01]}}""")).orThrow();
        assertThat(spec.sweep()).hasSize(2);
        JobPlan plan = plan(spec, null);
        try (JobAccumulator acc = new JobAccumulator(plan, 1 << 24, work)) {
            for (FeatureBatch b : batches()) {
                float[] huge = b.features().clone();
                java.util.Arrays.fill(huge, 3e38f);
                acc.accept(new FeatureBatch(b.jobId(), b.split(), b.shard(), b.dimension(), b.sampleIds(), b.labels(),
                        huge));
                acc.accept(new ShardDone("det", Split.TRAIN, b.shard(), SHARDS, PER_SHARD, List.of(), 0, 0, 0, "CPU",
                        null));
            }
            JobResult r = new TrainingRun(TestFiles.DEMO, new ArtifactStore(work.resolve("diverged"))).run(acc,
                    (m, max) -> { });
            assertThat(r.status()).isEqualTo(JobResult.Status.FAILED);
            assertThat(r.errors()).singleElement().satisfies(e -> {
                assertThat(e.field()).isEqualTo("sweep");
                assertThat(e.problem()).contains("every candidate diverged");
            });
            assertThat(r.metrics().sweep()).hasSize(2).allSatisfy(c -> {
                assertThat(c.failed()).contains("epoch 1");
                assertThat(c.chosen()).isFalse();
            });
            assertThat(r.artifacts()).as("nothing exported").isNull();
        }
    }

    @Test
    void aModelThatChangedSinceAcceptanceFailsTheJob() throws Exception {
        var spec = JobParser.parse(TestFiles.job("det", "models/base.onnx", "t", null, 1)).orThrow();
        JobPlan plan = plan(spec, "0".repeat(64));
        try (JobAccumulator acc = new JobAccumulator(plan, 1 << 24, work)) {
            for (FeatureBatch b : batches()) {
                acc.accept(b);
                acc.accept(new ShardDone("det", Split.TRAIN, b.shard(), SHARDS, PER_SHARD, List.of(), 0, 0, 0, "CPU",
                        null));
            }
            JobResult r = new TrainingRun(TestFiles.DEMO, new ArtifactStore(work.resolve("x"))).run(acc, (m, max) -> { });
            assertThat(r.status()).isEqualTo(JobResult.Status.FAILED);
            assertThat(r.errors()).singleElement().satisfies(e -> {
                assertThat(e.field()).isEqualTo("baseModel.uri");
                assertThat(e.problem()).contains("changed after the job was accepted");
            });
        }
    }

    @Test
    void theResultDoesNotDependOnTheOrderShardsArrivedIn() throws Exception {
        List<FeatureBatch> inOrder = batches();
        List<FeatureBatch> shuffled = new ArrayList<>(inOrder);
        Collections.shuffle(shuffled, new Random(11));
        assertThat(shuffled).isNotEqualTo(inOrder);
        JobResult a = train(inOrder, "a");
        Thread.sleep(2100); // saved in another (2-second) zip time slot: the digest must not depend on the clock
        JobResult b = train(shuffled, "b");
        assertThat(a.status()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(a.metrics().epochs()).hasSize(4).isEqualTo(b.metrics().epochs());
        assertThat(a.metrics().counts().validation()).isEqualTo(12);
        assertThat(a.artifacts().head().sha256()).isEqualTo(b.artifacts().head().sha256());
    }
}
