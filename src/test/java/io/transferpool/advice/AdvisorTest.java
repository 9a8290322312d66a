package io.transferpool.advice;

import io.transferpool.TestFiles;
import io.transferpool.model.CutSession;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** What the advisor looks at in a base, and what it says about the demo and about many more of its images. */
class AdvisorTest {
    private static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    @TempDir
    Path dir;

    @Test
    void theDemoBaseIsProbedAtItsFlattenAndTwoEarlierBlockEnds() throws Exception {
        Advisor.Plan plan = Advisor.plan(OnnxModel.load(TestFiles.BASE_MODEL), "input", null);
        assertThat(plan.depths().cut()).as("the last good cut point").isEqualTo(TestFiles.CUT);
        assertThat(plan.probes()).extracting(TensorInfo::name).containsExactly(
                "/features/features.9/MaxPool_output_0", "/features/features.4/MaxPool_output_0");
        assertThat(plan.depths().lastBlock()).as("the pool before the last conv block, not the one before the "
                + "flatten").isEqualTo("/features/features.9/MaxPool_output_0");
        assertThat(plan.depths().input()).isEqualTo("input");
    }

    @Test
    void earlierFeatureMapsArePooledToAboutTheCutsSize() {
        // 2 channels of 4x4, values 0..15 and 100..115: pooled to 2x2 cells of 2x2 pixels
        float[] v = new float[32];
        for (int i = 0; i < 16; i++) {
            v[i] = i;
            v[16 + i] = 100 + i;
        }
        CutSession.Features f = Advisor.pooled(new CutSession.Features(v, 32), List.of(1L, 2L, 4L, 4L), 8);
        assertThat(f.dimension()).isEqualTo(8);
        assertThat(f.values()[0]).isCloseTo((0 + 1 + 4 + 5) / 4f, within(1e-6f));
        assertThat(f.values()[3]).isCloseTo((10 + 11 + 14 + 15) / 4f, within(1e-6f));
        assertThat(f.values()[4]).isCloseTo(102.5f, within(1e-6f));
        assertThat(Advisor.pooled(f, List.of(1L, 8L), 8)).as("small enough already").isSameAs(f);
    }

    @Test
    void theDemoIsCaseOneAndTheVerbSaysWhy() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = io.transferpool.cli.AdviseCommandAccess.advise(TestFiles.DEMO.resolve("job.json"),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isZero();
        assertThat(text).contains("case 1, feature-extraction", "1500 in the smallest", TestFiles.CUT,
                "/features/features.9/MaxPool_output_0", "Case 1 of the seed");
    }

    /**
     * A base too slow for the budget is measured on the images that fit: the pass stops after its first batch here
     * (at least two images per fold and class), and the advice is still made, on those. With the default budget the
     * whole sample (500 per class) is measured, in one pass over the base for every depth.
     */
    @Test
    void aBaseTooSlowForTheBudgetIsMeasuredOnFewerImages() throws Exception {
        var spec = io.transferpool.job.JobParser.parse(java.nio.file.Files.readString(
                TestFiles.DEMO.resolve("job.json"))).orThrow();
        var paths = new io.transferpool.paths.PathResolver(TestFiles.DEMO);
        var train = io.transferpool.data.DatasetLister.list(paths, "data.train", spec.data().train(), List.of());
        OnnxModel model = OnnxModel.load(TestFiles.BASE_MODEL);

        var quick = new Advisor(java.time.Duration.ofMillis(1)).advise(spec, model, "input", train, io.transferpool.storage.Storage.local(TestFiles.DEMO));
        assertThat(quick.measurements().probedImages()).as("one batch").isEqualTo(64);
        assertThat(quick.measurements().probes()).hasSize(3)
                .allSatisfy(p -> assertThat(p.valAccuracy()).isBetween(0.0, 1.0));

        var full = new Advisor(Duration.ofMinutes(1)).advise(spec, model, "input", train, io.transferpool.storage.Storage.local(TestFiles.DEMO));
        assertThat(full.measurements().probedImages()).isEqualTo(1000);
        assertThat(full.caseNumber()).isEqualTo(1);
        assertThat(full.measurements().baseConfidence()).isBetween(0.5, 1.0);
    }

    @Test
    void manyMoreOfTheSameKindOfImagesIsCaseTwo() throws Exception {
        assertThat(FASHION.resolve("train-images-idx3-ubyte.gz")).as("Debian's dataset-fashion-mnist "
                + "(scripts/install-test-packages.sh)").exists();
        Path root = Files.createDirectories(dir.resolve("root/models"));
        Files.copy(TestFiles.BASE_MODEL, root.resolve("base.onnx"));
        for (String f : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")) {
            Files.copy(FASHION.resolve(f), dir.resolve("root").resolve(f));
        }
        // T-shirt/top (0) and Shirt (6): the demo's classes, all 6000 training images of each
        Path job = dir.resolve("root/job.json");
        Files.writeString(job, """
                {"jobId": "many", "strategy": "auto", "baseModel": {"uri": "models/base.onnx"},
                 "data": {"train": {"uri": "train-images-idx3-ubyte.gz", "format": "idx",
                                    "labels": "train-labels-idx1-ubyte.gz", "labelFilter": [0, 6]}},
                 "preprocess": {"width": 28, "height": 28, "channels": 1, "scale": 0.00392156862745098}}""");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = io.transferpool.cli.AdviseCommandAccess.advise(job, new PrintStream(out, true,
                StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isZero();
        assertThat(text).contains("case 2, fine-tune", "12000 training images", "6000 in the smallest",
                "freezeAt /features/features.9/MaxPool_output_0");

        // What the coordinator plans for it: the fine-tune job the seed describes.
        Path dataRoot = dir.resolve("root");
        var validated = new io.transferpool.admission.Admission(new io.transferpool.admission.JobValidator(
                new io.transferpool.paths.PathResolver(dataRoot)), new io.transferpool.admission.JobPlanner(dataRoot,
                io.transferpool.TestConfig.limits(), 64, 2048))
                .admit(io.transferpool.job.JobParser.parse(Files.readString(job)).orThrow());
        io.transferpool.job.JobSpec spec = validated.spec();
        assertThat(validated.advice().caseNumber()).isEqualTo(2);
        assertThat(spec.strategy()).isEqualTo(io.transferpool.job.JobSpec.Strategy.FINE_TUNE);
        assertThat(spec.baseModel().freezeAt()).isEqualTo("/features/features.9/MaxPool_output_0");
        assertThat(spec.baseModel().cut()).isEqualTo(TestFiles.CUT);
        assertThat(spec.extractAt()).isEqualTo("/features/features.9/MaxPool_output_0");
        assertThat(spec.training().optimizer().learningRate()).as("the seed's small rate").isEqualTo(1e-4);
        assertThat(spec.fineTune().baseLearningRate()).isEqualTo(1e-4);
        assertThat(spec.fineTune().warmupLearningRate()).as("the head warmed up at the job's rate").isEqualTo(1e-3);
        assertThat(spec.fineTune().keepBaseClassifier()).as("8 classes in the base, 2 in the task").isFalse();
    }
}
