package io.transferpool.cli;

import io.quarkus.runtime.Quarkus;
import io.transferpool.pool.Pool;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the roles in tp.roles until stopped (SIGTERM finishes records in hand, commits, leaves groups).")
public class ServeCommand implements Callable<Integer> {
    @Inject
    PoolOptions options;

    @Inject
    ServingPool serving;

    @Inject
    KafkaCluster cluster;

    @Override
    public Integer call() throws Exception {
        try (Pool pool = Pool.start(options.config(), cluster.cluster(), options.registry())) {
            System.out.println("TransferPool serving roles " + pool.config().roles() + " on "
                    + pool.clients().bootstrapServers());
            serving.serve(pool);
            // SIGTERM: ServingPool stops the pool inside Quarkus' shutdown, before the JVM exits.
            Quarkus.waitForExit();
        }
        return 0;
    }
}
