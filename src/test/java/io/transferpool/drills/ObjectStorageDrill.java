package io.transferpool.drills;

import io.transferpool.TestFiles;
import io.transferpool.broker.EmbeddedKafka;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.KafkaClients;
import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.storage.ObjectStore;
import io.transferpool.storage.ObjectUri;
import io.transferpool.storage.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pool with no shared folder at all: data, base model, checkpoints and artifacts in buckets of an S3-compatible
 * server (S3Proxy), the packaged application as separate processes each with a work folder of its own, reaching the
 * server through the standard AWS environment variables. A trainer killed (SIGKILL) mid-training is taken over by a
 * new one that resumes from the checkpoint in the bucket and ends with the weights of a run never interrupted.
 */
class ObjectStorageDrill {
    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;
    static KafkaClients clients;
    static S3ProxyServer server;
    static Map<String, String> env;
    static final Map<String, String> POOL = Map.of("tp.storage.allowed", "s3://data/demo,s3://models",
            "tp.artifacts-dir", "s3://artifacts/drill", "tp.train.checkpoint-epochs", "2",
            "tp.train.checkpoint-seconds", "0");

    @BeforeAll
    static void start() throws Exception {
        Path local = dir.resolve("local");
        TestFiles.demoRoot(local, "train", 300, "test", 50);
        server = S3ProxyServer.start(dir.resolve("s3"));
        for (String b : new String[]{"data", "models", "artifacts"}) {
            server.bucket(b);
        }
        server.putTree(local.resolve("train"), ObjectUri.parse("s3://data/demo/train"));
        server.putTree(local.resolve("test"), ObjectUri.parse("s3://data/demo/test"));
        server.store().upload(local.resolve("models/base.onnx"), ObjectUri.parse("s3://models/base.onnx"));
        env = Map.of("AWS_ENDPOINT_URL", server.endpoint().toString(), "AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), false);
        clients = new KafkaClients(kafka.bootstrapServers(), "none", Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static PoolProcess start(String name, String roles) throws Exception {
        // an empty data root: nothing is read from disk
        return PoolProcess.start(name, roles, kafka.bootstrapServers(), dir.resolve("empty-root"), dir.resolve("work"),
                POOL, env);
    }

    /** FaultDrill's job (600 training and 100 test images, 30 epochs), everything it reads in buckets. */
    static String job(String jobId) {
        return FaultDrill.job(jobId).replace("\"models/base.onnx\"", "\"s3://models/base.onnx\"")
                .replace("\"uri\": \"train\"", "\"uri\": \"s3://data/demo/train\"")
                .replace("\"uri\": \"test\"", "\"uri\": \"s3://data/demo/test\"");
    }

    static JobResult run(String jobId, String json, Consumer<StatusEvent> onStatus) throws Exception {
        return FaultDrill.run(clients, jobId, json, onStatus);
    }

    @Test
    void aTrainerKilledMidTrainingResumesFromTheCheckpointInTheBucket() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("empty-root"));
        try (PoolProcess front = start("s3-front", "coordinator,extractor");
             PoolProcess first = start("s3-trainer-1", "trainer")) {
            PoolProcess[] second = {null};
            boolean[] checkpointSeen = {false};
            try {
                JobResult r = run("s3-killed", job("s3-killed"), e -> {
                    if (second[0] == null && e.stage() == Stage.TRAINING && e.epoch() != null && e.epoch() >= 5) {
                        try {
                            checkpointSeen[0] = server.store().all(ObjectUri.parse("s3://artifacts/drill/s3-killed"))
                                    .map(ObjectStore.Entry::key).anyMatch(k -> k.endsWith("/latest"));
                            first.kill();
                            second[0] = start("s3-trainer-2", "trainer");
                        } catch (Exception ex) {
                            throw new IllegalStateException(ex);
                        }
                    }
                });
                assertThat(second[0]).as("the first trainer was killed mid-training").isNotNull();
                assertThat(checkpointSeen[0]).as("a checkpoint pointer in the bucket before the kill").isTrue();
                assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
                assertThat(r.metrics().counts().train() + r.metrics().counts().validation()).isEqualTo(600);
                assertThat(r.metrics().counts().test()).isEqualTo(100);
                assertThat(r.metrics().epochs()).hasSize(30);
                assertThat(r.metrics().recovery().attempts()).isEqualTo(2);
                assertThat(r.metrics().recovery().resumedFromEpoch()).isGreaterThanOrEqualTo(4).isEven();
                assertThat(r.artifacts().head().uri()).isEqualTo("s3://artifacts/drill/s3-killed/head.dl4j.zip");
                assertThat(server.store().head(ObjectUri.parse(r.artifacts().onnx().uri()))).isPresent();

                JobResult reference = run("s3-unbroken", job("s3-unbroken"), e -> { });
                FaultDrill.assertSameAsUnbroken(r, reference);
            } finally {
                if (second[0] != null) {
                    second[0].close();
                }
            }
        }
    }
}
