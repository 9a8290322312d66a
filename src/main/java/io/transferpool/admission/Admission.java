package io.transferpool.admission;

import io.transferpool.job.JobRejectedException;
import io.transferpool.job.JobSpec;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * What a job must pass to be accepted, the same for the coordinator (a job read from tp.jobs) and the job service
 * (POST /jobs): its facts checked ({@link JobValidator}), then settled ({@link JobPlanner#settle}); a job with any
 * error is a {@link JobRejectedException} listing them all.
 */
public final class Admission {
    private final JobValidator validator;
    private final JobPlanner planner;

    public Admission(JobValidator validator, JobPlanner planner) {
        this.validator = validator;
        this.planner = planner;
    }

    public JobPlanner planner() {
        return planner;
    }

    /** Checks and settles the job on this thread, however long it takes (the {@code advise} verb, tests). */
    public AcceptedJob admit(JobSpec spec) {
        return planner.settle(validator.check(spec));
    }

    /** {@link #admit} within the pool's validation limit ({@link #admitWithinLimit(JobSpec, Function)}). */
    public AcceptedJob admitWithinLimit(JobSpec spec) throws InterruptedException {
        return admitWithinLimit(spec, job -> job);
    }

    /**
     * Admits on a thread of its own, then runs {@code after} on the accepted job there, all within the pool's
     * validation limit ({@code tp.limits.validation-timeout}): a job that takes too long to check (a huge folder on
     * a slow volume, a file that blocks), or whose follow-up does (the kept-features key reads every sample's
     * file), is rejected on {@code $} instead of stalling every job behind it. The thread is interrupted and,
     * being a daemon, left to end on its own if it does not notice.
     */
    public <T> T admitWithinLimit(JobSpec spec, Function<AcceptedJob, T> after) throws InterruptedException {
        Duration limit = planner.limits().validationTimeout();
        FutureTask<T> task = new FutureTask<>(() -> after.apply(admit(spec)));
        Thread t = new Thread(task, "tp-validate-" + spec.jobId());
        t.setDaemon(true);
        t.start();
        try {
            return task.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw new JobRejectedException("$", "checking the job took longer than this pool's limit of "
                    + limit.toSeconds() + " s (tp.limits.validation-timeout): are its files on a slow or blocking "
                    + "volume, or is a folder very large?");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
