package io.transferpool.messaging;

import io.transferpool.job.Advice;
import io.transferpool.job.JobResult;
import io.transferpool.job.JobSpec;

import java.util.List;

/**
 * The first record of a job on {@code tp.features}: tells the trainer what to expect (the spec, the class names,
 * how many shards and samples of each split) before any feature batch arrives. Made with {@link #of} and the
 * {@code with...} methods; each part is a small record of its own.
 *
 * @param spec       the job as accepted (for {@code "strategy": "auto"}, the job the advisor chose)
 * @param model      the base model the extractors run
 * @param classes    the class names, in label order
 * @param train      the training split's shards and samples
 * @param test       the test split's (none: 0 and 0)
 * @param submission which submission and run of the job id this is
 * @param features   whether its features are kept for later jobs, or are such kept features
 * @param advice     what the advisor chose for a job with {@code "strategy": "auto"}, else null; the result carries
 *                   it
 * @param handoff    set when a busy trainer handed the job, gathered, to another (this plan then has no shards):
 *                   where its features are; null for a plan from a coordinator
 */
public record JobPlan(JobSpec spec, Model model, List<String> classes, Split train, Split test,
                      Submission submission, KeptFeatures features, Advice advice, Handoff handoff) {

    /**
     * A gathered job handed by a busy trainer to an idle one (README "Sharing the pool").
     *
     * @param from       the trainer that gathered it
     * @param features   the key of its features in the handoff folder of the artifacts volume
     * @param extraction the extraction timings the gathering trainer measured (the result's {@code timings})
     */
    public record Handoff(String from, String features, java.util.Map<String, Double> extraction) {
        public Handoff {
            extraction = java.util.Map.copyOf(extraction);
        }
    }

    /**
     * @param path   the model's path under the data root
     * @param sha256 its digest as accepted (a trainer refuses a file that changed since); null when unchecked
     */
    public record Model(String path, String sha256) {
    }

    /** One split's work: how many shards its samples were cut into. */
    public record Split(int shards, int samples) {
        public static final Split NONE = new Split(0, 0);
    }

    /**
     * @param id                which submission of the job this is (the job record's place on tp.jobs, e.g.
     *                          {@code tp.jobs-0@17-...}): a job id submitted again is another submission, with its
     *                          own checkpoints and result; null for a plan made outside a coordinator
     * @param run               which run of the job id (1 unless resubmitted with {@code "rerun": true}); the
     *                          plan's records are keyed by {@link Topics#runKey}
     * @param submittedAtMillis when the job was submitted
     * @param validationSeconds how long the coordinator took to check it
     */
    public record Submission(String id, int run, long submittedAtMillis, double validationSeconds) {
        public Submission {
            run = Math.max(1, run);
        }
    }

    /**
     * @param key    what the job's features depend on ({@link io.transferpool.features.FeatureKey}); null when
     *               features are not kept
     * @param reused the features kept under {@code key} are this job's: no shards, the trainer loads them
     */
    public record KeptFeatures(String key, boolean reused) {
        public static final KeptFeatures NONE = new KeptFeatures(null, false);
    }

    public JobPlan {
        classes = List.copyOf(classes);
        test = test == null ? Split.NONE : test;
        features = features == null ? KeptFeatures.NONE : features;
    }

    /** A plan whose features are not kept, with no advice. */
    public static JobPlan of(JobSpec spec, Model model, List<String> classes, Split train, Split test,
                             Submission submission) {
        return new JobPlan(spec, model, classes, train, test, submission, KeptFeatures.NONE, null, null);
    }

    /** {@code result} marked as this plan's answer: the submission and run it answers, the advice it was planned by. */
    public JobResult answer(JobResult result) {
        return result.withSubmission(submission.id(), run()).withAdvice(advice);
    }

    public JobPlan withFeatures(KeptFeatures kept) {
        return new JobPlan(spec, model, classes, train, test, submission, kept, advice, handoff);
    }

    public JobPlan withAdvice(Advice chosen) {
        return new JobPlan(spec, model, classes, train, test, submission, features, chosen, handoff);
    }

    /** This job, gathered, handed to another trainer: no shards to wait for, its features where {@code h} says. */
    public JobPlan handedOff(Handoff h) {
        return new JobPlan(spec, model, classes, new Split(0, train.samples()), new Split(0, test.samples()),
                submission, features, advice, h);
    }

    /** The run of the job id this plan is for. */
    public int run() {
        return submission.run();
    }

    /** The key of this run's records on tp.extract and tp.features. */
    public String key() {
        return Topics.runKey(spec.jobId(), run());
    }

    /** Shards of both splits. */
    public int shards() {
        return train.shards() + test.shards();
    }
}
