package io.transferpool.drills;

import io.transferpool.Await;
import io.transferpool.TestFiles;
import io.transferpool.broker.EmbeddedKafka;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cancelling from the command line, with the packaged application as separate processes: Ctrl-C (SIGINT) on
 * {@code run} cancels its job cleanly, and the {@code cancel} verb stops a job that {@code submit --wait} follows,
 * which then exits with the cancelled code (3). The one-shot verbs run with Quarkus' default HTTP port (8080) held
 * by this test and several at once beside a {@code serve}: they open no port.
 */
class CancelDrill {
    @TempDir
    Path root;
    @TempDir
    Path work;
    /** Quarkus' default HTTP port, taken (here, or by whoever holds it already) while the verbs run. */
    static ServerSocket defaultPort;

    @BeforeAll
    static void holdTheDefaultPort() {
        try {
            defaultPort = new ServerSocket(8080, 1, InetAddress.getByName("0.0.0.0"));
        } catch (IOException e) {
            defaultPort = null; // in use already: just as good
        }
    }

    @AfterAll
    static void releaseIt() throws IOException {
        if (defaultPort != null) {
            defaultPort.close();
        }
    }

    /** A job that would train for a long time: 5000 epochs, no early stopping. */
    static String longJob(String jobId) {
        return TestFiles.job(jobId, "models/base.onnx", "train", "test", 5000)
                .replace("\"patience\": 5", "\"patience\": 10000");
    }

    /**
     * The packaged application with {@code args}. SIGINT is reset to its default for it: a shell that runs this
     * build in the background without job control (nohup, {@code cmd &} in a script) makes its children ignore
     * SIGINT, and a JVM that starts with SIGINT ignored never sees a Ctrl-C.
     */
    Process java(Path log, Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dtp.work-dir=" + work.resolve("w-" + log.getFileName())));
        List<String> rest = new ArrayList<>(List.of(args));
        int jar = rest.indexOf("-jar");
        cmd.addAll(rest.subList(0, jar));
        cmd.addAll(List.of("-jar", PoolProcess.APP.toString()));
        cmd.addAll(rest.subList(jar + 1, rest.size()));
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    static void waitFor(Path log, String text, Process p) throws Exception {
        Await.until(() -> "\"" + text + "\" in " + log, Duration.ofSeconds(120), () -> {
            assertThat(p.isAlive()).as("process ended before \"" + text + "\":\n" + Files.readString(log)).isTrue();
            return Files.readString(log).contains(text);
        });
    }

    @Test
    void ctrlCOnRunCancelsItsJobPrintsTheResultAndStopsThePool() throws Exception {
        TestFiles.demoRoot(root, "train", 100, "test", 10);
        Files.writeString(root.resolve("job.json"), longJob("interrupted"));
        Path log = work.resolve("run.log");
        Process run = java(log, root, "-jar", "run", "job.json", "--out", "out/result.json");
        waitFor(log, "epoch 3/5000", run);
        new ProcessBuilder("kill", "-INT", String.valueOf(run.pid())).start().waitFor();
        assertThat(run.waitFor(90, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();

        String out = Files.readString(log);
        assertThat(run.exitValue()).as("SIGINT's exit status\n" + out).isEqualTo(130);
        assertThat(out).contains("Job interrupted: CANCELLED", "cancelled: interrupted (Ctrl-C on run)",
                "Embedded Kafka broker stopped");
        JobResult r = Json.read(Files.readAllBytes(root.resolve("out/result.json")), JobResult.class);
        assertThat(r.status()).isEqualTo(JobResult.Status.CANCELLED);
        assertThat(r.metrics().epochs()).hasSizeGreaterThanOrEqualTo(3).hasSizeLessThan(5000);
    }

    @Test
    void theCancelVerbStopsAJobAndSubmitWaitExitsWithTheCancelledCode() throws Exception {
        TestFiles.demoRoot(root, "train", 100, "test", 10);
        Files.writeString(work.resolve("job.json"), longJob("verb-cancelled"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"), true);
             PoolProcess pool = PoolProcess.start("pool", "coordinator,extractor,trainer", kafka.bootstrapServers(),
                     root, work, Map.of())) {
            String servers = "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers();
            Path submitLog = work.resolve("submit.log");
            Process submit = java(submitLog, work, servers, "-jar", "submit", "job.json", "--wait");
            waitFor(submitLog, "epoch 2/5000", submit);
            // Another one-shot verb at the same time: no port between them either.
            Path inspectLog = work.resolve("inspect.log");
            Process inspect = java(inspectLog, work, "-jar", "model", "inspect",
                    root.resolve("models/base.onnx").toString());
            assertThat(inspect.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(inspect.exitValue()).as(Files.readString(inspectLog)).isZero();
            assertThat(Files.readString(inspectLog)).contains("total parameters 287464");
            Path cancelLog = work.resolve("cancel.log");
            Process cancel = java(cancelLog, work, servers, "-jar", "cancel", "verb-cancelled", "--reason", "drill");
            assertThat(cancel.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(cancel.exitValue()).as(Files.readString(cancelLog)).isZero();
            assertThat(Files.readString(cancelLog)).contains("cancel of job verb-cancelled requested");

            assertThat(submit.waitFor(90, TimeUnit.SECONDS)).as(Files.readString(submitLog)).isTrue();
            assertThat(submit.exitValue()).as(Files.readString(submitLog)).isEqualTo(3);
            assertThat(Files.readString(submitLog)).contains("Job verb-cancelled: CANCELLED", "cancelled: drill");
            assertThat(pool.alive()).as("the pool keeps serving").isTrue();
        }
    }
}
