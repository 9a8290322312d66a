package io.transferpool.drills;

import io.transferpool.Await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged application ({@code target/quarkus-app}) running {@code serve} as a separate JVM against a broker,
 * as a deployment's pod would: for drills that kill it (SIGKILL) or stop it (SIGTERM) mid-job.
 */
final class PoolProcess implements AutoCloseable {
    static final Path APP = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();

    private final String name;
    private final Process process;
    private final Path log;

    private PoolProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code serve} with these roles and returns once it serves them.
     *
     * @param props further configuration ({@code -Dkey=value})
     */
    static PoolProcess start(String name, String roles, String bootstrap, Path root, Path work,
                             Map<String, String> props) throws Exception {
        return start(name, roles, bootstrap, root, work, props, Map.of());
    }

    /** As above, with environment variables (e.g. the AWS ones) set for the process. */
    static PoolProcess start(String name, String roles, String bootstrap, Path root, Path work,
                             Map<String, String> props, Map<String, String> env) throws Exception {
        assertThat(APP).as("the packaged application (mvn package)").exists();
        Path dir = Files.createDirectories(work.resolve(name));
        Path log = dir.resolve("process.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dkafka.bootstrap.servers=" + bootstrap, "-Dtp.roles=" + roles,
                "-Dtp.data-root=" + root, "-Dtp.work-dir=" + dir, "-Dtp.artifacts-dir=" + work.resolve("artifacts"),
                "-Dquarkus.http.port=0", "-Dtp.kafka.compression=none",
                // Drills run jobs on the same images one after another and strike mid-extraction: each must extract.
                "-Dtp.features.max-bytes=0"));
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", APP.toString(), "serve"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        // The application must set these itself (NativeThreads).
        pb.environment().remove("OMP_WAIT_POLICY");
        pb.environment().remove("OPENBLAS_THREAD_TIMEOUT");
        pb.environment().putAll(env);
        Process p = pb.start();
        PoolProcess pp = new PoolProcess(name, p, log);
        Await.until(() -> name + " to serve its roles:\n" + logOf(pp), Duration.ofSeconds(90), () -> {
            assertThat(p.isAlive()).as(name + " died while starting:\n" + pp.log()).isTrue();
            return pp.log().contains("TransferPool serving roles");
        });
        assertThat(pp.log()).as("ND4J's and OpenBLAS's threads set not to spin")
                .contains("Native threads: OMP_WAIT_POLICY=PASSIVE, OPENBLAS_THREAD_TIMEOUT=4");
        return pp;
    }

    private static String logOf(PoolProcess p) {
        try {
            return p.log();
        } catch (IOException e) {
            return "(log not readable: " + e.getMessage() + ")";
        }
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    boolean alive() {
        return process.isAlive();
    }

    /** kill -9: no shutdown hook, no commit, no leaving the group. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, as Kubernetes stops a pod; waits for the process to end and returns its exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        return process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
