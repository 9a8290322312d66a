package io.transferpool.learning;

import io.transferpool.features.Rows;
import io.transferpool.job.JobResult;
import io.transferpool.job.JobSpec;
import io.transferpool.model.OnnxModel;
import io.transferpool.translate.OnnxTranslator;
import io.transferpool.translate.Translation;
import io.transferpool.translate.TranslationCheck;
import io.transferpool.translate.TranslationOptions;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The seed's method 2: the base from the freeze boundary to the head, translated to DL4J with its pretrained
 * weights (checked against ONNX Runtime first), trained again at the pretrained layers' learning rate together
 * with either the base's own classifier or a new head (the job's optimizer rate).
 */
public final class FineTuner {

    /** The translated network does not reproduce ONNX Runtime; the message names the first tensor that differs. */
    public static final class MismatchException extends Exception {
        MismatchException(String message) {
            super(message);
        }
    }

    /**
     * A fine-tuned network, the translation it came from, and how training went; {@code stages} lists the warm-up
     * and the fine-tune when the head was first trained alone (else null).
     */
    public record Result(Trained trained, Translation translation, ComputationGraph graph,
                         List<JobResult.Stage> stages) {
    }

    public Result train(OnnxModel model, JobSpec spec, int classes, Rows train, Rows validation,
                        EpochListener listener) throws Exception {
        return train(model, spec, classes, train, validation, listener, Checkpoints.NONE);
    }

    /**
     * Trains the network, first the new head alone when the job warms up (see {@link HeadWarmup}), then
     * everything after the boundary; the job keeps the fine-tune's best epoch only if it gets significantly more
     * validation images right than the warm-up ({@link StageChoice}), else the warm-up's (without validation data:
     * the better of the two by the checkpoint monitor). Only
     * the second stage saves checkpoints: a trainer resuming it trains the (seeded, quick) warm-up again, quietly.
     */
    public Result train(OnnxModel model, JobSpec spec, int classes, Rows train, Rows validation,
                        EpochListener listener, Checkpoints checkpoints) throws Exception {
        Result built = build(model, spec, classes);
        Network.Graph net = new Network.Graph(built.graph(), built.translation().inputShapes().get(0));
        if (!spec.fineTune().warmsUp()) {
            return new Result(EpochLoop.train(net, train, validation, spec.training(), listener, checkpoints),
                    built.translation(), built.graph(), null);
        }
        boolean resuming = checkpoints.hasSaved();
        Translation t = built.translation();
        // nothing between boundary and cut (the head right at the boundary): the rows are the head's inputs
        HeadWarmup.FrozenPart frozen = t.inputs().get(0).equals(t.output()) ? null
                : new HeadWarmup.FrozenPart(model, t.inputs().get(0), t.inputShapes().get(0), t.output());
        Trained warm = HeadWarmup.train(net, t.outputVertex(), frozen, train, validation, spec,
                resuming ? listener.quiet() : listener);
        if (resuming) {
            listener.resumed(warm.epochs());
        }
        INDArray warmParams = net.params().dup();
        boolean[] warmRight = validation.size() == 0 ? null
                : StageChoice.right(EpochLoop.predict(net, validation), validation.labels(), classes);
        int offset = warm.epochs().size();
        Trained fine = EpochLoop.train(net, train, validation, spec.training(), listener.offsetBy(offset),
                checkpoints);
        boolean warmBest;
        if (warmRight != null) {
            // the warm-up (method 1) unless the fine-tune gets significantly more validation images right
            warmBest = !StageChoice.keepFineTune(StageChoice.right(EpochLoop.predict(net, validation),
                    validation.labels(), classes), warmRight);
        } else {
            JobSpec.Checkpoint cp = spec.training().checkpoint();
            warmBest = !EpochLoop.improved(EpochLoop.value(cp.monitor(), best(fine)),
                    EpochLoop.value(cp.monitor(), best(warm)), cp.mode());
        }
        if (warmBest) {
            net.setParams(warmParams);
        }
        List<JobResult.EpochMetrics> epochs = new ArrayList<>(warm.epochs());
        fine.epochs().forEach(m -> epochs.add(EpochListener.shifted(m, offset)));
        double seconds = warm.seconds() + fine.seconds();
        double samples = warm.samplesPerSecond() * warm.seconds() + fine.samplesPerSecond() * fine.seconds();
        Trained both = new Trained(net, List.copyOf(epochs), warmBest ? warm.bestEpoch() : fine.bestEpoch() + offset,
                fine.stopReason(), seconds, samples / seconds,
                fine.resumedFromEpoch() > 0 ? fine.resumedFromEpoch() + offset : 0);
        List<JobResult.Stage> stages = List.of(
                new JobResult.Stage("warmup", 1, offset, warm.bestEpoch(), spec.fineTune().warmupLearningRate(), 0,
                        warm.stopReason(), warm.seconds(), warmBest),
                new JobResult.Stage("fine-tune", offset + 1, epochs.size(), fine.bestEpoch() + offset,
                        spec.training().optimizer().learningRate(), spec.fineTune().baseLearningRate(),
                        fine.stopReason(), fine.seconds(), !warmBest));
        return new Result(both, built.translation(), built.graph(), stages);
    }

