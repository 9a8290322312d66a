package io.transferpool.cli;

import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The seed's scenario on real data: a CNN trained on 8 Fashion-MNIST classes gets a new head for"
                + " T-shirt/top vs Shirt (method 1, fixed feature extractor). Nothing is downloaded.")
public class DemoCommand implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = "demo/tshirt-vs-shirt",
            description = "The demo folder (job.json, models/, data/); run from the repository root.")
    Path dir;

    @Option(names = "--out", defaultValue = "target/demo/result.json", description = "Where the result goes.")
    Path out;

    @Inject
    PoolOptions options;

    @Inject
    RunningJob running;

    @Override
    public Integer call() throws Exception {
        Path job = dir.resolve("job.json");
        if (!Files.isRegularFile(job)) {
            System.out.println("error: no demo at " + job.toAbsolutePath()
                    + "; run from the repository root or pass --dir");
            return ExitCodes.USAGE;
        }
        Path folder = out.toAbsolutePath().getParent();
        return LocalRun.run(job, out, folder.resolve("report.html"), folder.resolve("artifacts").toString(), options,
                options.registry(), Duration.ofMinutes(60), System.out, running);
    }
}
