package io.transferpool.admission;

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

    /** A plan whose features are not kept. */
    public Planned plan(ValidatedJob job, JobPlan.Submission submission) {
        return plan(job, submission, JobPlan.KeptFeatures.NONE);
    }

    /**
     * @param submission which submission and run of the job id this is
     * @param features   whether its features are kept, and whether kept ones serve it (then: no extract tasks)
     */
    public Planned plan(ValidatedJob job, JobPlan.Submission submission, JobPlan.KeptFeatures features) {
        boolean reuse = features.reused();
        int run = submission.run();
        List<ExtractTask> tasks = new ArrayList<>();
        int trainShards = 0;
        if (!reuse) {
            tasks.addAll(tasks(job, Split.TRAIN, job.train(), run));
            trainShards = tasks.size();
            if (job.test() != null) {
                tasks.addAll(tasks(job, Split.TEST, job.test(), run));
            }
        }
        JobPlan plan = JobPlan.of(job.spec(), new JobPlan.Model(job.modelPath(), job.modelSha256()),
                job.train().classes(), new JobPlan.Split(trainShards, job.train().samples().size()),
                new JobPlan.Split(tasks.size() - trainShards, job.test() == null ? 0 : job.test().samples().size()),
                submission).withFeatures(features).withAdvice(job.advice());
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
