package io.transferpool.cli;

import io.quarkus.runtime.ShutdownEvent;
import io.transferpool.messaging.JobClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The job {@code run} (or {@code demo}) is waiting for, so Ctrl-C cancels it cleanly: on SIGINT Quarkus stops the
 * application while the verb's thread still waits; this observer publishes the cancel and holds the shutdown until
 * the verb has its CANCELLED result, has printed it and closed its pool (at most {@link #GRACE_SECONDS}).
 */
@ApplicationScoped
public class RunningJob {
    private static final Logger LOG = Logger.getLogger(RunningJob.class);
    static final long GRACE_SECONDS = 60;

    // Set by the verb's thread, read by the shutdown hook's.
    private volatile JobClient client;
    private volatile String jobId;
    private volatile CountDownLatch done;

    void started(JobClient c, String id) {
        done = new CountDownLatch(1);
        jobId = id;
        client = c;
    }

    /** The verb is through (result printed, pool closed, or it failed): a shutdown need not wait. */
    void finished() {
        client = null;
        CountDownLatch d = done;
        if (d != null) {
            d.countDown();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        JobClient c = client;
        CountDownLatch d = done;
        if (c == null || d == null || d.getCount() == 0) {
            return;
        }
        System.err.println("Interrupted: cancelling job " + jobId + " ...");
        try {
            c.cancel(jobId, "interrupted (Ctrl-C on run)");
            if (!d.await(GRACE_SECONDS, TimeUnit.SECONDS)) {
                LOG.warnf("Job %s did not answer its cancel within %d s", jobId, GRACE_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.errorf("Cancelling job %s failed: %s", jobId, e.getMessage());
        }
    }
}
