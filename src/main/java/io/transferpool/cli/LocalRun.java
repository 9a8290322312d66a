package io.transferpool.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.Json;
import io.transferpool.pool.Cluster;
import io.transferpool.pool.Pool;
import io.transferpool.pool.PoolConfig;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * Runs one job file with every role in this process: paths in the job resolve against the job file's folder,
 * the embedded broker starts unless a cluster is configured, progress is printed as it comes, and the result is
 * written and summarised.
 */
final class LocalRun {
    private LocalRun() {
    }

    static int run(Path jobFile, Path outFile, Path reportFile, String artifactsDir, PoolOptions options,
                   MeterRegistry metrics, Duration timeout,
                   PrintStream out, RunningJob running)
            throws Exception {
        try {
            return runJob(jobFile, outFile, reportFile, artifactsDir, options, metrics, timeout, out, running);
        } finally {
            running.finished();
        }
    }

    private static int runJob(Path jobFile, Path outFile, Path reportFile, String artifactsDir, PoolOptions options,
                              MeterRegistry metrics, Duration timeout, PrintStream out, RunningJob running)
            throws Exception {
        if (!Files.isReadable(jobFile)) {
            out.println("error: job file " + jobFile + " does not exist or is not readable");
            return ExitCodes.USAGE;
        }
        String json = Files.readString(jobFile);
        Path root = jobFile.toAbsolutePath().getParent();
        String jobId = jobIdOf(json);
        PoolConfig base = options.config();
        Path work = Files.createDirectories(base.workDir()).resolve("run-" + ProcessHandle.current().pid());
        // Every role in this process, on the job's folder; the broker and spill files in a folder of this run, so
        // runs side by side do not meet; kept features where the configuration keeps them.
        PoolConfig config = options.config(Map.of("tp.roles", "coordinator,extractor,trainer",
                "tp.data-root", root.toString(), "tp.work-dir", work.toString(),
                "tp.artifacts-dir", artifactsDir,
                "tp.features.dir", base.features().policy(base.artifacts()).dir().toString()));
        Cluster cluster = options.cluster();
        out.println("TransferPool: running job " + jobId + " from " + jobFile + " (data root " + root + ")");
        JobResult result;
        try (Pool pool = Pool.start(config, cluster, metrics); JobClient client = new JobClient(pool.clients())) {
            client.submit(jobId, json);
            running.started(client, jobId);
            ProgressPrinter progress = new ProgressPrinter(out);
            result = client.await(jobId, timeout, progress::print);
        }
        if (outFile != null) {
            Path parent = outFile.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Files.writeString(outFile, Json.pretty(result));
        }
        if (reportFile != null) {
            Files.createDirectories(reportFile.toAbsolutePath().getParent());
            Files.writeString(reportFile, io.transferpool.report.JobReport.html(result));
        }
        ResultSummary.print(result, out);
        if (outFile != null) {
            out.println("  result     " + outFile.toAbsolutePath());
        }
        if (reportFile != null) {
            out.println("  report     " + reportFile.toAbsolutePath());
        }
        return ExitCodes.of(result);
    }

    /** The job's id when the JSON has one, else a fresh one (the job will be rejected under that id). */
    static String jobIdOf(String json) {
        String id = JobParser.parse(json).jobId();
        return id != null && !id.isBlank() ? id : "job-" + UUID.randomUUID();
    }
}
