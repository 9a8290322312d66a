package io.transferpool.train;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.transferpool.job.JobResult;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The trainer's meters: epochs (duration histogram, samples trained), jobs by state, finished jobs and their
 * duration, and per running job its current epoch and validation accuracy ({@code tp_job_epoch},
 * {@code tp_job_val_accuracy}, tagged with the job id and removed when the job ends, so the series stay few).
 * Epochs are reported from training threads, jobs from the consumer thread; the per-job map is concurrent.
 */
public final class TrainingMetrics {
    private final MeterRegistry registry;
    private final Timer epochs;
    private final Counter samples;
    /** Per running job: [epoch, validation accuracy]. */
    private final Map<String, AtomicReference<double[]>> running = new ConcurrentHashMap<>();
    private final Map<String, List<Meter>> jobMeters = new ConcurrentHashMap<>();

    public TrainingMetrics(MeterRegistry registry, Supplier<Number> gathering, Supplier<Number> training) {
        this.registry = registry;
        this.epochs = Timer.builder("tp.train.epoch").description("Duration of one training epoch")
                .publishPercentileHistogram().register(registry);
        this.samples = Counter.builder("tp.train.samples").description("Samples trained (one per sample per epoch)")
                .register(registry);
        Gauge.builder("tp.jobs.active", gathering, s -> s.get().doubleValue()).tag("state", "extracting")
                .description("Jobs this trainer holds, by state").register(registry);
        Gauge.builder("tp.jobs.active", training, s -> s.get().doubleValue()).tag("state", "training")
                .description("Jobs this trainer holds, by state").register(registry);
    }

    public void jobStarted(String jobId) {
        AtomicReference<double[]> v = new AtomicReference<>(new double[]{0, Double.NaN});
        running.put(jobId, v);
        jobMeters.put(jobId, List.of(
                Gauge.builder("tp.job.epoch", v, r -> r.get()[0]).tag("job_id", jobId)
                        .description("Current epoch of a running job").register(registry),
                Gauge.builder("tp.job.val.accuracy", v, r -> r.get()[1]).tag("job_id", jobId)
                        .description("Validation accuracy of a running job's last epoch").register(registry)));
    }

    public void epochDone(String jobId, JobResult.EpochMetrics m, int trainSamples, Duration took) {
        epochs.record(took);
        samples.increment(trainSamples);
        AtomicReference<double[]> v = running.get(jobId);
        if (v != null) {
            v.set(new double[]{m.epoch(), m.valAccuracy()});
        }
    }

    /** @param jobId the job's key as given to {@link #jobStarted} (the run key for a rerun) */
    public void jobFinished(String jobId, JobResult result, Duration sinceSubmitted) {
        registry.counter("tp.jobs.finished", "status", result.status().name()).increment();
        Timer.builder("tp.job.duration").description("From submission to result").tag("status",
                result.status().name()).register(registry).record(sinceSubmitted);
        jobDropped(jobId);
    }

    /** The job ended without a result from this trainer (dropped): its per-job series go. */
    public void jobDropped(String jobId) {
        running.remove(jobId);
        List<Meter> meters = jobMeters.remove(jobId);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
    }
}
