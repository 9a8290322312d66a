package io.transferpool.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.transferpool.TestFiles;
import io.transferpool.TestJobs;
import io.transferpool.TestPool;
import io.transferpool.data.DatasetLister;
import io.transferpool.data.ImageDecoder;
import io.transferpool.data.Preprocessor;
import io.transferpool.data.Sample;
import io.transferpool.features.NpyFile;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult;
import io.transferpool.job.JobSpec;
import io.transferpool.model.CutSession;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.SessionFactory;
import io.transferpool.paths.PathResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code strategy: "extract"} through the pool on the embedded broker: the features come out as NumPy arrays with a
 * line per row naming its image, equal to ONNX Runtime's output for those images; cut at the model's input they are
 * the preprocessed pixels; a method-1 job on the same images then reuses them.
 */
class ExtractStrategyIT {
    @RegisterExtension
    static final TestPool POOL = TestPool.allRoles().data(root -> {
        TestFiles.demoRoot(root, "train", 30, "test", 10);
        Files.write(root.resolve("train/shirt/zz-corrupt.png"), "not a png".getBytes());
    }).with("tp.shard-size", "16", "tp.features.max-bytes", String.valueOf(1L << 30));
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String extractJob(String jobId, String cut) {
        return TestFiles.job(jobId, "models/base.onnx", "train", "test", 1)
                .replace("\"strategy\": \"feature-extraction\"", "\"strategy\": \"extract\"")
                .replace(TestFiles.CUT, cut);
    }

    private static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    /** The model inputs of the images named, preprocessed as the job says, one after another. */
    private static float[] inputs(List<JsonNode> rows, JobSpec.Preprocess p) throws Exception {
        Preprocessor pre = new Preprocessor(p);
        ImageDecoder decoder = new ImageDecoder(POOL.root());
        float[] out = new float[rows.size() * pre.inputSize()];
        for (int i = 0; i < rows.size(); i++) {
            pre.apply(decoder.decode(rows.get(i).get("ref").asText()), out, i * pre.inputSize());
        }
        return out;
    }

    @Test
    void featuresComeOutAsNumpyArraysNamedRowByRowAndAMethodOneJobReusesThem() throws Exception {
        JobResult result = TestJobs.succeeded(POOL.pool(), "extract-1", extractJob("extract-1", TestFiles.CUT),
                e -> { });
        assertThat(result.artifacts().onnx()).isNull();
        assertThat(result.artifacts().head()).isNull();
        Path dir = Path.of(URI.create(result.artifacts().features().uri()));
        assertThat(dir.getFileName().toString()).isEqualTo("features");
        var counts = result.metrics().counts();
        assertThat(counts.train()).isEqualTo(60);
        assertThat(counts.test()).isEqualTo(20);
        assertThat(counts.featureDimension()).isEqualTo(1152);
        assertThat(counts.badSamples()).singleElement()
                .satisfies(b -> assertThat(b.sample()).endsWith("zz-corrupt.png"));

        JobSpec spec = JobParser.parse(extractJob("x", TestFiles.CUT)).orThrow();
        for (String split : List.of("train", "test")) {
            NpyFile npy = NpyFile.read(dir.resolve(split + ".npy"));
            List<JsonNode> rows = lines(dir.resolve(split + ".jsonl"));
            assertThat(npy.shape()).containsExactly(rows.size(), 1152);
            // every good image once, in the order of the listing, with its label and class
            List<Sample> listed = DatasetLister.list(new PathResolver(POOL.root()), "data." + split,
                    split.equals("train") ? spec.data().train() : spec.data().test(), List.of("shirt", "tshirt"))
                    .samples().stream().filter(s -> !s.ref().endsWith("zz-corrupt.png")).toList();
            assertThat(rows).extracting(r -> r.get("ref").asText()).containsExactlyElementsOf(
                    listed.stream().map(Sample::ref).toList());
            assertThat(rows).allSatisfy(r -> assertThat(r.get("class").asText())
                    .isEqualTo(List.of("shirt", "tshirt").get(r.get("label").asInt()))
                    .isEqualTo(Path.of(r.get("ref").asText()).getParent().getFileName().toString()));
            // each row is what ONNX Runtime gives for its image
            try (CutSession cut = CutSession.open(OnnxModel.load(TestFiles.BASE_MODEL), "input", TestFiles.CUT,
                    SessionFactory.Settings.cpu(0))) {
                CutSession.Features f = cut.run(inputs(rows, spec.preprocess()), rows.size(), spec.preprocess());
                assertThat(f.values()).hasSameSizeAs(npy.values());
                for (int i = 0; i < f.values().length; i++) {
                    assertThat(npy.values()[i]).as("%s value %d", split, i).isCloseTo(f.values()[i], within(1e-5f));
                }
            }
        }

        JobResult method1 = TestJobs.succeeded(POOL.pool(), "after-extract",
                TestFiles.job("after-extract", "models/base.onnx", "train", "test", 2), e -> { });
        assertThat(method1.metrics().counts().featuresReused()).as("the extract job's rows, 60 train + 20 test")
                .isEqualTo(80);
    }

    @Test
    void cutAtTheInputTheFeaturesAreThePreprocessedPixels() throws Exception {
        JobResult result = TestJobs.succeeded(POOL.pool(), "extract-pixels", extractJob("extract-pixels", "input")
                .replace("\"channels\": 1,", "\"channels\": 1, \"mean\": [0.5], \"std\": [0.25],"), e -> { });
        Path dir = Path.of(URI.create(result.artifacts().features().uri()));
        NpyFile npy = NpyFile.read(dir.resolve("test.npy"));
        List<JsonNode> rows = lines(dir.resolve("test.jsonl"));
        assertThat(npy.shape()).containsExactly(20, 28 * 28);
        JobSpec spec = JobParser.parse(extractJob("x", "input")
                .replace("\"channels\": 1,", "\"channels\": 1, \"mean\": [0.5], \"std\": [0.25],")).orThrow();
        assertThat(npy.values()).containsExactly(inputs(rows, spec.preprocess()));
    }
}
