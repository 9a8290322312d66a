package io.transferpool.admission;

import io.transferpool.TestConfig;
import io.transferpool.TestFiles;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobRejectedException;
import io.transferpool.job.Limits;
import io.transferpool.messaging.ExtractTask;
import io.transferpool.messaging.FeatureBatch;
import io.transferpool.messaging.JobPlan;
import io.transferpool.paths.PathResolver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** What the planner decides on checked facts: the settled job within the pool's limits, and its shards. */
class JobPlannerTest {
    @TempDir
    static Path root;

    @BeforeAll
    static void data() throws Exception {
        TestFiles.demoRoot(root, "train", 5, "test", 3);
    }

    static Admission admission(Limits limits) {
        return new Admission(new JobValidator(new PathResolver(root)), new JobPlanner(root, limits, 64, 4));
    }

    @Test
    void aFineTuneIsSettledWithItsHeadAndKeptClassifierDecision() {
        var spec = JobParser.parse("""
                {"jobId": "ft", "strategy": "fine-tune",
                 "baseModel": {"uri": "models/base.onnx", "freezeAt": "/features/features.9/MaxPool_output_0"},
                 "data": {"train": {"uri": "train"}}, "preprocess": {"width": 28, "height": 28, "channels": 1}}
                """).orThrow();
        JobFacts facts = new JobValidator(new PathResolver(root)).check(spec);
        assertThat(facts.spec().baseModel().cut()).isNull();
        AcceptedJob job = new JobPlanner(root, TestConfig.limits(), 64, 4).settle(facts);
        assertThat(job.spec().baseModel().cut()).as("a new head at the input of the base's last Gemm")
                .isEqualTo("/classifier/classifier.1/Relu_output_0");
        assertThat(job.spec().fineTune().keepBaseClassifier()).as("8 base classes, 2 in the task").isFalse();
        assertThat(job.spec().baseModel().input()).isEqualTo("input");
        assertThat(job.modelSha256()).isEqualTo(facts.model().sha256());
    }

    @Test
    void aJobIsCutIntoShardsOfAtMostTheShardSizeUnlessKeptFeaturesServeIt() {
        var spec = JobParser.parse(TestFiles.job("p", "models/base.onnx", "train", "test", 1)).orThrow();
        Admission admission = admission(TestConfig.limits());
        AcceptedJob job = admission.admit(spec);
        var planned = admission.planner().plan(job, new JobPlan.Submission("s", 2, 1, 0.5));
        // 10 training and 6 test images in shards of 4
        assertThat(planned.tasks()).extracting(ExtractTask::split, ExtractTask::shard, t -> t.samples().size())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(FeatureBatch.Split.TRAIN, 0, 4),
                        org.assertj.core.groups.Tuple.tuple(FeatureBatch.Split.TRAIN, 1, 4),
                        org.assertj.core.groups.Tuple.tuple(FeatureBatch.Split.TRAIN, 2, 2),
                        org.assertj.core.groups.Tuple.tuple(FeatureBatch.Split.TEST, 0, 4),
                        org.assertj.core.groups.Tuple.tuple(FeatureBatch.Split.TEST, 1, 2));
        assertThat(planned.tasks()).allSatisfy(t -> assertThat(t.key()).isEqualTo("p#2"));
        assertThat(planned.plan().train()).isEqualTo(new JobPlan.Split(3, 10));
        assertThat(planned.plan().test()).isEqualTo(new JobPlan.Split(2, 6));

        var reused = admission.planner().plan(job, new JobPlan.Submission("s", 1, 1, 0.5),
                new JobPlan.KeptFeatures("k", true));
        assertThat(reused.tasks()).isEmpty();
        assertThat(reused.plan().shards()).isZero();
        assertThat(reused.plan().train().samples()).isEqualTo(10);
    }

    @Test
    void everyCandidateOfASweepStaysWithinTheLimitsAndSoDoTheyTogether() {
        // 10 training images: 3 epochs each is 30 sample passes, the limit 50
        Limits limits = TestConfig.limits("tp.limits.max-epochs", "100", "tp.limits.max-epoch-samples", "50",
                "tp.limits.max-samples", "10000", "tp.limits.max-head-layers", "2");
        var spec = JobParser.parse(TestFiles.job("sw", "models/base.onnx", "train", "test", 3).replace(
                "\"seed\": 7}}", "\"seed\": 7}, \"sweep\": {\"head.hidden\": [[8], [8, 8, 8]], "
                        + "\"training.epochs\": [3]}}")).orThrow();
        var e = catchThrowableOfType(JobRejectedException.class,
                () -> admission(limits).admit(spec));
        assertThat(e).isNotNull();
        assertThat(e.errors()).extracting(FieldError::field).containsOnly("sweep");
        assertThat(e.errors()).extracting(FieldError::problem).anySatisfy(p -> assertThat(p)
                .contains("{head.hidden=[8,8,8], training.epochs=3}", "head.hidden: 3 layers"))
                .anySatisfy(p -> assertThat(p).contains("2 candidates", "60 sample passes"));

        var warm = JobParser.parse("""
                {"jobId": "w", "strategy": "fine-tune",
                 "baseModel": {"uri": "models/base.onnx", "freezeAt": "/features/features.9/MaxPool_output_0"},
                 "data": {"train": {"uri": "train"}}, "preprocess": {"width": 28, "height": 28, "channels": 1},
                 "training": {"epochs": 3}, "fineTune": {"warmupEpochs": 101}}""").orThrow();
        var w = catchThrowableOfType(JobRejectedException.class,
                () -> admission(limits).admit(warm));
        assertThat(w).isNotNull();
        assertThat(w.errors()).extracting(FieldError::field).containsExactly("fineTune.warmupEpochs");
    }

}
