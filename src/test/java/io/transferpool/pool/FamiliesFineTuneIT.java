package io.transferpool.pool;

import ai.onnx.proto.OnnxMl;
import io.transferpool.FamilyModel;
import io.transferpool.TestFiles;
import io.transferpool.TestJobs;
import io.transferpool.TestPool;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult;
import io.transferpool.learning.Evaluation;
import io.transferpool.messaging.JobClient;
import io.transferpool.model.OnnxModel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Every model of the conformance matrix (one per torchvision family, at two opsets and both export styles) fine-tuned
 * for an epoch through the whole pipeline on the embedded broker: the last stage and a new head at the flatten are
 * trained on colour images, and the combined ONNX model gives class probabilities that score what the result says.
 * No warm-up (warmupEpochs 0): the epoch's fine-tuned weights, not a warm head, must be what is written back
 * (FineTuneIT and DemoIT run the warm-up through the pool).
 */
class FamiliesFineTuneIT {
    @RegisterExtension
    static final TestPool POOL = TestPool.allRoles().data(FamiliesFineTuneIT::layOut).with("tp.shard-size", "16");

    static void layOut(Path root) throws Exception {
        Files.createDirectories(root.resolve("models"));
        for (FamilyModel f : FamilyModel.all()) {
            Files.copy(f.path(), root.resolve("models").resolve(f.file()));
        }
        Path external = Files.createDirectories(root.resolve("models/external"));
        try (var files = Files.list(FamilyModel.DIR.resolve("external"))) {
            for (Path f : files.toList()) {
                Files.copy(f, external.resolve(f.getFileName()));
            }
        }
        TestFiles.copyImagesAsRgb("train", root.resolve("train"), 12);
        TestFiles.copyImagesAsRgb("test", root.resolve("test"), 6);
    }

    static List<FamilyModel> families() throws IOException {
        return FamilyModel.all();
    }

    static String job(String jobId, FamilyModel f) {
        return job(jobId, "models/" + f.file(), f);
    }

    static String job(String jobId, String uri, FamilyModel f) {
        return """
                {"jobId": "%s", "strategy": "fine-tune",
                 "baseModel": {"uri": "%s", "freezeAt": "%s", "cut": "%s"},
                 "data": {"train": {"uri": "train"}, "test": {"uri": "test"}, "validationSplit": 0.2},
                 "preprocess": {"width": %d, "height": %d, "channels": 3, "resize": "stretch",
                                "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
                 "head": {"hidden": [16]},
                 "training": {"optimizer": {"type": "adam", "learningRate": 0.001}, "epochs": 1, "batchSize": 8,
                              "seed": 3},
                 "fineTune": {"baseLearningRate": 0.0001, "warmupEpochs": 0}}
                """.formatted(jobId, uri, f.freezeAt(), f.cut(), f.size(), f.size());
    }

    static JobResult run(String jobId, String json) throws Exception {
        return TestJobs.run(POOL.pool(), jobId, json);
    }

    static FamilyModel family(String file) throws IOException {
        return FamilyModel.all().stream().filter(f -> f.file().equals(file)).findFirst().orElseThrow();
    }

    @Test
    void aModelWithExternalWeightsIsFineTunedAndItsArtifactKeepsThemInADataFile() throws Exception {
        FamilyModel f = family("resnet18_opset13.onnx");
        String json = job("external-ft", "models/external/resnet18_opset13.onnx", f);
        JobResult r = run("external-ft", json);

        assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(r.artifacts().onnxData()).isNotNull();
        Path model = Path.of(URI.create(r.artifacts().onnx().uri()));
        Path data = Path.of(URI.create(r.artifacts().onnxData().uri()));
        assertThat(data).isEqualTo(model.resolveSibling("model.onnx.data"));
        assertThat(OnnxModel.sha256(data)).isEqualTo(r.artifacts().onnxData().sha256());
        assertThat(Files.size(model)).as("the weights are in the data file").isLessThan(Files.size(data) / 4);
        DemoTestImages test = DemoTestImages.load(POOL.root(), JobParser.parse(json).orThrow().preprocess());
        assertThat(Evaluation.of(test.runCombined(r), test.labels(), List.of("shirt", "tshirt")).accuracy())
                .isEqualTo(r.metrics().test().accuracy());
    }

