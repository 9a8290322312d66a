package io.transferpool.cli;

import io.quarkus.runtime.ShutdownEvent;
import io.transferpool.pool.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * The pool {@code serve} runs, stopped inside Quarkus' shutdown: on SIGTERM the JVM ends when its shutdown hooks
 * do, so closing the pool after {@code Quarkus.waitForExit()} returned came too late (the record in hand was cut
 * off, nothing committed, the group not left). Closing here finishes the record in hand, commits and leaves the
 * group before the process exits.
 */
@ApplicationScoped
public class ServingPool {
    private static final Logger LOG = Logger.getLogger(ServingPool.class);

    @Inject
    PoolHealth health;

    // Set by the serve command's thread, read by the shutdown hook's.
    private volatile Pool pool;

    void serve(Pool p) {
        pool = p;
        health.started(p);
    }

    void onStop(@Observes ShutdownEvent event) {
        Pool p = pool;
        if (p == null) {
            return;
        }
        health.stopping();
        LOG.info("Stopping: the roles finish their records in hand, commit and leave their groups");
        try {
            p.close();
        } catch (Exception e) {
            LOG.errorf(e, "Stopping the pool failed");
        }
    }
}
