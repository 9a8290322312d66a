package io.transferpool.export;

import ai.onnx.proto.OnnxMl;
import io.transferpool.features.Rows;
import io.transferpool.job.JobResult;
import io.transferpool.job.JobSpec;
import io.transferpool.learning.EpochLoop;
import io.transferpool.learning.Network;
import io.transferpool.model.OnnxModel;
import io.transferpool.translate.Translation;
import io.transferpool.translate.WeightWriteBack;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.ByteArrayOutputStream;
import java.util.function.Supplier;

/**
 * What a trained job leaves behind: one combined ONNX model (the frozen base prefix, the trained layers and the
 * head, ending in class probabilities) and the DL4J network. The combined model is first run in ONNX Runtime on
 * the trainer's own rows from the tensor the trainer was fed: only when it gives the trainer's class probabilities
 * (within {@value #TOLERANCE}) is anything written, so a published model predicts as the trainer did.
 */
public final class ModelExport {
    /** Largest difference in a class probability tolerated between DL4J and ONNX Runtime. */
    public static final double TOLERANCE = OnnxPredictionCheck.TOLERANCE;

    private final ArtifactStore artifacts;

    public ModelExport(ArtifactStore artifacts) {
        this.artifacts = artifacts;
    }

    /** The combined model gives other probabilities than the trainer: nothing is written. */
    public static final class MismatchException extends Exception {
        MismatchException(String message) {
            super(message);
        }
    }

    /** What was written, how closely the combined model matched the trainer, and how long the export took. */
    public record Exported(JobResult.Artifacts artifacts, double maxDifference, double seconds) {
    }

    /** The base up to its cut, then a new head's dense layers and a softmax. */
    public static OnnxMl.ModelProto combineHead(OnnxModel base, JobSpec spec, MultiLayerNetwork head) {
        return CombinedModelWriter.combine(base, spec.baseModel().cut(), HeadExport.layers(head, spec.head()),
                "transferpool job " + spec.jobId() + " base " + base.sha256());
    }

    /**
     * The base with the fine-tuned weights written back into its initializers, then either its own classifier
     * and a softmax (kept) or the new head.
     */
    public static OnnxMl.ModelProto combineFineTuned(OnnxModel base, JobSpec spec, int classes,
                                                     Translation translation, ComputationGraph graph) {
        OnnxModel updated = base.derive(WeightWriteBack.apply(base, translation, graph));
        String producer = "transferpool job " + spec.jobId() + " fine-tuned from " + base.sha256();
        return Boolean.TRUE.equals(spec.fineTune().keepBaseClassifier())
                ? CombinedModelWriter.withSoftmax(updated, spec.baseModel().cut(), classes, producer)
                : CombinedModelWriter.combine(updated, spec.baseModel().cut(), HeadExport.layers(graph, spec.head()),
                producer);
    }

    /**
     * Makes the combined model, checks it against the trainer's class probabilities on {@code rows} (fed at the
     * job's cut or freeze boundary, of shape {@code fromShape}), then writes it and the network for run
     * {@code run} of the job.
     *
     * @param base     the base model (its folder holds the external data the combined model still refers to)
     * @param expected the network's probabilities on {@code rows} when already known, else null
     */
    public Exported write(JobSpec spec, int run, OnnxModel base, Network network,
                          Supplier<OnnxMl.ModelProto> combine, long[] fromShape, Rows rows, float[] expected)
            throws Exception {
        long t0 = System.nanoTime();
        float[] probabilities = expected != null ? expected : EpochLoop.predict(network, rows);
        OnnxMl.ModelProto combined = combine.get();
        double diff = OnnxPredictionCheck.maxDifference(base.derive(combined), spec.extractAt(), fromShape, rows,
                probabilities);
        if (diff > TOLERANCE) {
            throw new MismatchException(String.format("the combined ONNX model's predictions differ from the "
                    + "trainer's by %.2e (limit %.0e)", diff, TOLERANCE));
        }
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        network.save(zip);
        boolean fineTuned = spec.strategy() == JobSpec.Strategy.FINE_TUNE;
        JobResult.Artifact net = artifacts.put(spec.jobId(), run, fineTuned ? "network.dl4j.zip" : "head.dl4j.zip",
                StableZip.of(zip.toByteArray()));
        ArtifactStore.ModelArtifacts onnx = artifacts.putModel(spec.jobId(), run, "model.onnx", combined,
                base.folder());
        return new Exported(new JobResult.Artifacts(net, onnx.model(), onnx.data()), diff,
                (System.nanoTime() - t0) / 1e9);
    }
}
