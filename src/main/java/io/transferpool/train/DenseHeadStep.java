package io.transferpool.train;

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
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
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
 * temporaries. Every array a step touches is allocated once per batch size ('f' order, as BLAS wants it): the
 * forward and backward GEMMs write into them, the gradients go into the network's own flattened gradient view,
 * and each of DL4J's updater blocks (Nesterov, Adam, their schedules and state) turns them into the step
 * ({@link HostUpdate}, or DL4J's own updater for optimizers it does not know). Fresh native
 * arrays cost milliseconds each in page faults, several times the arithmetic of a step (../shared/STACK-NOTES.md).
 * The parameters, updater state and iteration count stay DL4J's, so the saved model, checkpoints and the ONNX
 * export are those of a network trained by {@code fit}. Used by the training thread only.
 */
final class DenseHeadStep {
    /** DL4J's own clipping of softmax outputs before the log in its score. */
    private static final double CLIP = 1e-10;

    /** A layer's weights and bias, and their gradients, as views of DL4J's flat arrays (bias as a 1 x n row). */
    private record Dense(INDArray w, INDArray b, INDArray dw, INDArray db, IActivation activation) {
        long nIn() {
            return w.size(0);
        }

        long nOut() {
            return w.size(1);
        }
    }

    private final MultiLayerNetwork net;
    private final List<Dense> layers;
    private final double keep;
    private final List<BlockUpdate> updates = new ArrayList<>();
    // Buffers for the usual batch size and for the epoch's last, smaller batch: at most two sizes in an epoch.
    private Buffers full;
    private Buffers tail;

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
    static Optional<DenseHeadStep> of(MultiLayerNetwork net) {
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
            if (w == null || b == null || dw == null || db == null || w.ordering() != 'f' || dw.ordering() != 'f') {
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
    Network.Step fit(Rows rows, int[] order, int from, int to) {
        int n = to - from;
        Buffers buf = buffers(n, rows.classes());
        buf.load(rows, order, from, to);
        int iteration = net.getIterationCount();
        int epoch = net.getEpochCount();

        // Forward: a_l = act(a_{l-1} W_l + b_l); the output layer's input dropped out as DL4J does (same op, same
        // random stream), then softmax.
        INDArray in = buf.x;
        int last = layers.size() - 1;
        for (int l = 0; l < last; l++) {
            Dense d = layers.get(l);
            Nd4j.gemm(in, d.w, buf.z[l], false, false, 1.0, 0.0);
            Nd4j.gemm(buf.onesColumn, d.b, buf.z[l], false, false, 1.0, 1.0); // + b on every row
            activate(d.activation, buf.z[l], buf.a[l]);
            in = buf.a[l];
        }
        if (keep < 1.0) {
            buf.mask.assign(1.0);
            Nd4j.getExecutioner().exec(new DropOutInverted(buf.mask, buf.mask, keep));
            Nd4j.getExecutioner().exec(new MulOp(in, buf.mask, buf.dropped));
            in = buf.dropped;
        }
        Dense out = layers.get(last);
        Nd4j.gemm(in, out.w, buf.logits, false, false, 1.0, 0.0);
        Nd4j.gemm(buf.onesColumn, out.b, buf.logits, false, false, 1.0, 1.0);
        Nd4j.exec(new SoftMax(buf.logits, buf.logits, 1));

        // Loss, right answers and the output's delta (p - y) / n, on the host: n x classes values.
        buf.logits.data().asNioFloat().get(buf.probs, 0, n * buf.classes);
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < n; i++) {
            int label = buf.labels[i];
            loss -= Math.log(Math.min(1 - CLIP, Math.max(CLIP, buf.probs[label * n + i])));
            int best = 0;
            float bestP = -1f;
            for (int k = 0; k < buf.classes; k++) {
                float p = buf.probs[k * n + i];
                if (p > bestP) {
                    best = k;
                    bestP = p;
                }
                buf.probs[k * n + i] = (p - (k == label ? 1f : 0f)) / n;
            }
            correct += best == label ? 1 : 0;
        }
        buf.logits.data().asNioFloat().put(buf.probs, 0, n * buf.classes);

        // Backward: dW_l = a_{l-1}^T delta_l, db_l = column sums of delta_l, delta_{l-1} = act'(z) * delta_l W_l^T.
        INDArray delta = buf.logits;
        for (int l = last; l >= 0; l--) {
            Dense d = layers.get(l);
            INDArray input = l == 0 ? buf.x : l == last && keep < 1.0 ? buf.dropped : buf.a[l - 1];
            Nd4j.gemm(input, delta, d.dw, true, false, 1.0, 0.0);
            Nd4j.gemm(buf.onesRow, delta, d.db, false, false, 1.0, 0.0); // column sums
            if (l > 0) {
                INDArray eps = buf.eps[l - 1];
                Nd4j.gemm(delta, d.w, eps, false, true, 1.0, 0.0);
                if (l == last && keep < 1.0) {
                    eps.muli(buf.mask);
                }
                derivative(layers.get(l - 1).activation, buf.z[l - 1], eps);
                delta = eps;
            }
        }

        // The optimizer (DL4J's own updater blocks and state) turns the gradient, already a mean over the batch as
        // DL4J's division by the minibatch size makes it, into the step.
        for (BlockUpdate u : updates) {
            u.apply(iteration, epoch);
        }
        net.setIterationCount(iteration + 1);
        return new Network.Step(loss / n, correct);
    }

    private static void activate(IActivation a, INDArray z, INDArray out) {
        if (a instanceof ActivationReLU) {
            Nd4j.exec(new RectifiedLinear(z, out, 0.0));
        } else if (a instanceof ActivationTanH) {
            Nd4j.exec(new Tanh(z, out));
        } else {
            Nd4j.exec(new Sigmoid(z, out));
        }
    }

    /** eps := eps * act'(z), in place. */
    private static void derivative(IActivation a, INDArray z, INDArray eps) {
        if (a instanceof ActivationReLU) {
            Nd4j.exec(new RectifiedLinearDerivative(z, eps, eps, 0.0));
        } else if (a instanceof ActivationTanH) {
            Nd4j.exec(new TanhDerivative(z, eps, eps));
        } else {
            Nd4j.exec(new SigmoidDerivative(z, eps, eps));
        }
    }

    private Buffers buffers(int n, int classes) {
        if (full == null) {
            full = new Buffers(n, classes);
        }
        if (full.n == n) {
            return full;
        }
        if (tail == null || tail.n != n) {
            tail = new Buffers(n, classes);
        }
        return tail;
    }

    /** The arrays of one batch size: inputs, pre-activations, activations, deltas, all 'f' order. */
    private final class Buffers {
        final int n;
        final int classes;
        final INDArray x;
        final INDArray[] z;
        final INDArray[] a;
        final INDArray[] eps;
        final INDArray mask;
        final INDArray dropped;
        final INDArray logits;
        final INDArray onesColumn;
        final INDArray onesRow;
        final float[] host;
        final float[] row;
        final float[] probs;
        final int[] labels;

        Buffers(int n, int classes) {
            this.n = n;
            this.classes = classes;
            int d = (int) layers.get(0).nIn();
            int hidden = layers.size() - 1;
            x = Nd4j.create(DataType.FLOAT, new long[]{n, d}, 'f');
            z = new INDArray[hidden];
            a = new INDArray[hidden];
            eps = new INDArray[hidden];
            for (int l = 0; l < hidden; l++) {
                long[] shape = {n, layers.get(l).nOut()};
                z[l] = Nd4j.create(DataType.FLOAT, shape, 'f');
                a[l] = Nd4j.create(DataType.FLOAT, shape, 'f');
                eps[l] = Nd4j.create(DataType.FLOAT, shape, 'f');
            }
            long[] outIn = {n, layers.get(hidden).nIn()};
            // 'c' order as DL4J's own activations: the random stream fills the mask in memory order, so the same
            // seed drops the same units as DL4J's fit would.
            mask = keep < 1.0 ? Nd4j.create(DataType.FLOAT, outIn, 'c') : null;
            dropped = keep < 1.0 ? Nd4j.create(DataType.FLOAT, outIn, 'f') : null;
            logits = Nd4j.create(DataType.FLOAT, new long[]{n, classes}, 'f');
            onesColumn = Nd4j.ones(DataType.FLOAT, n, 1);
            onesRow = Nd4j.ones(DataType.FLOAT, 1, n);
            host = new float[n * d];
            row = new float[d];
            probs = new float[n * classes];
            labels = new int[n];
        }

        /** Copies the batch's rows into {@link #x} (column-major, as the 'f' array holds them) and its labels. */
        void load(Rows rows, int[] order, int from, int to) {
            int d = row.length;
            for (int i = 0; i < n; i++) {
                int index = rows.indices()[order[from + i]];
                rows.store().read(index, row, 0);
                labels[i] = rows.store().label(index);
                for (int j = 0, p = i; j < d; j++, p += n) {
                    host[p] = row[j];
                }
            }
            FloatBuffer target = x.data().asNioFloat();
            target.put(host, 0, n * d);
        }
    }
}
