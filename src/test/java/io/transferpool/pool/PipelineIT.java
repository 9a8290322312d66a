package io.transferpool.pool;

import io.transferpool.Await;
import io.transferpool.TestConfig;
import io.transferpool.TestFiles;
import io.transferpool.TestJobs;
import io.transferpool.TestPool;
import io.transferpool.TestTopics;
import io.transferpool.admission.Admission;
import io.transferpool.admission.JobPlanner;
import io.transferpool.admission.JobValidator;
import io.transferpool.extract.SessionCache;
import io.transferpool.extract.ShardExtractor;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult;
import io.transferpool.job.JobSpec;
import io.transferpool.learning.Evaluation;
import io.transferpool.messaging.FeatureType;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.JobPlan;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.Publisher;
import io.transferpool.messaging.RecordType;
import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.messaging.Topics;
import io.transferpool.model.CutSession;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.SessionFactory;
import io.transferpool.paths.PathResolver;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The whole pipeline on the embedded KRaft broker: one broker and one pool for the class. */
class PipelineIT {
    @RegisterExtension
    static final TestPool POOL = TestPool.allRoles().meters(io.micrometer.core.instrument.Metrics.globalRegistry)
            .data(PipelineIT::layOut).with("tp.shard-size", "16");

    static void layOut(Path root) throws Exception {
        TestFiles.demoRoot(root, "train", 40, "test", 20);
        Files.write(root.resolve("train/shirt/zz-corrupt.png"), "not a png".getBytes(StandardCharsets.UTF_8));
    }

    private static JobResult runJob(String jobId, String json, List<StatusEvent> events) throws Exception {
        return TestJobs.run(POOL.pool(), jobId, json, events::add);
    }

    @Test
    void aJobBecomesATrainedHeadWhoseOnnxModelPredictsLikeTheTrainer() throws Exception {
        List<StatusEvent> events = new ArrayList<>();
        JobResult result = runJob("it-good", TestFiles.job("it-good", "models/base.onnx", "train", "test", 8), events);

        assertThat(result.status()).as("errors: %s", result.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(POOL.pool().clients().compression()).as("embedded broker default").isEqualTo("none");
        assertThat(events).extracting(StatusEvent::stage).contains(Stage.QUEUED, Stage.EXTRACTING, Stage.TRAINING,
                Stage.DONE);
        assertThat(events).filteredOn(e -> e.stage() == Stage.EXTRACTING).last()
                .satisfies(e -> assertThat(e.shardsDone()).isEqualTo(e.shardsTotal()).isEqualTo(9));
        var m = result.metrics();
        assertThat(m.counts().train() + m.counts().validation()).isEqualTo(80);
        assertThat(m.counts().test()).isEqualTo(40);
        assertThat(m.counts().featureDimension()).isEqualTo(1152);
        assertThat(m.counts().badSamples()).singleElement()
                .satisfies(b -> assertThat(b.sample()).endsWith("zz-corrupt.png"));
        assertThat(m.epochs()).isNotEmpty().hasSizeLessThanOrEqualTo(8);
        assertThat(m.test().confusionMatrix()).hasDimensions(2, 2);
        assertThat(m.test().rocAuc()).isNotNull();
        assertThat(m.timings()).containsKeys("extractionSeconds", "trainingSeconds", "trainingSamplesPerSecond");
        // The pipeline's own timers, each of its stages measured where it runs (extractor, trainer).
        assertThat(m.timings()).allSatisfy((stage, seconds) -> assertThat(seconds).as(stage).isNotNegative());
        for (String stage : List.of("readSeconds", "preprocessSeconds", "inferenceSeconds", "encodeSeconds",
                "publishSeconds", "consumeSeconds", "ingestSeconds", "exportSeconds")) {
            assertThat(m.timings().get(stage)).as(stage).isPositive();
        }
        assertThat(m.timings().get("preprocessSeconds") + m.timings().get("readSeconds"))
                .isLessThan(m.timings().get("decodeSeconds"));
        assertThat(m.timings().get("consumeSeconds")).isLessThan(m.timings().get("ingestSeconds"));

        // The combined ONNX model and the trainer (DL4J head on ONNX Runtime features) agree image by image.
        Path head = Path.of(URI.create(result.artifacts().head().uri()));
        DemoTestImages images = DemoTestImages.load(POOL.root());
        int n = images.count();
        float[] input = images.inputs();
        int[] labels = images.labels();
        JobSpec spec = JobParser.parse(TestFiles.job("x", "m", "t", null, 1)).orThrow();
        float[] combined = images.runCombined(result);
        float[] trainer;
        try (CutSession cut = CutSession.open(OnnxModel.load(TestFiles.BASE_MODEL), "input", TestFiles.CUT,
                SessionFactory.Settings.cpu(0))) {
            CutSession.Features f = cut.run(input, n, spec.preprocess());
            MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(head.toFile());
            trainer = net.output(Nd4j.create(f.values(), new long[]{n, f.dimension()}, 'c'))
                    .castTo(DataType.FLOAT).dup('c').data().asFloat();
        }
        assertThat(combined).hasSameSizeAs(trainer);
        for (int i = 0; i < combined.length; i++) {
            assertThat(combined[i]).as("probability %d", i).isCloseTo(trainer[i], within(1e-4f));
        }
        assertThat(Evaluation.of(combined, labels, List.of("shirt", "tshirt")).accuracy())
                .isEqualTo(m.test().accuracy());
    }

    @Test
    void badJobsAreRejectedOnKafkaWithErrorsNamingTheirFields() throws Exception {
        JobResult garbage = runJob("it-garbage", "{not json", new ArrayList<>());
        assertThat(garbage.status()).isEqualTo(JobResult.Status.REJECTED);
        assertThat(garbage.jobId()).isEqualTo("it-garbage");
        assertThat(garbage.errors()).singleElement().satisfies(e -> assertThat(e.field()).isEqualTo("$"));

        String badCut = TestFiles.job("it-bad-cut", "models/base.onnx", "train", "test", 1)
                .replace(TestFiles.CUT, "/flatten/Flatten_output");
        JobResult rejected = runJob("it-bad-cut", badCut, new ArrayList<>());
        assertThat(rejected.status()).isEqualTo(JobResult.Status.REJECTED);
        assertThat(rejected.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("baseModel.cut");
            assertThat(e.problem()).contains(TestFiles.CUT);
        });
    }

