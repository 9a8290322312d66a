package io.transferpool.admission;

import io.transferpool.TestConfig;
import io.transferpool.TestFiles;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobRejectedException;
import io.transferpool.job.Limits;
import io.transferpool.paths.PathResolver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class JobValidatorTest {
    @TempDir
    static Path root;

    @BeforeAll
    static void data() throws Exception {
        TestFiles.demoRoot(root, "train", 5, "test", 3);
        Files.createDirectories(root.resolve("one-class/shirt"));
        Files.copy(root.resolve("train/shirt").toFile().listFiles()[0].toPath(), root.resolve("one-class/shirt/a.png"));
        Files.createDirectories(root.resolve("empty"));
        for (String cls : List.of("a", "b")) {
            Path dir = Files.createDirectories(root.resolve("big/" + cls));
            ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY), "png", dir.resolve("x.png").toFile());
            Path rgb = Files.createDirectories(root.resolve("rgb/" + cls));
            ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB), "png", rgb.resolve("x.png").toFile());
        }
        // Two 28x28 images of two channels each (grey and alpha, as an IDX file can hold), labels 0 and 1.
        try (var out = new java.io.DataOutputStream(Files.newOutputStream(root.resolve("two-channel.idx")))) {
            out.writeInt(0x804);
            for (int d : new int[]{2, 28, 28, 2}) {
                out.writeInt(d);
            }
            out.write(new byte[2 * 28 * 28 * 2]);
        }
        try (var out = new java.io.DataOutputStream(Files.newOutputStream(root.resolve("two-channel-labels.idx")))) {
            out.writeInt(0x801);
            out.writeInt(2);
            out.write(new byte[]{0, 1});
        }
    }

    static JobPlanner planner(Limits limits) {
        return new JobPlanner(root, limits, 64, 2048);
    }

    static Admission admission() {
        return admission(TestConfig.limits());
    }

    static Admission admission(Limits limits) {
        return new Admission(new JobValidator(new PathResolver(root)), planner(limits));
    }

    @Test
    void theCheckReturnsWhatItFoundAndEveryProblemWithoutDecidingAnything() {
        var spec = JobParser.parse(TestFiles.job("f", "models/base.onnx", "train", "test", 1)).orThrow();
        JobFacts facts = new JobValidator(new PathResolver(root)).check(spec);
        assertThat(facts.ok()).isTrue();
        assertThat(facts.model().path()).isEqualTo("models/base.onnx");
        assertThat(facts.model().input()).isEqualTo("input");
        assertThat(facts.model().shapes().get(TestFiles.CUT)).containsExactly(1L, 1152L);
        assertThat(facts.train().samples()).hasSize(10);
        assertThat(facts.spec()).as("the job as given: settling is the planner's").isSameAs(spec);

        JobFacts bad = new JobValidator(new PathResolver(root)).check(JobParser.parse(
                TestFiles.job("f", "../../etc/passwd", "/etc", null, 1)).orThrow());
        assertThat(bad.ok()).isFalse();
        assertThat(bad.errors()).extracting(FieldError::field).contains("baseModel.uri", "data.train.uri");
        assertThat(bad.model().parsed()).isNull();
        assertThat(bad.train()).isNull();
    }

    private static List<FieldError> errorsOf(String json) {
        var spec = JobParser.parse(json).orThrow();
        var e = catchThrowableOfType(JobRejectedException.class,
                () -> admission().admit(spec));
        assertThat(e).as("job should be rejected").isNotNull();
        return e.errors();
    }

    /**
     * What runs after validation on its thread (the coordinator's kept-features key, which stats every file) counts
     * against the same limit: too slow, the job is rejected instead of stalling the coordinator's loop.
     */
    @Test
    void workAfterValidationCountsAgainstTheValidationLimit() throws Exception {
        var spec = JobParser.parse(TestFiles.job("a", "models/base.onnx", "train", "test", 1)).orThrow();
        var limits = TestConfig.limits("tp.limits.validation-timeout", "PT3S");
        Admission validator = admission(limits);
        int listed = validator.admitWithinLimit(spec, job -> job.train().samples().size());
        assertThat(listed).isEqualTo(10);

        var e = catchThrowableOfType(JobRejectedException.class, () -> validator.admitWithinLimit(spec, job -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            return job;
        }));
        assertThat(e).isNotNull();
        assertThat(e.errors()).singleElement().satisfies(err -> {
            assertThat(err.field()).isEqualTo("$");
            assertThat(err.problem()).contains("tp.limits.validation-timeout");
        });
    }

    @Test
    void aGoodJobValidatesAndPinsTheModel() throws Exception {
        var spec = JobParser.parse(TestFiles.job("ok", "models/base.onnx", "train", "test", 1)).orThrow();
        AcceptedJob job = admission().admit(spec);
        assertThat(job.modelSha256()).isEqualTo(io.transferpool.model.OnnxModel.sha256(TestFiles.BASE_MODEL));
        assertThat(job.train().classes()).containsExactly("shirt", "tshirt");
        assertThat(job.train().samples()).hasSize(10);
        assertThat(job.test().samples()).hasSize(6);
        assertThat(job.spec().baseModel().input()).isEqualTo("input");
    }

    @Test
    void aPinnedModelWithExternalWeightsMustPinThemAndThePinsAreChecked() throws Exception {
        Path ext = Files.createDirectories(root.resolve("models/ext"));
        for (String f : List.of("mobilenet_v3_small_opset17.onnx", "mobilenet_v3_small_opset17.weights")) {
            if (!Files.exists(ext.resolve(f))) {
                Files.copy(io.transferpool.FamilyModel.DIR.resolve("external").resolve(f), ext.resolve(f));
            }
        }
        String onnxSha = io.transferpool.model.OnnxModel.sha256(ext.resolve("mobilenet_v3_small_opset17.onnx"));
        String weightsSha = io.transferpool.model.OnnxModel.sha256(ext.resolve("mobilenet_v3_small_opset17.weights"));
        String job = """
                {"jobId": "ext", "baseModel": {"uri": "models/ext/mobilenet_v3_small_opset17.onnx",
                   "cut": "/Flatten_output_0", "sha256": "%s"%s},
                 "data": {"train": {"uri": "train"}},
                 "preprocess": {"width": 64, "height": 64, "channels": 3}}""";
        assertThat(errorsOf(job.formatted(onnxSha, ""))).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo("baseModel.externalSha256");
            assertThat(e.problem()).contains("mobilenet_v3_small_opset17.weights", "must pin that file");
        });
        assertThat(errorsOf(job.formatted(onnxSha, ", \"externalSha256\": {\"mobilenet_v3_small_opset17.weights\": \""
                + "0".repeat(64) + "\"}"))).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo("baseModel.externalSha256.mobilenet_v3_small_opset17.weights");
            assertThat(e.problem()).contains("but the file's SHA-256 is " + weightsSha);
        });
        assertThat(catchErrors(job.formatted(onnxSha, ", \"externalSha256\": "
                + "{\"mobilenet_v3_small_opset17.weights\": \"" + weightsSha + "\"}")))
                .noneSatisfy(e -> assertThat(e.field()).startsWith("baseModel.externalSha256"));
        // Without any pin the job is accepted, and its settled spec carries the digests the workers check.
        AcceptedJob accepted = admission().admit(JobParser.parse(job
                .replace(", \"sha256\": \"%s\"%s", "").replace("\"uri\": \"train\"", "\"uri\": \"rgb\"")
                .replace("\"channels\": 3", "\"channels\": 3, \"resize\": \"stretch\"")).orThrow());
        assertThat(accepted.spec().baseModel().externalSha256())
                .containsExactly(java.util.Map.entry("mobilenet_v3_small_opset17.weights", weightsSha));
    }

    /** The errors of a job, or none when it validates. */
    private static List<FieldError> catchErrors(String json) {
        var spec = JobParser.parse(json).orThrow();
        try {
            admission().admit(spec);
            return List.of();
        } catch (JobRejectedException e) {
            return e.errors();
        }
    }

    @Test
    void aBaseIsRunOnceAcrossJobsButAgainWhenItsBytesChange() throws Exception {
        JobValidator validator = new JobValidator(new PathResolver(root));
        Admission admission = new Admission(validator, planner(TestConfig.limits()));
        Files.copy(TestFiles.BASE_MODEL, root.resolve("models/swapped.onnx"));
        var spec = JobParser.parse(TestFiles.job("s", "models/swapped.onnx", "train", null, 1)).orThrow();
        admission.admit(spec);
        admission.admit(spec);
        assertThat(validator.modelRuns()).isEqualTo(1);
        assertThat(validator.keptRuns()).isEqualTo(1);

        // The same path, other bytes: a model ONNX Runtime cannot run is caught, not passed on the old run.
        var base = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(TestFiles.BASE_MODEL));
        var g = base.getGraph().toBuilder();
        g.setNode(0, g.getNode(0).toBuilder().setOpType("NoSuchOperator"));
        Files.write(root.resolve("models/swapped.onnx"), base.toBuilder().setGraph(g).build().toByteArray());
        var e = catchThrowableOfType(JobRejectedException.class, () -> admission.admit(spec));
        assertThat(e).isNotNull();
        assertThat(e.errors()).anySatisfy(f -> assertThat(f.problem()).contains("NoSuchOperator"));
        assertThat(validator.modelRuns()).isEqualTo(2);
        assertThat(validator.keptRuns()).as("failed runs are not kept").isEqualTo(1);
    }

    @Test
    void aJobOnABaseAlreadyRunGetsTheSameAnswersAsTheFirst() {
        // A fine-tune job whose boundary is a typo: the checks look the boundary up in the kept shapes.
        var spec = JobParser.parse("""
                {"jobId": "ft", "strategy": "fine-tune",
                 "baseModel": {"uri": "models/base.onnx", "input": "input", "freezeAt": "/features/no-such-tensor"},
                 "data": {"train": {"uri": "train"}, "validationSplit": 0.1},
                 "preprocess": {"width": 28, "height": 28, "channels": 1, "scale": 0.00392156862745098}}
                """).orThrow();
        JobValidator validator = new JobValidator(new PathResolver(root));
        Admission admission = new Admission(validator, planner(TestConfig.limits()));
        for (int job = 0; job < 2; job++) {
            var e = catchThrowableOfType(JobRejectedException.class, () -> admission.admit(spec));
            assertThat(e).as("job %d", job).isNotNull();
            assertThat(e.errors()).as("job %d", job).singleElement()
                    .satisfies(f -> assertThat(f.field()).isEqualTo("baseModel.freezeAt"));
        }
        assertThat(validator.modelRuns()).isEqualTo(1);
    }

    @Test
    void aModelOnnxRuntimeCannotLoadIsRejectedWithItsMessage() throws Exception {
        var base = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(TestFiles.BASE_MODEL));
        var g = base.getGraph().toBuilder();
        g.setNode(0, g.getNode(0).toBuilder().setOpType("NoSuchOperator"));
        Files.write(root.resolve("models/broken.onnx"), base.toBuilder().setGraph(g).build().toByteArray());

        assertThat(errorsOf(TestFiles.job("j", "models/broken.onnx", "train", null, 1))).singleElement()
                .satisfies(e -> {
                    assertThat(e.field()).isEqualTo("baseModel.uri");
                    assertThat(e.problem()).startsWith("ONNX Runtime could not load or run the model: ")
                            .contains("NoSuchOperator");
                });
    }

    @Test
    void missingModel() {
        assertThat(errorsOf(TestFiles.job("j", "models/nope.onnx", "train", null, 1)))
                .anySatisfy(e -> assertThat(e.toString()).startsWith("baseModel.uri").contains("does not exist"));
    }

    @Test
    void notAnOnnxFile() {
        assertThat(errorsOf(TestFiles.job("j", "train/shirt/" + root.resolve("train/shirt").toFile().list()[0],
                "train", null, 1))).anySatisfy(e -> assertThat(e.toString()).startsWith("baseModel.uri")
                .contains("not an ONNX model"));
    }

    @Test
    void sha256Mismatch() {
        String json = TestFiles.job("j", "models/base.onnx", "train", null, 1)
                .replace("\"input\": \"input\"", "\"input\": \"input\", \"sha256\": \"" + "0".repeat(64) + "\"");
        assertThat(errorsOf(json)).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo("baseModel.sha256");
            assertThat(e.problem()).contains("0".repeat(64));
        });
    }

    @Test
    void cutNotInGraphListsNearestNames() {
        String json = TestFiles.job("j", "models/base.onnx", "train", null, 1)
                .replace(TestFiles.CUT, "/flatten/Flaten_output_0");
        assertThat(errorsOf(json)).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("baseModel.cut");
            assertThat(e.problem()).contains("nearest valid names: /flatten/Flatten_output_0");
        });
    }

    @Test
    void preprocessMustMatchTheModelInput() {
        String json = TestFiles.job("j", "models/base.onnx", "train", null, 1)
                .replace("\"width\": 28, \"height\": 28, \"channels\": 1", "\"width\": 32, \"height\": 28, \"channels\": 3");
        assertThat(errorsOf(json)).extracting(FieldError::field)
                .contains("preprocess.width", "preprocess.channels");
    }

    @Test
    void imagesOfTheWrongSizeOrChannelsAreRejected() {
        assertThat(errorsOf(TestFiles.job("j", "models/base.onnx", "big", null, 1))).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo("data.train");
            assertThat(e.problem()).contains("32x32").contains("28x28");
        });
        String idx = TestFiles.job("j", "models/base.onnx", "train", null, 1).replace("\"uri\": \"train\", \"format\": \"image-folder\"",
                "\"uri\": \"two-channel.idx\", \"format\": \"idx\", \"labels\": \"two-channel-labels.idx\"");
        assertThat(errorsOf(idx)).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo("data.train");
            assertThat(e.problem()).contains("2 channel").contains("preprocess.channels is 1");
        });
    }

    @Test
    void colourImagesForAGreyModelAreConvertedNotRejected() {
        // The README's promise: grey, RGB and RGBA are converted to preprocess.channels (luma for grey).
        assertThat(catchErrors(TestFiles.job("j", "models/base.onnx", "rgb", null, 1)))
                .noneSatisfy(e -> assertThat(e.field()).isEqualTo("data.train"));
    }

    @Test
    void greyImagesForAnRgbModelAreConvertedNotRejected() throws Exception {
        // issue 25: grey photos for an ImageNet-style base (3 channels in) are replicated into R, G and B
        Files.copy(Path.of("src/test/resources/models/resnet_tiny.onnx"), root.resolve("models/rgb.onnx"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String job = TestFiles.job("j", "models/rgb.onnx", "big", null, 1)
                .replace("\"width\": 28, \"height\": 28, \"channels\": 1", "\"width\": 32, \"height\": 32, \"channels\": 3")
                .replace(TestFiles.CUT, "/Flatten_output_0");
        assertThat(catchErrors(job)).isEmpty();
    }

    @Test
    void croppingFitsLargerImagesAndSmallerOnesAreNamed() {
        String crop = TestFiles.job("j", "models/base.onnx", "big", null, 1)
                .replace("\"channels\": 1,", "\"channels\": 1, \"crop\": \"center\",");
        assertThat(catchErrors(crop)).noneSatisfy(e -> assertThat(e.field()).isEqualTo("data.train"));
        String tooSmall = TestFiles.job("j", "models/base.onnx", "train", null, 1)
                .replace("\"width\": 28, \"height\": 28, \"channels\": 1,",
                        "\"width\": 28, \"height\": 28, \"channels\": 1, \"resize\": \"shorter-side\", "
                                + "\"resizeSize\": 20, \"crop\": \"center\",");
        assertThat(catchThrowableOfType(JobRejectedException.class, () -> JobParser.parse(tooSmall).orThrow())
                .errors()).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo("preprocess.resizeSize");
            assertThat(e.problem()).contains("20").contains("28");
        });
    }

    @Test
    void emptyOrSingleClassData() {
        assertThat(errorsOf(TestFiles.job("j", "models/base.onnx", "empty", null, 1)))
                .anySatisfy(e -> assertThat(e.toString()).startsWith("data.train.uri").contains("no samples"));
        assertThat(errorsOf(TestFiles.job("j", "models/base.onnx", "one-class", null, 1)))
                .anySatisfy(e -> assertThat(e.toString()).startsWith("data.train").contains("only one class"));
    }

    @Test
    void pathsOutsideTheRootAreRefused() {
        assertThat(errorsOf(TestFiles.job("j", "../../etc/passwd", "/etc", null, 1)))
                .extracting(FieldError::field).contains("baseModel.uri", "data.train.uri");
        assertThat(errorsOf(TestFiles.job("j", "../../etc/passwd", "/etc", null, 1)))
                .allSatisfy(e -> assertThat(e.problem()).contains("outside the allowed root"));
    }
}
