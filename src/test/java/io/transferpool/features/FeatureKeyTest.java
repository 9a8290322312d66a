package io.transferpool.features;

import io.transferpool.TestFiles;
import io.transferpool.data.Dataset;
import io.transferpool.data.DatasetLister;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobSpec;
import io.transferpool.messaging.FeatureType;
import io.transferpool.paths.PathResolver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The key of a job's features changes with everything the extractors' output depends on, and nothing else. */
class FeatureKeyTest {
    @TempDir
    static Path root;

    @BeforeAll
    static void data() throws Exception {
        TestFiles.demoRoot(root, "train", 3, "test", 2);
    }

    private static JobSpec spec(String json) {
        return JobParser.parse(json).orThrow();
    }

    private static String key(JobSpec spec, String sha) throws Exception {
        return key(spec, sha, FeatureType.FLOAT32);
    }

    private static String key(JobSpec spec, String sha, FeatureType wire) throws Exception {
        PathResolver paths = new PathResolver(root);
        Dataset train = DatasetLister.list(paths, "data.train", spec.data().train(), List.of());
        Dataset test = spec.data().test() == null ? null
                : DatasetLister.list(paths, "data.test", spec.data().test(), train.classes());
        return FeatureKey.of(spec, sha, train, test, io.transferpool.storage.Storage.local(root), wire);
    }

    @Test
    void theSameModelCutPreprocessingAndFilesGiveTheSameKeyWhateverIsTrained() throws Exception {
        String job = TestFiles.job("a", "models/base.onnx", "train", "test", 5);
        String base = key(spec(job), "sha-1");
        assertThat(base).hasSize(64).isEqualTo(key(spec(job), "sha-1"));
        String otherTraining = job.replace("\"jobId\": \"a\"", "\"jobId\": \"b\"")
                .replace("\"hidden\": [64]", "\"hidden\": [8, 8]").replace("\"learningRate\": 0.001",
                        "\"learningRate\": 0.1").replace("\"validationSplit\": 0.1", "\"validationSplit\": 0.3");
        assertThat(key(spec(otherTraining), "sha-1")).as("head, optimizer, split: not part of it").isEqualTo(base);

        assertThat(key(spec(job), "sha-2")).as("another model file").isNotEqualTo(base);
        assertThat(key(spec(job), "sha-1", FeatureType.FLOAT16)).as("float16-rounded rows on the wire")
                .isNotEqualTo(base);
        assertThat(key(spec(job.replace("\"scale\": 0.00392156862745098", "\"scale\": 0.5")), "sha-1"))
                .as("other preprocessing").isNotEqualTo(base);
        assertThat(key(spec(job.replace(TestFiles.CUT, "/features/features.9/MaxPool_output_0")), "sha-1"))
                .as("another cut").isNotEqualTo(base);
        assertThat(key(spec(job.replace(", \"test\": {\"uri\": \"test\", \"format\": \"image-folder\"}", "")),
                "sha-1")).as("no test split").isNotEqualTo(base);
    }

    @Test
    void aFileWrittenSinceChangesTheKey() throws Exception {
        JobSpec spec = spec(TestFiles.job("a", "models/base.onnx", "train", "test", 5));
        String before = key(spec, "sha");
        Path image;
        try (var files = Files.list(root.resolve("train/shirt"))) {
            image = files.sorted().findFirst().orElseThrow();
        }
        FileTime time = Files.getLastModifiedTime(image);
        Files.setLastModifiedTime(image, FileTime.fromMillis(time.toMillis() + 5000));
        String touched = key(spec, "sha");
        assertThat(touched).as("modification time").isNotEqualTo(before);
        Files.setLastModifiedTime(image, time);
        assertThat(key(spec, "sha")).as("back as it was").isEqualTo(before);

        Path added = root.resolve("train/shirt/zz-new.png");
        Files.copy(image, added);
        assertThat(key(spec, "sha")).as("one more sample").isNotEqualTo(before);
        Files.delete(added);
        assertThat(key(spec, "sha")).isEqualTo(before);
    }

    @Test
    void aSampleWhoseFileIsGoneHasNoKey() throws Exception {
        JobSpec spec = spec(TestFiles.job("a", "models/base.onnx", "train", "test", 5));
        PathResolver paths = new PathResolver(root);
        Dataset train = DatasetLister.list(paths, "data.train", spec.data().train(), List.of());
        Dataset gone = new Dataset(train.classes(), List.of(new io.transferpool.data.Sample(0, "train/shirt/nope.png",
                0)));
        assertThatThrownBy(() -> FeatureKey.of(spec, "sha", gone, null, io.transferpool.storage.Storage.local(root), FeatureType.FLOAT32))
                .isInstanceOf(java.io.IOException.class);
    }
}
