package io.transferpool.learning;

import io.transferpool.job.JobSpec;

import java.util.List;

/** Fine-tune jobs on the demo base as the coordinator settles them, for tests that train without a pool. */
public final class DemoFineTune {
    private DemoFineTune() {
    }

    /** The parsed job with what validation would fill in: the input, the cut at the flatten, no base classifier. */
    public static JobSpec settled(JobSpec parsed) {
        JobSpec.BaseModel settled = parsed.baseModel().checked("input", null, null)
                .withCut("/flatten/Flatten_output_0");
        return parsed.withBaseModel(settled, parsed.fineTune().withKeepBaseClassifier(false)).withSweep(List.of());
    }
}
