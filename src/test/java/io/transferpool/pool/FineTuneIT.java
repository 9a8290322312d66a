package io.transferpool.pool;

import ai.onnx.proto.OnnxMl;
import io.transferpool.TestFiles;
import io.transferpool.TestJobs;
import io.transferpool.TestPool;
import io.transferpool.job.JobResult;
import io.transferpool.learning.Evaluation;
import io.transferpool.messaging.JobClient;
import io.transferpool.model.CutSession;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.SessionFactory;
import io.transferpool.model.TensorData;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

/** Fine-tuning jobs (the seed's method 2) through the whole pipeline on the embedded broker, one pool. */
class FineTuneIT {
    static final String LAST_BLOCK = "/features/features.9/MaxPool_output_0";
    @RegisterExtension
    static final TestPool POOL = TestPool.allRoles().data(FineTuneIT::layOut).with("tp.shard-size", "32");

    static void layOut(Path root) throws Exception {
        TestFiles.demoRoot(root, "train", 40, "test", 20);
        OnnxModel base = OnnxModel.load(TestFiles.BASE_MODEL);
        Files.write(root.resolve("models/elu.onnx"), withEluInLastBlock(base).toByteArray());
        Files.write(root.resolve("models/two-classes.onnx"), withTwoClassClassifier(base).toByteArray());
    }

    static String job(String jobId, String model, String freezeAt, String extra) {
        return """
                {"jobId": "%s", "strategy": "fine-tune", "baseModel": {"uri": "%s", "input": "input", "freezeAt": "%s"},
                 "data": {"train": {"uri": "train"}, "test": {"uri": "test"}, "validationSplit": 0.1},
                 "preprocess": {"width": 28, "height": 28, "channels": 1, "scale": 0.00392156862745098},
                 "head": {"hidden": [32]},
                 "training": {"optimizer": {"type": "adam", "learningRate": 0.001}, "epochs": 3, "batchSize": 16,
                              "seed": 7}%s}
                """.formatted(jobId, model, freezeAt, extra);
    }

    static JobResult run(String jobId, String json) throws Exception {
        return TestJobs.run(POOL.pool(), jobId, json);
    }

    @Test
    void aWarmedUpFineTuneReportsBothStagesAndKeepsTheWarmUpUnlessClearlyBetter() throws Exception {
        JobResult r = run("ft-stages", job("ft-stages", "models/base.onnx", LAST_BLOCK,
                ", \"fineTune\": {\"baseLearningRate\": 0.0001}"));

        assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        // 3 epochs of the new head alone (the warm-up), then 3 of the conv block and the head; 3 epochs at 1e-4
        // do not get significantly more of the 8 validation images right, so the warm-up's weights are the job's
        // (learning.StageChoice), and the job's best epoch is the warm-up's
        assertThat(r.metrics().epochs()).hasSize(6);
        assertThat(r.metrics().stages()).extracting(JobResult.Stage::name, JobResult.Stage::firstEpoch,
                JobResult.Stage::lastEpoch, JobResult.Stage::chosen).containsExactly(
                tuple("warmup", 1, 3, true), tuple("fine-tune", 4, 6, false));
        assertThat(r.metrics().bestEpoch()).isEqualTo(r.metrics().stages().get(0).bestEpoch()).isBetween(1, 3);
        OnnxModel combined = OnnxModel.load(Path.of(URI.create(r.artifacts().onnx().uri())));
        assertThat(initializer(combined, "features.10.weight"))
                .as("the warm-up kept: the conv block as the base has it")
                .isEqualTo(initializer(OnnxModel.load(TestFiles.BASE_MODEL), "features.10.weight"));
    }

