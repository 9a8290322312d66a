package io.transferpool.coordinator;

import io.transferpool.data.Dataset;
import io.transferpool.data.Sample;
import io.transferpool.messaging.ExtractTask;
import io.transferpool.messaging.FeatureBatch.Split;
import io.transferpool.messaging.JobPlan;

import java.util.ArrayList;
import java.util.List;

/** Splits a validated job's samples into shards of at most {@code shardSize} and makes the plan and the tasks. */
public final class JobPlanner {
    private final int shardSize;

    public JobPlanner(int shardSize) {
        if (shardSize < 1) {
            throw new IllegalArgumentException("shard size must be positive, got " + shardSize);
        }
        this.shardSize = shardSize;
    }

    public record Planned(JobPlan plan, List<ExtractTask> tasks) {
    }

    public Planned plan(ValidatedJob job, long submittedAtMillis, double validationSeconds) {
        return plan(job, submittedAtMillis, validationSeconds, null);
    }

    public Planned plan(ValidatedJob job, long submittedAtMillis, double validationSeconds, String submission) {
        return plan(job, submittedAtMillis, validationSeconds, submission, 1);
    }

    public Planned plan(ValidatedJob job, long submittedAtMillis, double validationSeconds, String submission,
                        int run) {
        return plan(job, submittedAtMillis, validationSeconds, submission, run, null, false);
    }

    /**
     * @param submission  the job record's place on tp.jobs (see {@link JobPlan#submission})
     * @param run         which run of the job id this is (see {@link JobPlan#run})
     * @param featureKey  what the job's features depend on, or null when features are not kept
     * @param reuse       features kept under {@code featureKey} serve this job: no extract tasks
     */
    public Planned plan(ValidatedJob job, long submittedAtMillis, double validationSeconds, String submission,
                        int run, String featureKey, boolean reuse) {
        List<ExtractTask> tasks = new ArrayList<>();
        int trainShards = 0;
        if (!reuse) {
            tasks.addAll(tasks(job, Split.TRAIN, job.train(), run));
            trainShards = tasks.size();
            if (job.test() != null) {
                tasks.addAll(tasks(job, Split.TEST, job.test(), run));
            }
        }
        JobPlan plan = new JobPlan(job.spec(), job.modelPath(), job.modelSha256(), job.train().classes(), trainShards,
                tasks.size() - trainShards, job.train().samples().size(),
                job.test() == null ? 0 : job.test().samples().size(), submittedAtMillis, validationSeconds, submission,
                run, featureKey, reuse, job.advice());
        return new Planned(plan, List.copyOf(tasks));
    }

    private List<ExtractTask> tasks(ValidatedJob job, Split split, Dataset ds, int run) {
        List<Sample> samples = ds.samples();
        int count = Math.max(1, (samples.size() + shardSize - 1) / shardSize);
        List<ExtractTask> out = new ArrayList<>(count);
        for (int shard = 0; shard < count; shard++) {
            List<Sample> part = samples.subList(Math.min(samples.size(), shard * shardSize),
                    Math.min(samples.size(), (shard + 1) * shardSize));
            var bm = job.spec().baseModel();
            out.add(new ExtractTask(job.spec().jobId(), split, shard, count, job.modelPath(), job.modelSha256(),
                    bm.input(), job.spec().extractAt(), job.spec().preprocess(), List.copyOf(part), run, bm.externalSha256()));
        }
        return out;
    }
}
