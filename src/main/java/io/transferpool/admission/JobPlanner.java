package io.transferpool.admission;

import io.transferpool.advice.Advisor;
import io.transferpool.advice.AutoStrategy;
import io.transferpool.data.Dataset;
import io.transferpool.data.Sample;
import io.transferpool.job.Advice;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobRejectedException;
import io.transferpool.job.JobSpec;
import io.transferpool.job.Limits;
import io.transferpool.storage.Storage;
import io.transferpool.messaging.ExtractTask;
import io.transferpool.messaging.FeatureBatch.Split;
import io.transferpool.messaging.JobPlan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides what a checked job becomes and how its work is cut up. {@link #settle} turns the facts into the job as
 * accepted: the strategy ({@code "auto"} asks the {@link Advisor}), the cut and whether a fine-tune keeps the base's
 * classifier ({@link FineTuneCheck}), all within the pool's {@link Limits}; {@link #plan} splits an accepted job's
 * samples into shards of at most {@code shardSize} and makes the plan and the extract tasks.
 */
public final class JobPlanner {
    private final Storage storage;
    private final Limits limits;
    private final int extractBatch;
    private final int shardSize;

    /**
     * @param storage      where the samples are read from (the advisor decodes some)
     * @param extractBatch images per extraction batch (the extractors' tp.extract.batch-size), for the limits
     * @param shardSize    samples per extract task (tp.shard-size)
     */
    /** Files under {@code dataRoot} only. */
    public JobPlanner(Path dataRoot, Limits limits, int extractBatch, int shardSize) {
        this(Storage.local(dataRoot), limits, extractBatch, shardSize);
    }

    /**
     * @param storage      where the samples are read from (the advisor decodes some)
     * @param extractBatch images per extraction batch (the extractors' tp.extract.batch-size), for the limits
     * @param shardSize    samples per extract task (tp.shard-size)
     */
    public JobPlanner(Storage storage, Limits limits, int extractBatch, int shardSize) {
        if (shardSize < 1) {
            throw new IllegalArgumentException("shard size must be positive, got " + shardSize);
        }
        this.storage = storage;
        this.limits = limits;
        this.extractBatch = extractBatch;
        this.shardSize = shardSize;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * The job as accepted; a job with any error (in the facts or found here) is rejected with all of them. The
     * strategy and the cut are only settled for a job whose facts are in order; the limits are checked whatever
     * else is wrong, so a rejection lists those too.
     */
    public AcceptedJob settle(JobFacts facts) {
        List<FieldError> errors = new ArrayList<>(facts.errors());
        JobFacts.Model model = facts.model();
        JobSpec spec = facts.spec().withBaseModel(facts.spec().baseModel().checked(model.input(), model.sha256(),
                model.externalSha256()), facts.spec().fineTune());
        boolean measurable = model.parsed() != null && facts.train() != null && errors.isEmpty();
        Advice advice = null;
        if (spec.strategy() == JobSpec.Strategy.AUTO && measurable) {
            try {
                // half the validation limit: listing and checking the images took part of it already
                JobSpec.BaseModel b = spec.baseModel();
                advice = new Advisor(limits.validationTimeout().dividedBy(2)).advise(spec.withBaseModel(
                        new JobSpec.BaseModel(b.uri(), b.input(), b.cut(), b.sha256(), null, b.externalSha256()),
                        spec.fineTune()), model.parsed(), model.input(), facts.train(), storage);
                spec = AutoStrategy.apply(spec, advice);
            } catch (JobRejectedException e) {
                errors.addAll(e.errors());
            } catch (Exception e) {
                errors.add(new FieldError("strategy", "the advisor could not measure the data: " + e));
            }
        }
        if (spec.strategy() == JobSpec.Strategy.FINE_TUNE && measurable && errors.isEmpty()) {
            FineTuneCheck.Settled s = FineTuneCheck.check(model.parsed(), model.shapes(), spec,
                    facts.train().classes().size(), errors);
            if (s != null) {
                spec = keepingBaseClassifier(spec.withBaseModel(spec.baseModel().withCut(s.cut()),
                        spec.fineTune()), s.keepBaseClassifier());
            }
        }
        LimitCheck.check(spec, facts.train(), facts.test(), model.shapes(), limits, extractBatch, errors);
        if (!errors.isEmpty()) {
            throw new JobRejectedException(errors);
        }
        return new AcceptedJob(spec, model.path(), model.sha256(), facts.train(), facts.test(), advice);
    }

    /** The fine-tune's decision about the base's classifier, for the job and each candidate of its sweep. */
    private static JobSpec keepingBaseClassifier(JobSpec spec, boolean keep) {
        return spec.withBaseModel(spec.baseModel(), spec.fineTune().withKeepBaseClassifier(keep))
                .withSweep(spec.sweep().stream().map(c -> new JobSpec.Candidate(c.values(), c.head(), c.training(),
                        c.fineTune() == null ? null : c.fineTune().withKeepBaseClassifier(keep))).toList());
    }

    public record Planned(JobPlan plan, List<ExtractTask> tasks) {
    }

    /** A plan whose features are not kept. */
    public Planned plan(AcceptedJob job, JobPlan.Submission submission) {
        return plan(job, submission, JobPlan.KeptFeatures.NONE);
    }

    /**
     * @param submission which submission and run of the job id this is
     * @param features   whether its features are kept, and whether kept ones serve it (then: no extract tasks)
     */
    public Planned plan(AcceptedJob job, JobPlan.Submission submission, JobPlan.KeptFeatures features) {
        int run = submission.run();
        List<ExtractTask> tasks = new ArrayList<>();
        int trainShards = 0;
        if (!features.reused()) {
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

    private List<ExtractTask> tasks(AcceptedJob job, Split split, Dataset ds, int run) {
        List<Sample> samples = ds.samples();
        int count = Math.max(1, (samples.size() + shardSize - 1) / shardSize);
        List<ExtractTask> out = new ArrayList<>(count);
        var bm = job.spec().baseModel();
        for (int shard = 0; shard < count; shard++) {
            List<Sample> part = samples.subList(Math.min(samples.size(), shard * shardSize),
                    Math.min(samples.size(), (shard + 1) * shardSize));
            out.add(new ExtractTask(job.spec().jobId(), split, shard, count, job.modelPath(), job.modelSha256(),
                    bm.input(), job.spec().extractAt(), job.spec().preprocess(), List.copyOf(part), run,
                    bm.externalSha256(), job.spec().owner()));
        }
        return out;
    }
}