    @Test
    void featureExtractionReadsExternalWeightsFromTheModelsFolder() throws Exception {
        FamilyModel f = family("mobilenet_v3_small_opset17.onnx");
        String json = job("external-fx", "models/external/mobilenet_v3_small_opset17.onnx", f)
                .replace("\"strategy\": \"fine-tune\"", "\"strategy\": \"feature-extraction\"")
                .replace("\"freezeAt\": \"" + f.freezeAt() + "\", ", "")
                .replaceAll(",\\s*\"fineTune\": \\{[^}]*}", "");
        JobResult r = run("external-fx", json);

        assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(r.artifacts().onnxData()).isNotNull();
        DemoTestImages test = DemoTestImages.load(POOL.root(), JobParser.parse(json).orThrow().preprocess());
        assertThat(Evaluation.of(test.runCombined(r), test.labels(), List.of("shirt", "tshirt")).accuracy())
                .isEqualTo(r.metrics().test().accuracy());
    }

    @Test
    void externalDataThatLeavesTheModelsFolderIsRejectedBeforeAnyWork() throws Exception {
        Path bad = Files.createDirectories(POOL.root().resolve("models/bad"));
        OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(
                POOL.root().resolve("models/external/resnet18_opset13.onnx")));
        OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
        String tensor = null;
        for (int i = 0; i < g.getInitializerCount(); i++) {
            OnnxMl.TensorProto t = g.getInitializer(i);
            if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL) {
                OnnxMl.TensorProto.Builder b = t.toBuilder().clearExternalData();
                t.getExternalDataList().forEach(e -> b.addExternalData(e.getKey().equals("location")
                        ? e.toBuilder().setValue("../external/resnet18_opset13.weights").build() : e));
                g.setInitializer(i, b);
                tensor = t.getName();
            }
        }
        Files.write(bad.resolve("escaping.onnx"), m.toBuilder().setGraph(g).build().toByteArray());
        JobResult r = run("external-escape", job("external-escape", "models/bad/escaping.onnx",
                family("resnet18_opset13.onnx")));

        assertThat(r.status()).isEqualTo(JobResult.Status.REJECTED);
        String last = tensor;
        assertThat(r.errors()).isNotEmpty().allSatisfy(e -> {
            assertThat(e.field()).isEqualTo("baseModel.uri");
            assertThat(e.problem()).contains("is outside the model's folder");
        });
        assertThat(r.errors()).anySatisfy(e -> assertThat(e.problem()).contains("\"" + last + "\""));
    }

    @ParameterizedTest
    @MethodSource("families")
    void theLastStageAndANewHeadAreFineTunedAndTheCombinedModelGivesProbabilities(FamilyModel f) throws Exception {
        String jobId = f.file().replace(".onnx", "");
        String json = job(jobId, f);
        JobResult r;
        try (JobClient client = new JobClient(POOL.pool().clients())) {
            client.submit(jobId, json);
            r = client.await(jobId, Duration.ofMinutes(5), e -> { });
        }

        assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(r.metrics().epochs()).hasSize(1);
        assertThat(r.metrics().counts().train() + r.metrics().counts().validation()).isEqualTo(24);
        DemoTestImages test = DemoTestImages.load(POOL.root(), JobParser.parse(json).orThrow().preprocess());
        float[] p = test.runCombined(r);
        assertThat(p).hasSize(test.count() * 2);
        for (int i = 0; i < test.count(); i++) {
            assertThat(p[2 * i] + p[2 * i + 1]).as("probabilities of image %d", i).isCloseTo(1f, within(1e-5f));
        }
        assertThat(Evaluation.of(p, test.labels(), List.of("shirt", "tshirt")).accuracy())
                .isEqualTo(r.metrics().test().accuracy());
        OnnxModel combined = OnnxModel.load(Path.of(URI.create(r.artifacts().onnx().uri())));
        assertThat(combined.graph().getOutputList()).extracting(OnnxMl.ValueInfoProto::getName)
                .containsExactly("probabilities");
        // The DL4J artifact, with whatever layers of our own the family needed, loads back.
        ComputationGraph network = ModelSerializer.restoreComputationGraph(
                Path.of(URI.create(r.artifacts().head().uri())).toFile(), false);
        assertThat(network.getNumOutputArrays()).isEqualTo(1);
    }
}