    @Test
    void aGarbageTaskGoesToTheDeadLetterTopicAndTheExtractorKeepsWorking() throws Exception {
        try (KafkaProducer<String, byte[]> producer = POOL.pool().clients().producer("it-garbage")) {
            producer.send(new ProducerRecord<>(Topics.EXTRACT, "junk", "{\"jobId\": 5".getBytes())).get();
        }
        List<ConsumerRecord<String, byte[]>> seen = Await.value("the junk task on " + Topics.DLQ,
                Duration.ofSeconds(30), () -> {
                    List<ConsumerRecord<String, byte[]>> all = TestTopics.read(POOL.clients(), Topics.DLQ);
                    return all.stream().anyMatch(r -> "junk".equals(r.key())) ? all : null;
                });
        assertThat(seen).filteredOn(r -> "junk".equals(r.key())).singleElement().satisfies(r -> {
            assertThat(new String(r.headers().lastHeader(Topics.SOURCE_TOPIC_HEADER).value())).isEqualTo(Topics.EXTRACT);
            assertThat(new String(r.headers().lastHeader(Topics.ERROR_HEADER).value())).contains("ExtractTask");
        });
        JobResult after = runJob("it-after-dlq", TestFiles.job("it-after-dlq", "models/base.onnx", "train", null, 2),
                new ArrayList<>());
        assertThat(after.status()).as("errors: %s", after.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(after.metrics().test()).isNull();
    }

    @Test
    void redeliveredFeatureBatchesAndShardMarksAreCountedOnce() throws Exception {
        // Act as a coordinator and an extractor whose every record was delivered twice (a crash before commit).
        String jobId = "it-redelivered";
        var spec = JobParser.parse(TestFiles.job(jobId, "models/base.onnx", "train", null, 2)).orThrow();
        var planner = new JobPlanner(POOL.root(), TestConfig.limits(), 8, 16);
        var job = new Admission(new JobValidator(new PathResolver(POOL.root())), planner).admit(spec);
        var planned = planner.plan(job, new JobPlan.Submission(null, 1, System.currentTimeMillis(), 0));
        var decode = Executors.newFixedThreadPool(2);
        try (var sessions = new SessionCache(1, SessionFactory.Settings.cpu(0), s -> { });
             KafkaProducer<String, byte[]> producer = POOL.pool().clients().producer("it-redeliver");
             JobClient client = new JobClient(POOL.pool().clients())) {
            var extractor = new ShardExtractor(sessions, POOL.root(), decode, 8, 2,
                    ShardExtractor.Observer.NONE, Duration.ofMinutes(5));
            var out = new Publisher(producer);
            out.send(Topics.FEATURES, jobId, Json.bytes(planned.plan()), RecordType.PLAN);
            for (var task : planned.tasks()) {
                List<byte[]> batches = new ArrayList<>();
                var done = extractor.extract(task, b -> batches.add(b.encode(FeatureType.FLOAT32)));
                for (int copy = 0; copy < 2; copy++) {
                    batches.forEach(b -> out.send(Topics.FEATURES, jobId, b, RecordType.FEATURE_BATCH));
                    out.send(Topics.FEATURES, jobId, Json.bytes(done), RecordType.SHARD_DONE);
                }
            }
            out.flush();
            JobResult result = client.await(jobId, Duration.ofMinutes(5), e -> { });
            assertThat(result.status()).as("errors %s", result.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
            assertThat(result.metrics().counts().train() + result.metrics().counts().validation()).isEqualTo(80);
            assertThat(result.metrics().counts().badSampleCount()).isEqualTo(1);
        } finally {
            decode.shutdownNow();
        }
    }

    @Test
    void aSweepTrainsEveryCandidateOnTheSameFeaturesAndPublishesTheBest() throws Exception {
        List<StatusEvent> events = new ArrayList<>();
        String json = TestFiles.job("it-sweep", "models/base.onnx", "train", "test", 4).replace("\"seed\": 7}}", """
                "seed": 7},
                 "sweep": {"learningRate": [0.0001, 0.003], "head.hidden": [[16], [64, 32]]}}""");
        JobResult result = runJob("it-sweep", json, events);

        assertThat(result.status()).as("errors: %s", result.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
        var m = result.metrics();
        assertThat(events).filteredOn(e -> e.stage() == Stage.EXTRACTING).last().as("extracted once")
                .satisfies(e -> assertThat(e.shardsTotal()).isEqualTo(9));
        assertThat(events).extracting(StatusEvent::message).filteredOn(msg -> msg != null
                && msg.startsWith("sweep candidate")).hasSize(4);
        assertThat(m.sweep()).hasSize(4).allSatisfy(c -> {
            assertThat(c.testAccuracy()).isNotNull();
            assertThat(c.bestEpoch()).isBetween(1, 4);
        });
        JobResult.SweepCandidate chosen = m.sweep().stream().filter(JobResult.SweepCandidate::chosen)
                .collect(java.util.stream.Collectors.collectingAndThen(java.util.stream.Collectors.toList(),
                        l -> { assertThat(l).hasSize(1); return l.get(0); }));
        assertThat(m.sweep()).allSatisfy(c -> assertThat(c.monitored()).as("val_loss: the lowest is chosen")
                .isGreaterThanOrEqualTo(chosen.monitored()));
        // The job's figures and artifacts are the chosen candidate's.
        assertThat(m.test().accuracy()).isEqualTo(chosen.testAccuracy());
        assertThat(m.bestEpoch()).isEqualTo(chosen.bestEpoch());
        assertThat(m.epochs()).hasSize(chosen.epochs());
        DemoTestImages images = DemoTestImages.load(POOL.root());
        assertThat(Evaluation.of(images.runCombined(result), images.labels(), List.of("shirt", "tshirt")).accuracy())
                .isEqualTo(chosen.testAccuracy());
        MultiLayerNetwork head = ModelSerializer.restoreMultiLayerNetwork(
                Path.of(URI.create(result.artifacts().head().uri())).toFile());
        String hidden = chosen.values().get("head.hidden");
        assertThat(head.getnLayers()).as("the chosen head %s", hidden).isEqualTo(hidden.equals("[16]") ? 2 : 3);
    }
}
