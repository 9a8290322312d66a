package io.transferpool.cli;

import io.transferpool.messaging.JobClient;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancel a job of a running pool (kafka.bootstrap.servers must be set): its extractors skip its"
                + " remaining shards, its trainer stops at the next batch, its result is CANCELLED.")
public class CancelCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "JOB_ID")
    String jobId;

    @Option(names = "--reason", description = "Why, for the result (default: cancelled from the command line).")
    String reason;

    @Inject
    PoolOptions options;

    @Override
    public Integer call() throws Exception {
        var pool = options.runningPool("cancel");
        if (pool.isEmpty()) {
            return ExitCodes.USAGE;
        }
        try (JobClient client = new JobClient(pool.get())) {
            client.cancel(jobId, reason == null ? "cancelled from the command line" : reason);
        }
        System.out.println("cancel of job " + jobId + " requested; its result will say CANCELLED");
        return 0;
    }
}