    @Test
    void theLastConvBlockAndANewHeadAreTrainedAndTheCombinedModelPredictsLikeTheTrainer() throws Exception {
        // no warm-up: the conv block and the head train together, and the trained block is what the job keeps
        JobResult r = run("ft-block", job("ft-block", "models/base.onnx", LAST_BLOCK,
                ", \"fineTune\": {\"baseLearningRate\": 0.0001, \"warmupEpochs\": 0}"));

        assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(r.metrics().counts().featureDimension()).as("64x7x7 activations").isEqualTo(3136);
        assertThat(r.metrics().epochs()).hasSize(3);
        assertThat(r.metrics().stages()).isNull();
        // The base has 8 classes, the task 2: a new head attaches at the base classifier's input.
        DemoTestImages test = DemoTestImages.load(POOL.root());
        int n = test.count();
        float[] onnx = test.runCombined(r);
        ComputationGraph trained = ModelSerializer.restoreComputationGraph(
                Path.of(URI.create(r.artifacts().head().uri())).toFile());
        float[] dl4j;
        try (CutSession cut = CutSession.open(OnnxModel.load(TestFiles.BASE_MODEL), "input", LAST_BLOCK,
                SessionFactory.Settings.cpu(0))) {
            CutSession.Features f = cut.run(test.inputs(), n, DemoTestImages.preprocess());
            dl4j = trained.output(false, Nd4j.create(f.values(), new long[]{n, 64, 7, 7}, 'c'))[0]
                    .castTo(DataType.FLOAT).dup('c').data().asFloat();
        }
        assertThat(onnx).hasSameSizeAs(dl4j);
        for (int i = 0; i < onnx.length; i++) {
            assertThat(onnx[i]).as("probability %d", i).isCloseTo(dl4j[i], within(1e-4f));
        }
        assertThat(Evaluation.of(onnx, test.labels(), List.of("shirt", "tshirt")).accuracy())
                .isEqualTo(r.metrics().test().accuracy());
        // Frozen prefix unchanged, fine-tuned conv weights written back into the same node.
        OnnxModel combined = OnnxModel.load(Path.of(URI.create(r.artifacts().onnx().uri())));
        OnnxModel base = OnnxModel.load(TestFiles.BASE_MODEL);
        assertThat(initializer(combined, "features.0.weight")).isEqualTo(initializer(base, "features.0.weight"));
        assertThat(initializer(combined, "features.10.weight")).isNotEqualTo(initializer(base, "features.10.weight"));
    }

    @Test
    void fullFineTuningFromTheInputKeepsTheBasesClassifierWhenTheClassCountMatches() throws Exception {
        JobResult r = run("ft-full", job("ft-full", "models/two-classes.onnx", "input",
                ", \"fineTune\": {\"batchNorm\": \"update\"}"));

        assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(r.metrics().counts().featureDimension()).as("the preprocessed image").isEqualTo(784);
        DemoTestImages test = DemoTestImages.load(POOL.root());
        assertThat(Evaluation.of(test.runCombined(r), test.labels(), List.of("shirt", "tshirt")).accuracy())
                .isEqualTo(r.metrics().test().accuracy());
        OnnxModel combined = OnnxModel.load(Path.of(URI.create(r.artifacts().onnx().uri())));
        assertThat(combined.graph().getNodeList()).extracting(OnnxMl.NodeProto::getName)
                .as("no new head: the base's logits Gemm then a softmax").doesNotContain("tp_head_gemm_0")
                .contains("tp_head_softmax");
    }

