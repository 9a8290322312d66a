package io.transferpool.cli;

import io.quarkus.runtime.Quarkus;
import io.transferpool.pool.Pool;
import io.transferpool.storage.Storage;
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

    /** The job service's (Beans#storage): the pool reads and writes through it too, one S3 client per process. */
    @Inject
    Storage storage;

    @Override
    public Integer call() throws Exception {
        try (Pool pool = Pool.start(options.config(), cluster.cluster(), options.registry(), storage)) {
            System.out.println("TransferPool serving roles " + pool.config().roles() + " on "
                    + pool.clients().bootstrapServers());
            serving.serve(pool);
            // SIGTERM: ServingPool stops the pool inside Quarkus' shutdown, before the JVM exits.
            Quarkus.waitForExit();
        }
        return 0;
    }
}
