package io.transferpool.learning;

import io.transferpool.job.JobSpec;

/** Fine-tune jobs on the demo base as the coordinator settles them, for tests that train without a pool. */
public final class DemoFineTune {
    private DemoFineTune() {
    }

    /** The parsed job with what validation would fill in: the input, the cut at the flatten, no base classifier. */
    public static JobSpec settled(JobSpec parsed) {
        return new JobSpec(parsed.schemaVersion(), parsed.jobId(), parsed.strategy(),
                new JobSpec.BaseModel(parsed.baseModel().uri(), "input", "/flatten/Flatten_output_0", null,
                        parsed.baseModel().freezeAt()), parsed.data(), parsed.preprocess(), parsed.head(),
                parsed.training(), parsed.fineTune().withKeepBaseClassifier(false));
    }
}
