package io.transferpool.cli;

import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run one job with every role in this process (embedded Kafka unless kafka.bootstrap.servers is set)."
                + " Exit code 0 only when the job succeeded (1 failed, 2 rejected).")
public class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "JOB.json", description = "The job; its paths resolve against its folder.")
    Path job;

    @Option(names = "--out", paramLabel = "RESULT.json", description = "Write the result here.")
    Path out;

    @Option(names = "--report", paramLabel = "REPORT.html",
            description = "Write the job report here: learning curves, test metrics, confusion matrix, timings.")
    Path report;

    @Option(names = "--artifacts", paramLabel = "DIR",
            description = "Where the trained head and ONNX model go: a folder, or s3://bucket/prefix (the pool's "
                    + "tp.storage.s3.* settings reach it). Default: artifacts/ next to --out, else ./artifacts.")
    String artifacts;

    @Option(names = "--timeout-minutes", defaultValue = "240", description = "Give up waiting after this long.")
    long timeoutMinutes;

    @Inject
    PoolOptions options;

    @Inject
    RunningJob running;

    @Override
    public Integer call() throws Exception {
        String dir = artifacts != null ? artifacts
                : (out != null ? out.toAbsolutePath().getParent().resolve("artifacts") : Path.of("artifacts")).toString();
        return LocalRun.run(job, out, report, dir, options, options.registry(), Duration.ofMinutes(timeoutMinutes),
                System.out, running);
    }
}