    @Test
    void aPreviousJobsCombinedModelIsFineTunedKeepingItsTrainedHead() throws Exception {
        // The seed's method 2 fine-tunes the model method 1 trained: here the first job's model.onnx (base, new head,
        // Softmax) is the base of the second, whose two outputs match the task, so its head is kept and trained on.
        try (JobClient client = new JobClient(POOL.pool().clients())) {
            client.submit("first", TestFiles.job("first", "models/base.onnx", "train", "test", 2));
            JobResult first = client.await("first", Duration.ofMinutes(5), e -> { });
            assertThat(first.status()).as("errors %s", first.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
            Files.copy(Path.of(URI.create(first.artifacts().onnx().uri())), POOL.root().resolve("models/first.onnx"));
        }
        JobResult r = run("continued", job("continued", "models/first.onnx", LAST_BLOCK, ""));

        assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        OnnxModel first = OnnxModel.load(POOL.root().resolve("models/first.onnx"));
        OnnxModel combined = OnnxModel.load(Path.of(URI.create(r.artifacts().onnx().uri())));
        assertThat(combined.graph().getNodeList()).extracting(OnnxMl.NodeProto::getName)
                .as("the first job's head, then one softmax").contains("tp_head_gemm_0", "tp_head_gemm_1",
                        "tp_head_softmax").doesNotContain("tp_head_softmax_1");
        assertThat(initializer(combined, "tp_head_1_W")).as("the kept head was trained")
                .isNotEqualTo(initializer(first, "tp_head_1_W"));
        assertThat(initializer(combined, "features.0.weight")).isEqualTo(initializer(first, "features.0.weight"));
        DemoTestImages test = DemoTestImages.load(POOL.root());
        assertThat(Evaluation.of(test.runCombined(r), test.labels(), List.of("shirt", "tshirt")).accuracy())
                .isEqualTo(r.metrics().test().accuracy());
    }

    @Test
    void anUnsupportedOperatorRejectsTheJobNamingItAndTheLatestUsableBoundary() throws Exception {
        JobResult r = run("ft-elu", job("ft-elu", "models/elu.onnx", LAST_BLOCK, ""));

        assertThat(r.status()).isEqualTo(JobResult.Status.REJECTED);
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("baseModel.freezeAt");
            assertThat(e.problem()).contains("operator Elu", "latest boundary after which every operator is "
                    + "supported is \"/features/features.11/Relu_output_0\"");
        });
    }

    @Test
    void aFreezeBoundaryThatIsNotInTheGraphIsRejectedWithNearestNames() throws Exception {
        JobResult r = run("ft-typo", job("ft-typo", "models/base.onnx", "/features/features.9/MaxPool_output", ""));
        assertThat(r.status()).isEqualTo(JobResult.Status.REJECTED);
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("baseModel.freezeAt");
            assertThat(e.problem()).contains(LAST_BLOCK);
        });
    }

    /** The demo base with its last block's ReLU turned into an Elu, which the translator does not know. */
    static OnnxMl.ModelProto withEluInLastBlock(OnnxModel base) {
        OnnxMl.GraphProto.Builder g = base.graph().toBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getOutput(0).equals("/features/features.11/Relu_output_0")) {
                g.setNode(i, g.getNode(i).toBuilder().setOpType("Elu"));
            }
        }
        return base.proto().toBuilder().setGraph(g).build();
    }

    /** The demo base whose classifier keeps only its first two outputs, so it matches the two-class task. */
    static OnnxMl.ModelProto withTwoClassClassifier(OnnxModel base) {
        OnnxMl.GraphProto.Builder g = base.graph().toBuilder();
        OnnxMl.NodeProto logits = g.getNodeList().stream().filter(n -> n.getOutput(0).equals("logits")).findFirst()
                .orElseThrow();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            String name = g.getInitializer(i).getName();
            TensorData v = TensorData.of(g.getInitializer(i));
            if (name.equals(logits.getInput(1))) { // [8, 128] with transB = 1
                g.setInitializer(i, new TensorData(new long[]{2, v.dims()[1]},
                        Arrays.copyOf(v.values(), (int) (2 * v.dims()[1]))).toProto(name));
            } else if (name.equals(logits.getInput(2))) {
                g.setInitializer(i, new TensorData(new long[]{2}, Arrays.copyOf(v.values(), 2)).toProto(name));
            }
        }
        g.clearOutput().addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("logits"));
        return base.proto().toBuilder().setGraph(g).build();
    }

    static float[] initializer(OnnxModel m, String name) {
        return m.graph().getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst()
                .map(t -> TensorData.of(t).values()).orElseThrow(() -> new AssertionError("no initializer " + name));
    }
}
