package io.transferpool.extract;

import io.transferpool.TestFiles;
import io.transferpool.data.Sample;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult.BadSample;
import io.transferpool.job.JobSpec;
import io.transferpool.messaging.ExtractTask;
import io.transferpool.messaging.FeatureBatch;
import io.transferpool.messaging.ShardDone;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A shard extracted by several streams at once gives what one stream gives: every good sample's features exactly
 * once, equal value for value, and the bad samples in sample order, whichever stream finished first.
 */
class ShardExtractorTest {
    @TempDir
    static Path root;
    private static ExecutorService threads;
    private static SessionCache sessions;
    private static ExtractTask task;

    @BeforeAll
    static void shard() throws Exception {
        TestFiles.demoRoot(root, "train", 20, "test", 0);
        List<Path> images;
        try (Stream<Path> s = Files.walk(root.resolve("train"))) {
            images = s.filter(Files::isRegularFile).sorted().toList();
        }
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            samples.add(new Sample(i, root.relativize(images.get(i)).toString(), images.get(i).getParent()
                    .getFileName().toString().equals("shirt") ? 0 : 1));
        }
        // Three bad samples in different batches: a missing file, a file that is no image, another missing file.
        samples.set(3, new Sample(3, "train/shirt/missing-1.png", 0));
        Files.writeString(root.resolve("train/tshirt/not-an-image.png"), "text");
        samples.set(17, new Sample(17, "train/tshirt/not-an-image.png", 1));
        samples.set(35, new Sample(35, "train/tshirt/missing-2.png", 1));
        var spec = JobParser.parse(TestFiles.job("shard", "models/base.onnx", "train", null, 1)).orThrow();
        String sha = OnnxModel.load(root.resolve("models/base.onnx")).sha256();
        task = new ExtractTask("shard", FeatureBatch.Split.TRAIN, 0, 1, "models/base.onnx", sha, "input",
                TestFiles.CUT, spec.preprocess(), samples, 1, Map.of());
        threads = Executors.newFixedThreadPool(3);
        sessions = new SessionCache(2, SessionFactory.Settings.cpu(1), s -> { });
    }

    @AfterAll
    static void close() throws Exception {
        threads.shutdownNow();
        sessions.close();
    }

    private record Run(ShardDone done, Map<Integer, float[]> features, int batches) {
    }

    private static Run extract(int streams) throws Exception {
        Map<Integer, float[]> features = new TreeMap<>();
        int[] batches = {0};
        ShardDone done = new ShardExtractor(sessions, root, threads, 4, streams, ShardExtractor.Observer.NONE,
                Duration.ofMinutes(5)).extract(task, b -> {
            batches[0]++;
            for (int i = 0; i < b.size(); i++) {
                float[] row = java.util.Arrays.copyOfRange(b.features(), i * b.dimension(), (i + 1) * b.dimension());
                assertThat(features.put(b.sampleIds()[i], row)).as("sample %d twice", b.sampleIds()[i]).isNull();
            }
        });
        return new Run(done, features, batches[0]);
    }

    @Test
    void aModelRunFailingOnAStreamFailsTheShard() {
        // Images stretched to 27x28: ONNX Runtime refuses the input shape on whichever stream runs first.
        var p = task.preprocess();
        var wrong = new JobSpec.Preprocess(27, p.height(), p.channels(), p.scale(), p.mean(), p.std(), p.layout(),
                JobSpec.Resize.STRETCH);
        ExtractTask bad = new ExtractTask(task.jobId(), task.split(), task.shard(), task.shardCount(),
                task.modelPath(), task.modelSha256(), task.input(), task.cut(), wrong, task.samples(), task.run(),
                task.externalSha256());
        assertThatThrownBy(() -> new ShardExtractor(sessions, root, threads, 4, 3, ShardExtractor.Observer.NONE,
                Duration.ofMinutes(5)).extract(bad, b -> { }))
                .isInstanceOf(ai.onnxruntime.OrtException.class);
    }

    @Test
    void severalStreamsGiveWhatOneStreamGives() throws Exception {
        Run one = extract(1);
        Run three = extract(3);
        assertThat(one.done().extracted()).isEqualTo(37);
        assertThat(three.done().extracted()).isEqualTo(37);
        assertThat(three.batches()).isEqualTo(10);
        assertThat(three.features().keySet()).isEqualTo(one.features().keySet()).doesNotContain(3, 17, 35)
                .hasSize(37);
        three.features().forEach((id, row) -> assertThat(row).as("sample %d", id)
                .containsExactly(one.features().get(id)));
        assertThat(three.done().badSamples()).extracting(BadSample::sample)
                .containsExactly("train/shirt/missing-1.png", "train/tshirt/not-an-image.png",
                        "train/tshirt/missing-2.png");
        assertThat(three.done().badSamples()).isEqualTo(one.done().badSamples());
        assertThat(three.done().inferenceSeconds()).isPositive();
        assertThat(three.done().preprocessSeconds()).isPositive().isLessThan(three.done().decodeSeconds());
        assertThat(three.done().readSeconds()).isPositive()
                .isLessThan(three.done().decodeSeconds() - three.done().preprocessSeconds());
    }

    /** The last batch of each stream share what is left, so the streams end together (BatchBounds). */
    @Test
    void theLastBatchesOfTheStreamsShareWhatIsLeft() throws Exception {
        ExtractTask ten = new ExtractTask(task.jobId(), task.split(), task.shard(), task.shardCount(),
                task.modelPath(), task.modelSha256(), task.input(), task.cut(), task.preprocess(),
                task.samples().subList(20, 30), task.run(), task.externalSha256());
        for (int streams : new int[]{1, 2}) {
            List<Integer> sizes = new java.util.concurrent.CopyOnWriteArrayList<>();
            ShardDone done = new ShardExtractor(sessions, root, threads, 4, streams, ShardExtractor.Observer.NONE,
                Duration.ofMinutes(5)).extract(ten,
                    b -> sizes.add(b.size()));
            assertThat(done.extracted()).isEqualTo(10);
            assertThat(sizes).as("%d streams", streams)
                    .containsExactlyInAnyOrderElementsOf(streams == 1 ? List.of(4, 4, 2) : List.of(4, 3, 3));
        }
    }
}
