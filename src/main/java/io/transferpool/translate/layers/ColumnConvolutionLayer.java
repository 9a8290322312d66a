package io.transferpool.translate.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link ColumnConvolution}'s layer: the forward pass makes its im2col columns in Java and multiplies them by the
 * weights; the backward pass computes the weight and bias gradients from the same columns and, unless the layer
 * reads the freeze boundary, the input gradient (columns' gradient, then col2im in Java; zeros at the boundary). The weight gradient is one GEMM, delta [out, N*H*W] times columns [N*H*W, in*kH*kW], into
 * the layer's gradient view read as [out, in*kH*kW] ('c' order, as DL4J keeps convolution weights).
 */
public class ColumnConvolutionLayer extends ConvolutionLayer {
    // Confined to the thread that trains the network, like the layer's other per-step state (input, dropout).
    private transient INDArray columnsOf;
    private transient INDArray columnsKept;

    public ColumnConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /**
     * The forward pass with im2col written in Java: libnd4j's im2col took 8.6 ms for a batch of 64 of the demo's
     * 64x7x7 boundary, this loop about 2 ms (two threads) for the same columns, in the same layout DL4J uses
     * ([N*outH*outW, in*kH*kW], rows in (image, y, x) order), so the GEMM and the backward pass are unchanged.
     * Only for NCHW with explicit padding (ConvolutionMode Truncate or Strict); anything else is DL4J's own.
     */
    @Override
    protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop, LayerWorkspaceMgr mgr) {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer c = layerConf();
        if (!ours()) {
            return super.preOutput(training, forBackprop, mgr);
        }
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, mgr);
        int out = (int) weights.size(0);
        ColumnLayout g = layout((int) weights.size(2), (int) weights.size(3));
        int row = g.in() * g.kh() * g.kw();
        long rows = (long) g.n() * g.oh() * g.ow();
        INDArray columns = training && input == columnsOf ? columnsKept
                : outsideWorkspaces(g.toColumns(input.dup('c').data().asFloat()), rows, row);
        // A training step's forward pass keeps its columns for the backward pass (same input, same thread); the
        // array is off the workspaces, so it may outlive the forward pass, and is let go after the backward pass.
        columnsOf = training ? input : null;
        columnsKept = training ? columns : null;
        INDArray z = mgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, new long[]{rows, out}, 'c');
        Nd4j.gemm(columns, weights.reshape('c', out, row), z, false, true, 1.0, 0.0);
        if (c.hasBias()) {
            z.addiRowVector(getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, mgr));
        }
        INDArray z4 = z.reshape('c', g.n(), g.oh(), g.ow(), out).permute(0, 3, 1, 2);
        return new Pair<>(z4, forBackprop ? columns : null);
    }

    /** NCHW float input with explicit padding: what this layer's own columns handle; else DL4J's code runs. */
    private boolean ours() {
        var mode = convolutionMode;
        return layerConf().getCnn2dDataFormat() == org.deeplearning4j.nn.conf.CNN2DFormat.NCHW
                && mode != org.deeplearning4j.nn.conf.ConvolutionMode.Same
                && mode != org.deeplearning4j.nn.conf.ConvolutionMode.Causal
                && input != null && input.rank() == 4 && input.dataType() == DataType.FLOAT;
    }

    /** The geometry of this layer's columns for its current input and a kernel of {@code kh x kw}. */
    private ColumnLayout layout(int kh, int kw) {
        int[] s = layerConf().getStride();
        int[] p = layerConf().getPadding();
        int[] d = layerConf().getDilation();
        int h = (int) input.size(2);
        int w = (int) input.size(3);
        return new ColumnLayout((int) input.size(0), (int) input.size(1), h, w, kh, kw, s, p, d,
                (h + 2 * p[0] - d[0] * (kh - 1) - 1) / s[0] + 1, (w + 2 * p[1] - d[1] * (kw - 1) - 1) / s[1] + 1);
    }

    /** Off the workspaces: a training step keeps its columns from the forward to the backward pass. */
    private static INDArray outsideWorkspaces(float[] values, long... shape) {
        try (org.nd4j.linalg.api.memory.MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return Nd4j.create(values, shape, 'c');
        }
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!ours()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        Pair<INDArray, INDArray> pre = preOutput4d(true, true, workspaceMgr);
        INDArray columns = pre.getSecond();
        INDArray delta = layerConf().getActivationFn().backprop(pre.getFirst(), epsilon).getFirst();
        long out = delta.size(1);
        INDArray delta2d = delta.permute(1, 0, 2, 3).dup('c').reshape('c', out, delta.length() / out);
        INDArray weightGrad = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        Nd4j.gemm(delta2d, columns, weightGrad.reshape('c', out, weightGrad.length() / out), false, false, 1.0,
                0.0);
        Gradient g = new DefaultGradient();
        if (layerConf().hasBias()) {
            INDArray biasGrad = gradientViews.get(ConvolutionParamInitializer.BIAS_KEY);
            delta2d.sum(biasGrad, 1);
            g.setGradientFor(ConvolutionParamInitializer.BIAS_KEY, biasGrad);
        }
        g.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGrad, 'c');
        weightNoiseParams.clear();
        columnsOf = null;
        columnsKept = null;
        INDArray epsNext = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c');
        if (((ColumnConvolution) layerConf()).isInputGradient()) {
            // the columns' gradient [N*outH*outW, in*kH*kW] = delta^T . W, summed back onto the input's pixels
            INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
            INDArray colGrad;
            try (org.nd4j.linalg.api.memory.MemoryWorkspace ignored = Nd4j.getMemoryManager()
                    .scopeOutOfWorkspaces()) {
                colGrad = Nd4j.gemm(delta2d, weights.reshape('c', out, weights.length() / out), true, false);
            }
            ColumnLayout layout = layout((int) weights.size(2), (int) weights.size(3));
            epsNext.assign(outsideWorkspaces(layout.toImages(colGrad.dup('c').data().asFloat()), input.shape()));
        }
        return new Pair<>(g, epsNext);
    }
}
