package io.transferpool.kernels;

import io.transferpool.features.Rows;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.SigmoidDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.TanhDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.api.ops.random.impl.DropOutInverted;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One training step of a dense head (Dense layers, then a softmax output with cross-entropy), computed in place on
 * the {@link MultiLayerNetwork}'s own parameters: the same mathematics as {@code MultiLayerNetwork.fit}, without its
 * temporaries. Every array a step touches is allocated once per batch size ({@link StepBuffers}): the GEMMs run
 * natively into them, the element-wise work between them (bias, ReLU and its derivative, softmax and loss, bias
 * gradients) runs on heap copies ({@link DenseKernels}), the gradients go into the network's own flattened gradient
 * view, and each of DL4J's updater blocks (Nesterov, Adam, their schedules and state) turns them into the step
 * ({@link HostUpdate}, or DL4J's own updater for optimizers it does not know). Fresh native
 * arrays cost milliseconds each in page faults, several times the arithmetic of a step (../shared/STACK-NOTES.md).
 * The parameters, updater state and iteration count stay DL4J's, so the saved model, checkpoints and the ONNX
 * export are those of a network trained by {@code fit}. Used by the training thread only.
 */
public final class DenseHeadStep {
    /** DL4J's own clipping of softmax outputs before the log in its score. */
    private static final double CLIP = 1e-10;

    /** A layer's weights and bias, and their gradients, as views of DL4J's flat arrays (bias as a 1 x n row). */
    private record Dense(INDArray w, INDArray b, INDArray dw, INDArray db, IActivation activation,
                         FloatBuffer bData, FloatBuffer dbData) {
        Dense(INDArray w, INDArray b, INDArray dw, INDArray db, IActivation activation) {
            this(w, b, dw, db, activation, NativeFloats.of(b), NativeFloats.of(db));
        }

        int nIn() {
            return (int) w.size(0);
        }

        int nOut() {
            return (int) w.size(1);
        }

        boolean relu() {
            return activation instanceof ActivationReLU;
        }
    }

    private final MultiLayerNetwork net;
    private final List<Dense> layers;
    private final double keep;
    private final List<BlockUpdate> updates = new ArrayList<>();
    // Buffers for the usual batch size and for the epoch's last, smaller batch: at most two sizes in an epoch.
    private StepBuffers full;
    private StepBuffers tail;

    private DenseHeadStep(MultiLayerNetwork net, List<Dense> layers, double keep) {
        this.net = net;
        this.layers = layers;
        this.keep = keep;
        INDArray params = net.params().reshape(net.params().length());
        INDArray gradients = net.getGradientsViewArray().reshape(net.params().length());
        for (UpdaterBlock block : ((MultiLayerUpdater) net.getUpdater(true)).getUpdaterBlocks()) {
            updates.add(HostUpdate.of(block, params, gradients).orElseGet(() -> dl4j(block, params, gradients)));
        }
    }

    /** The update of one of DL4J's updater blocks (parameters with the same optimizer) and the step it takes. */
    interface BlockUpdate {
        void apply(int iteration, int epoch);
    }

    /** DL4J's own updater applied in place to the block's gradients, then {@code params -= update} as its SGD does. */
    private static BlockUpdate dl4j(UpdaterBlock block, INDArray params, INDArray gradients) {
        var range = NDArrayIndex.interval(block.getParamOffsetStart(), block.getParamOffsetEnd());
        INDArray p = params.get(range);
        INDArray g = gradients.get(range);
        return (iteration, epoch) -> {
            block.getGradientUpdater().applyUpdater(g, iteration, epoch);
            p.subi(g);
        };
    }

    /**
     * The in-place step for a network of dense layers (relu, tanh or sigmoid, with biases) and a softmax
     * cross-entropy output layer, float, with no regularization, noise, constraints or gradient normalization,
     * dropout only on the output layer's input; empty for any other network (it trains with DL4J's own fit).
     */
    public static Optional<DenseHeadStep> of(MultiLayerNetwork net) {
        if (net.getLayerWiseConfigurations().getDataType() != DataType.FLOAT || net.params().dataType() != DataType.FLOAT
                || !net.getLayerWiseConfigurations().getConf(0).isMiniBatch()) {
            return Optional.empty();
        }
        if (net.getGradientsViewArray() == null) {
            net.initGradientsView();
        }
        List<Dense> layers = new ArrayList<>();
        double keep = 1.0;
        int n = net.getnLayers();
        for (int i = 0; i < n; i++) {
            Layer layer = net.getLayer(i);
            var conf = layer.conf().getLayer();
            boolean last = i == n - 1;
            if (!(conf instanceof BaseLayer base) || !plain(base)) {
                return Optional.empty();
            }
            IActivation act = base.getActivationFn();
            if (last) {
                if (conf.getClass() != OutputLayer.class || !(act instanceof ActivationSoftmax)
                        || !(((OutputLayer) conf).getLossFn() instanceof LossMCXENT loss) || loss.getWeights() != null) {
                    return Optional.empty();
                }
                IDropout d = conf.getIDropout();
                if (d != null) {
                    if (d.getClass() != Dropout.class || ((Dropout) d).getPSchedule() != null) {
                        return Optional.empty();
                    }
                    keep = ((Dropout) d).getP();
                }
            } else if (conf.getClass() != DenseLayer.class || conf.getIDropout() != null || !hidden(act)
                    || ((DenseLayer) conf).hasLayerNorm()) {
                return Optional.empty();
            }
            var grads = DefaultParamInitializer.getInstance().getGradientsFromFlattened(layer.conf(),
                    layer.getGradientsViewArray());
            INDArray w = layer.getParam(DefaultParamInitializer.WEIGHT_KEY);
            INDArray b = layer.getParam(DefaultParamInitializer.BIAS_KEY);
            INDArray dw = grads.get(DefaultParamInitializer.WEIGHT_KEY);
            INDArray db = grads.get(DefaultParamInitializer.BIAS_KEY);
            if (w == null || b == null || dw == null || db == null || w.ordering() != 'f' || dw.ordering() != 'f'
                    || !Gemm.takes(w) || !Gemm.takes(dw)
                    || NativeFloats.of(b, b.length()) == null || NativeFloats.of(db, db.length()) == null) {
                return Optional.empty();
            }
            layers.add(new Dense(w, b.reshape('f', 1, b.length()), dw, db.reshape('f', 1, db.length()), act));
        }
        return Optional.of(new DenseHeadStep(net, List.copyOf(layers), keep));
    }

    private static boolean plain(BaseLayer l) {
        return l.getRegularization().isEmpty() && l.getRegularizationBias().isEmpty() && l.getWeightNoise() == null
                && l.getConstraints() == null && (l.getGradientNormalization() == null
                || l.getGradientNormalization() == org.deeplearning4j.nn.conf.GradientNormalization.None);
    }

    private static boolean hidden(IActivation a) {
        if (a instanceof ActivationReLU r) {
            return r.getMax() == null && r.getThreshold() == null && r.getNegativeSlope() == null;
        }
        return a instanceof ActivationTanH || a instanceof ActivationSigmoid;
    }

    /** Trains on rows {@code order[from..to)} of {@code rows}: one update, DL4J's iteration count advanced by one. */
    public BatchStep fit(Rows rows, int[] order, int from, int to) {
        int n = to - from;
        StepBuffers buf = buffers(n, rows.classes());
        buf.load(rows, order, from, to);
        int iteration = net.getIterationCount();
        int epoch = net.getEpochCount();

        // Forward: a_l = act(a_{l-1} W_l + b_l), the GEMM native, bias and ReLU on the heap copy (other activations
        // as libnd4j's ops); the output layer's input dropped out as DL4J does (same op, same random stream).
        INDArray in = buf.x;
        int last = layers.size() - 1;
        for (int l = 0; l < last; l++) {
            Dense d = layers.get(l);
            int cells = n * d.nOut();
            float[] z = buf.zHost[l];
            Gemm.gemm(in, false, d.w, false, buf.z[l], 1.0, 0.0);
            buf.zData[l].get(0, z, 0, cells);
            d.bData.get(0, buf.bias, 0, d.nOut());
            DenseKernels.addBias(z, buf.bias, n, d.nOut());
            if (d.relu()) {
                DenseKernels.relu(z, buf.act, cells);
                buf.aData[l].put(0, buf.act, 0, cells);
            } else {
                buf.zData[l].put(0, z, 0, cells);
                activate(d.activation, buf.z[l], buf.a[l]);
            }
            in = buf.a[l];
        }
        if (keep < 1.0) {
            buf.mask.assign(1.0);
            Nd4j.getExecutioner().exec(new DropOutInverted(buf.mask, buf.mask, keep));
            Nd4j.getExecutioner().exec(new MulOp(in, buf.mask, buf.dropped));
            in = buf.dropped;
        }

        // Output: softmax, loss, right answers and the delta (p - y) / n on the host: n x classes values.
        Dense out = layers.get(last);
        int outCells = n * buf.classes;
        Gemm.gemm(in, false, out.w, false, buf.logits, 1.0, 0.0);
        buf.logitsData.get(0, buf.probs, 0, outCells);
        out.bData.get(0, buf.bias, 0, buf.classes);
        DenseKernels.addBias(buf.probs, buf.bias, n, buf.classes);
        double loss = DenseKernels.softmaxCrossEntropy(buf.probs, buf.labels, n, buf.classes, CLIP, buf.correct);
        buf.logitsData.put(0, buf.probs, 0, outCells);

        // Backward: dW_l = a_{l-1}^T delta_l, db_l = column sums of delta_l, delta_{l-1} = act'(z) * delta_l W_l^T.
        INDArray delta = buf.logits;
        float[] deltaHost = buf.probs;
        for (int l = last; l >= 0; l--) {
            Dense d = layers.get(l);
            INDArray input = l == 0 ? buf.x : l == last && keep < 1.0 ? buf.dropped : buf.a[l - 1];
            Gemm.gemm(input, true, delta, false, d.dw, 1.0, 0.0);
            DenseKernels.columnSums(deltaHost, n, d.nOut(), buf.bias);
            d.dbData.put(0, buf.bias, 0, d.nOut());
            if (l > 0) {
                Dense below = layers.get(l - 1);
                int cells = n * below.nOut();
                INDArray eps = buf.eps[l - 1];
                float[] e = buf.deltaHost[l - 1];
                Gemm.gemm(delta, false, d.w, true, eps, 1.0, 0.0);
                if (l == last && keep < 1.0) {
                    eps.muli(buf.mask);
                }
                if (below.relu()) {
                    buf.epsData[l - 1].get(0, e, 0, cells);
                    DenseKernels.reluDerivative(buf.zHost[l - 1], e, cells);
                    buf.epsData[l - 1].put(0, e, 0, cells);
                } else {
                    derivative(below.activation, buf.z[l - 1], eps);
                    buf.epsData[l - 1].get(0, e, 0, cells);
                }
                delta = eps;
                deltaHost = e;
            }
        }

        // The optimizer (DL4J's own updater blocks and state) turns the gradient, already a mean over the batch as
        // DL4J's division by the minibatch size makes it, into the step.
        for (BlockUpdate u : updates) {
            u.apply(iteration, epoch);
        }
        net.setIterationCount(iteration + 1);
        return new BatchStep(loss / n, buf.correct[0]);
    }

    /** tanh or sigmoid (ReLU runs on the heap copy). */
    private static void activate(IActivation a, INDArray z, INDArray out) {
        if (a instanceof ActivationTanH) {
            Nd4j.exec(new Tanh(z, out));
        } else {
            Nd4j.exec(new Sigmoid(z, out));
        }
    }

    /** eps := eps * act'(z), in place, for tanh or sigmoid. */
    private static void derivative(IActivation a, INDArray z, INDArray eps) {
        if (a instanceof ActivationTanH) {
            Nd4j.exec(new TanhDerivative(z, eps, eps));
        } else {
            Nd4j.exec(new SigmoidDerivative(z, eps, eps));
        }
    }

    private StepBuffers buffers(int n, int classes) {
        if (full == null) {
            full = new StepBuffers(n, widths(classes), keep);
        }
        if (full.n == n) {
            return full;
        }
        if (tail == null || tail.n != n) {
            tail = new StepBuffers(n, widths(classes), keep);
        }
        return tail;
    }

    private int[] widths(int classes) {
        int[] w = new int[layers.size() + 1];
        w[0] = layers.get(0).nIn();
        for (int l = 0; l < layers.size(); l++) {
            w[l + 1] = layers.get(l).nOut();
        }
        if (w[layers.size()] != classes) {
            throw new IllegalArgumentException("rows have " + classes + " classes, the head " + w[layers.size()]);
        }
        return w;
    }
}
