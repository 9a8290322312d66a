package io.transferpool.train;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.Publisher;
import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;
import org.jboss.logging.Logger;

import java.util.concurrent.ExecutionException;

/**
 * How a trainer answers a job: its final status, then its result, both acknowledged before the job is let go (and
 * its offsets with it). A result that could not be written is counted ({@code tp_results_unpublished_total}, alert
 * TransferPoolResultsNotPublished) and sent again after {@link #RETRY_MILLIS}.
 */
final class ResultPublisher {
    private static final Logger LOG = Logger.getLogger(ResultPublisher.class);
    static final long RETRY_MILLIS = 5_000;

    private final Publisher out;
    private final Counter unpublished;

    ResultPublisher(Publisher out, MeterRegistry metrics) {
        this.out = out;
        this.unpublished = Counter.builder("tp.results.unpublished")
                .description("Result sends that failed (each is retried; alert TransferPoolResultsNotPublished)")
                .register(metrics);
    }

    /** The final status, then the result, acknowledged; false (the job stays held) if it could not be written. */
    boolean publish(JobResult result) {
        boolean ok = result.status() == JobResult.Status.SUCCEEDED;
        Stage stage = ok ? Stage.DONE : result.status() == JobResult.Status.CANCELLED ? Stage.CANCELLED : Stage.FAILED;
        String summary = ok && result.metrics().test() != null
                ? String.format("test accuracy %.4f", result.metrics().test().accuracy())
                : result.errors().isEmpty() ? "" : result.errors().get(0).toString();
        try {
            // The final status goes out before the result, so a client that stops at the result has seen it.
            out.status(StatusEvent.of(result.jobId(), stage, summary)).get();
            out.result(result).get();
            LOG.infof("Job %s: result %s published", result.jobId(), result.status());
            return true;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException ex) {
            unpublished.increment();
            LOG.errorf("The result of job %s could not be published (%s); the job stays held and the result is sent "
                    + "again in %d s", result.jobId(), ex.getCause().getMessage(), RETRY_MILLIS / 1000);
            return false;
        }
    }
}