    private static JobResult.EpochMetrics best(Trained t) {
        return t.epochs().stream().filter(m -> m.epoch() == t.bestEpoch()).findFirst().orElseThrow();
    }

    /**
     * The untrained network: the part after the boundary translated (and checked against ONNX Runtime) plus the
     * head, with the job's updaters. {@code trained} of the result is null.
     */
    public Result build(OnnxModel model, JobSpec spec, int classes) throws Exception {
        return build(model, spec, classes, CACHED_COLUMNS_BYTES);
    }

    /** @param columnBudget the most a step's cached im2col columns may take for convolutions to cache them */
    Result build(OnnxModel model, JobSpec spec, int classes, long columnBudget) throws Exception {
        JobSpec.FineTune ft = spec.fineTune();
        String boundary = spec.baseModel().freezeAt();
        Translation t = OnnxTranslator.translate(model, List.of(boundary), spec.baseModel().cut(),
                new TranslationOptions(ft.batchNorm() == JobSpec.BatchNorm.UPDATE));
        TranslationCheck.Report check = TranslationCheck.run(model, t, spec.training().seed(), 4);
        if (!check.passed()) {
            throw new MismatchException(String.format("the DL4J translation of the layers after %s differs from "
                            + "ONNX Runtime first at tensor \"%s\" (relative error %.2e, limit %.0e)", boundary,
                    check.firstDiffering(), check.errors().get(check.firstDiffering()), TranslationCheck.TOLERANCE));
        }
        JobSpec.Training tr = spec.training();
        NeuralNetConfiguration.Builder conf = new NeuralNetConfiguration.Builder().seed(tr.seed())
                .dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER_UNIFORM)
                .updater(HeadLayers.updater(tr.optimizer()));
        boolean keep = Boolean.TRUE.equals(ft.keepBaseClassifier());
        Translation.HeadAppender head = (b, from, shape) -> keep ? keepClassifier(b, from)
                : newHead(b, from, shape, classes, spec.head());
        IUpdater baseUpdater = HeadLayers.updater(tr.optimizer(), ft.baseLearningRate());
        // CacheMode.HOST: each convolution keeps its im2col columns from the forward pass for its backward pass
        // instead of making them again; libnd4j's im2col takes 8.6 ms for a batch of 64 of 64x7x7 here, more than
        // the layer's GEMM (2.2 ms). Only while the columns of a whole step fit in CACHED_COLUMNS_BYTES (off-heap
        // memory). The layers read the mode from their configuration (setting it on a built graph does not take),
        // so it is decided on a configuration first and the graph is built once.
        if (cachedColumnBytes(t.configuration(conf, baseUpdater, head), t.inputShapes().get(0), tr.batchSize())
                <= columnBudget) {
            conf.cacheMode(CacheMode.HOST);
        }
        return new Result(null, t, t.build(conf, baseUpdater, head), null);
    }

    /** The most memory a training step's cached im2col columns may take for convolutions to cache them. */
    static final long CACHED_COLUMNS_BYTES = 512L << 20;

    /** Bytes of im2col columns the graph's convolutions would keep for one training step of {@code batch}. */
    static long cachedColumnBytes(ComputationGraphConfiguration conf, long[] inputShape, int batch) {
        var types = conf.getLayerActivationTypes(Translation.inputType(inputShape));
        long total = 0;
        for (var v : conf.getVertices().entrySet()) {
            if (v.getValue() instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
                    && lv.getLayerConf().getLayer() instanceof ConvolutionLayer c
                    && types.get(v.getKey()) instanceof InputType.InputTypeConvolutional out) {
                int[] k = c.getKernelSize();
                total += (long) batch * out.getHeight() * out.getWidth() * c.getNIn() * k[0] * k[1] * Float.BYTES;
            }
        }
        return total;
    }

    private static String keepClassifier(
            org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder b, String from) {
        b.addLayer(HeadLayers.PREFIX + "loss", new LossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .activation(Activation.SOFTMAX).build(), from);
        return HeadLayers.PREFIX + "loss";
    }

    private static String newHead(org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder b,
                                  String from, long[] shape, int classes, JobSpec.Head head) {
        List<org.deeplearning4j.nn.conf.layers.Layer> layers = HeadLayers.of(
                Arrays.stream(shape).skip(1).reduce(1, (x, y) -> x * y), classes, head);
        String x = from;
        for (int i = 0; i < layers.size(); i++) {
            String name = HeadLayers.name(i, layers.size());
            b.addLayer(name, layers.get(i), x);
            x = name;
        }
        return x;
    }
}
