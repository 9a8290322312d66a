package io.transferpool.train;

import io.transferpool.model.StoredModel;
import io.transferpool.storage.Storage;
import io.transferpool.features.FeatureCache;
import io.transferpool.features.FeatureStore;
import io.transferpool.features.Rows;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobResult.Counts;
import io.transferpool.job.JobResult;
import io.transferpool.job.JobSpec;
import io.transferpool.learning.StratifiedSplit;
import io.transferpool.messaging.FeatureBatch.Split;
import io.transferpool.messaging.JobPlan;
import io.transferpool.model.ExternalData;
import io.transferpool.model.OnnxModel;
import io.transferpool.paths.PathResolver;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A complete job's rows made ready to train on, the first step of a {@link TrainingRun}: extraction errors and the
 * bad-sample budget checked, kept features loaded (or this job's kept for later jobs), the training rows in
 * sample-id order split into training and validation (stratified, with the job's seed), the test rows, and the base
 * model as accepted.
 *
 * @param labels         the label of every training row (before the split), in sample-id order
 * @param featureTimings seconds spent loading or keeping features
 */
record TrainingData(JobPlan plan, OnnxModel base, Rows train, Rows validation, Rows test, int[] labels,
                    Map<String, Double> featureTimings) {
    private static final Logger LOG = Logger.getLogger(TrainingData.class);

    /** Prepares the job's rows; a job that cannot train is {@link Refused} with its FAILED result. */
    static TrainingData prepare(JobAccumulator acc, FeatureCache features, FeatureCache handoffs, Storage storage)
            throws Refused,
            IOException {
        JobPlan plan = acc.plan();
        JobSpec spec = plan.spec();
        String jobId = spec.jobId();
        if (!acc.extractErrors().isEmpty()) {
            throw new Refused(JobResult.failed(jobId, acc.extractErrors().stream()
                    .map(e -> new FieldError("baseModel", "extraction failed: " + e)).toList(), null));
        }
        Map<String, Double> featureTimings = new LinkedHashMap<>();
        JobPlan.Handoff handoff = plan.handoff();
        if (handoff != null && handoff.features() != null) {
            // Gathered by another trainer, which wrote the rows to the artifacts volume before handing the job here.
            long tl = System.nanoTime();
            var handed = handoffs.load(handoff.features(), acc.store(Split.TRAIN), acc.store(Split.TEST));
            if (handed.isEmpty()) {
                throw Refused.failed(jobId, "features", "the features trainer " + handoff.from() + " handed over ("
                        + handoff.features() + ") are gone from the artifacts volume; submit the job again", null);
            }
            acc.handedOver(handed.get().badSamples());
            featureTimings.put("featuresLoadSeconds", (System.nanoTime() - tl) / 1e9);
        } else if (plan.features().reused()) {
            long tl = System.nanoTime();
            var kept = features.load(plan.features().key(), acc.store(Split.TRAIN), acc.store(Split.TEST));
            if (kept.isEmpty()) {
                throw Refused.failed(jobId, "data", "the features kept for this job's model, cut and data ("
                        + plan.features().key() + ") are gone: evicted or deleted after the job was planned; submit "
                        + "it again and it will extract them", null);
            }
            acc.reused(kept.get().badSamples());
            featureTimings.put("featuresLoadSeconds", (System.nanoTime() - tl) / 1e9);
        }
        FeatureStore trainStore = acc.store(Split.TRAIN);
        FeatureStore testStore = acc.store(Split.TEST);
        checkBadSamples(acc, trainStore, testStore);
        if (plan.features().key() != null && !plan.features().reused()) {
            long tk = System.nanoTime();
            try {
                features.keep(plan.features().key(), jobId, trainStore, testStore, acc.badSamples());
                featureTimings.put("featuresKeepSeconds", (System.nanoTime() - tk) / 1e9);
            } catch (IOException | RuntimeException e) {
                // Keeping is a saving for later jobs; this one trains all the same.
                LOG.warnf("Job %s: features not kept: %s", jobId, e.toString());
            }
        }
        int classes = plan.classes().size();
        // Rows arrive in whatever order shards finished; ordering by sample id makes the split and the training
        // order (so the whole result) depend only on the job and its seed.
        int[] byId = bySampleId(trainStore);
        int[] labels = new int[byId.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = trainStore.label(byId[i]);
        }
        StratifiedSplit split = StratifiedSplit.of(labels, classes, spec.data().validationSplit(),
                spec.training().seed());
        Rows train = new Rows(trainStore, pick(byId, split.train()), classes);
        Rows val = new Rows(trainStore, pick(byId, split.validation()), classes);
        Rows test = testStore.size() > 0 ? new Rows(testStore, bySampleId(testStore), classes) : null;
        // An extract job trains nothing: its features are the product, and the extractors checked the model's
        // digests when they loaded it (a ViT-B/16 base is 330 MB to read, from a bucket a download, for nothing).
        OnnxModel base = spec.strategy() == JobSpec.Strategy.EXTRACT ? null : acceptedBase(plan, storage);
        return new TrainingData(plan, base, train, val, test, labels, Map.copyOf(featureTimings));
    }

    /** The job fails when more of its samples were bad than it allows, or none of its training samples is left. */
    private static void checkBadSamples(JobAccumulator acc, FeatureStore train, FeatureStore test) throws Refused {
        JobPlan plan = acc.plan();
        String jobId = plan.spec().jobId();
        int planned = plan.train().samples() + plan.test().samples();
        int bad = acc.badSamples().size();
        JobResult.Metrics counted = new JobResult.Metrics(List.of(), null, null, null, new Counts(train.size(), 0,
                test.size(), train.dimension(), bad, JobResult.listed(acc.badSamples()), Map.of()), Map.of());
        double badFraction = planned == 0 ? 0 : (double) bad / planned;
        double allowed = plan.spec().data().maxBadSampleFraction();
        if (badFraction > allowed) {
            throw Refused.failed(jobId, "data", String.format("%d of %d samples (%.1f%%) could not be used, more "
                            + "than data.maxBadSampleFraction (%.1f%%); see metrics.counts.badSamples", bad, planned,
                    100 * badFraction, 100 * allowed), counted);
        }
        if (train.size() == 0) {
            throw Refused.failed(jobId, "data.train", "none of the " + plan.train().samples() + " training samples "
                    + "could be used; see metrics.counts.badSamples", counted);
        }
    }

    /** The base model, refused when it (or its external data) changed since the job was accepted. */
    private static OnnxModel acceptedBase(JobPlan plan, Storage storage) throws Refused, IOException {
        String jobId = plan.spec().jobId();
        OnnxModel base = StoredModel.load(storage, storage.locate(plan.model().path()));
        String pinned = plan.model().sha256();
        if (pinned != null && !pinned.equals(base.sha256())) {
            throw Refused.failed(jobId, "baseModel.uri", "the model file changed after the job was accepted: its "
                    + "SHA-256 is " + base.sha256() + ", the job pinned " + pinned, null);
        }
        String changed = ExternalData.mismatch(base.graph(), base.folder(), plan.spec().baseModel().externalSha256());
        if (changed != null) {
            throw Refused.failed(jobId, "baseModel.uri", changed, null);
        }
        return base;
    }

    /** Training rows per class name, before the validation split. */
    Map<String, Integer> perClass() {
        Map<String, Integer> out = new LinkedHashMap<>();
        int[] counts = new int[plan.classes().size()];
        for (int l : labels) {
            counts[l]++;
        }
        for (int c = 0; c < counts.length; c++) {
            out.put(plan.classes().get(c), counts[c]);
        }
        return out;
    }

    /** The rows the combined model is checked on: the test rows, else validation, else training. */
    Rows checkRows() {
        return test != null ? test : validation.size() > 0 ? validation : train;
    }

    static int[] bySampleId(FeatureStore store) {
        return IntStream.range(0, store.size()).boxed().sorted(Comparator.comparingInt(store::sampleId))
                .mapToInt(i -> i).toArray();
    }

    private static int[] pick(int[] rows, int[] positions) {
        int[] out = new int[positions.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows[positions[i]];
        }
        return out;
    }
}
