package io.transferpool.train;

import io.transferpool.storage.Storage;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.transferpool.data.Dataset;
import io.transferpool.data.DatasetLister;
import io.transferpool.data.Sample;
import io.transferpool.export.ArtifactStore;
import io.transferpool.features.FeatureStore;
import io.transferpool.features.NpyWriter;
import io.transferpool.job.JobRejectedException;
import io.transferpool.job.JobResult;
import io.transferpool.job.JobSpec;
import io.transferpool.messaging.JobPlan;
import io.transferpool.paths.PathResolver;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The output of a {@code strategy: "extract"} job: per split, {@code <split>.npy} (float32 [N, D], the rows in
 * the order of the data's listing, bad samples left out) and {@code <split>.jsonl} (one line per row, in the same
 * order: {@code ref}, {@code label}, {@code class}), in the folder {@code features/} of the job's artifacts. The
 * trainer holds rows by sample id only, so the data is listed again here to name them; a listing that no longer has
 * the planned number of samples (files added or removed since) fails the job rather than name rows wrongly.
 */
final class FeatureExport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FeatureExport() {
    }

    static JobResult.Artifact write(TrainingData data, Storage storage, ArtifactStore artifacts) throws Refused,
            IOException {
        JobPlan plan = data.plan();
        JobSpec spec = plan.spec();
        Path dir = Files.createDirectories(artifacts.dirFor(spec.jobId(), plan.run()).resolve("features"));
        split(dir, "train", list(storage, spec, "data.train", spec.data().train(), plan, plan.train().samples()),
                data.train().store(), plan.classes());
        if (spec.data().test() != null) {
            FeatureStore test = data.test() == null ? null : data.test().store();
            split(dir, "test", list(storage, spec, "data.test", spec.data().test(), plan, plan.test().samples()), test,
                    plan.classes());
        }
        return artifacts.putFolder(dir);
    }

    private static List<Sample> list(Storage storage, JobSpec spec, String field, JobSpec.Source source,
                                     JobPlan plan, int planned) throws Refused {
        Dataset ds;
        try {
            ds = DatasetLister.list(storage, field, source, plan.classes());
        } catch (JobRejectedException e) {
            throw Refused.failed(spec.jobId(), field, "cannot list the data again to name the rows: "
                    + e.getMessage(), null);
        }
        if (ds.samples().size() != planned) {
            throw Refused.failed(spec.jobId(), field, "has " + ds.samples().size() + " samples now, "
                    + planned + " when the job was planned: the data changed during the job; submit it again", null);
        }
        return ds.samples();
    }

    private static void split(Path dir, String name, List<Sample> samples, FeatureStore store, List<String> classes)
            throws IOException {
        int[] order = store == null ? new int[0] : TrainingData.bySampleId(store);
        if (store != null && store.size() > 0) {
            NpyWriter.write(dir.resolve(name + ".npy"), store, order);
        } else {
            Files.write(dir.resolve(name + ".npy"), NpyWriter.empty());
        }
        Path lines = dir.resolve(name + ".jsonl");
        Path tmp = lines.resolveSibling(name + ".jsonl.tmp");
        try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            for (int row : order) {
                Sample s = samples.get(store.sampleId(row));
                ObjectNode line = JSON.createObjectNode();
                line.put("ref", s.ref());
                line.put("label", s.label());
                line.put("class", classes.get(s.label()));
                out.write(JSON.writeValueAsString(line));
                out.write('\n');
            }
        }
        Files.move(tmp, lines, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
