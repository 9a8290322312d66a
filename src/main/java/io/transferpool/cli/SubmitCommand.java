package io.transferpool.cli;

import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.messaging.Json;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Publish a job to a running pool (kafka.bootstrap.servers must be set). Its paths resolve"
                + " against the pool's tp.data-root.")
public class SubmitCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "JOB.json")
    Path job;

    @Option(names = "--wait", description = "Follow progress and wait for the result; exit 0 only on success.")
    boolean await;

    @Option(names = "--out", paramLabel = "RESULT.json", description = "With --wait: write the result here.")
    Path out;

    @Option(names = "--timeout-minutes", defaultValue = "240")
    long timeoutMinutes;

    @Inject
    PoolOptions options;

    @Override
    public Integer call() throws Exception {
        var pool = options.runningPool("submit");
        if (pool.isEmpty()) {
            return ExitCodes.USAGE;
        }
        String json = Files.readString(job);
        String jobId = LocalRun.jobIdOf(json);
        try (JobClient client = new JobClient(pool.get())) {
            client.submit(jobId, json);
            System.out.println("submitted job " + jobId + " to " + pool.get().bootstrapServers());
            if (!await) {
                return 0;
            }
            JobResult result = client.await(jobId, Duration.ofMinutes(timeoutMinutes),
                    new ProgressPrinter(System.out)::print);
            if (out != null) {
                Files.writeString(out, Json.pretty(result));
            }
            ResultSummary.print(result, System.out);
            return ExitCodes.of(result);
        }
    }
}
