package io.transferpool.advice;

import io.transferpool.job.Advice;
import io.transferpool.job.JobSpec;

/**
 * Turns a job with {@code "strategy": "auto"} into the job the advice chose. A feature-extraction choice cuts
 * where the advice says and trains as the job says. A fine-tuning choice freezes where the advice says and
 * follows the seed: the new head is first warmed up at the job's own rate (a feature-extraction job's 1e-3 by
 * default), then everything after the boundary, head included, trains at the small rate
 * {@code fineTune.baseLearningRate} (1e-4 by default).
 */
public final class AutoStrategy {
    private AutoStrategy() {
    }

    public static JobSpec apply(JobSpec spec, Advice advice) {
        JobSpec.BaseModel at = spec.baseModel().withCut(advice.cut());
        if (advice.strategy().equals(JobSpec.Strategy.FEATURE_EXTRACTION.wire())) {
            return spec.withStrategy(JobSpec.Strategy.FEATURE_EXTRACTION).withBaseModel(at.withFreezeAt(null), null)
                    .withSweep(spec.sweep().stream().map(c -> new JobSpec.Candidate(c.values(), c.head(),
                            c.training(), null)).toList());
        }
        return spec.withStrategy(JobSpec.Strategy.FINE_TUNE)
                .withBaseModel(at.withFreezeAt(advice.freezeAt()), warmedAt(spec.fineTune(), spec.training()))
                .withTraining(small(spec.training(), spec.fineTune()))
                .withSweep(spec.sweep().stream().map(c -> new JobSpec.Candidate(c.values(), c.head(),
                        small(c.training(), c.fineTune()), warmedAt(c.fineTune(), c.training()))).toList());
    }

    private static JobSpec.Training small(JobSpec.Training t, JobSpec.FineTune ft) {
        return new JobSpec.Training(t.optimizer().withLearningRate(ft.baseLearningRate()), t.epochs(), t.batchSize(),
                t.earlyStopping(), t.checkpoint(), t.seed());
    }

    private static JobSpec.FineTune warmedAt(JobSpec.FineTune ft, JobSpec.Training t) {
        return new JobSpec.FineTune(ft.baseLearningRate(), ft.batchNorm(), ft.keepBaseClassifier(),
                ft.warmupEpochs(), t.optimizer().learningRate());
    }
}
