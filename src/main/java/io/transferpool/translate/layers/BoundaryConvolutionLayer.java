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
 * {@link BoundaryConvolution}'s layer: the forward pass is DL4J's; the backward pass computes the weight and bias
 * gradients from the forward pass's im2col columns (kept with CacheMode.HOST, made again otherwise) and answers a
 * zero input gradient. The weight gradient is one GEMM, delta [out, N*H*W] times columns [N*H*W, in*kH*kW], into
 * the layer's gradient view read as [out, in*kH*kW] ('c' order, as DL4J keeps convolution weights).
 */
public class BoundaryConvolutionLayer extends ConvolutionLayer {
    // Confined to the thread that trains the network, like the layer's other per-step state (input, dropout).
    private transient INDArray columnsOf;
    private transient INDArray columnsKept;

    public BoundaryConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
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
        if (c.getCnn2dDataFormat() != org.deeplearning4j.nn.conf.CNN2DFormat.NCHW
                || convolutionMode == org.deeplearning4j.nn.conf.ConvolutionMode.Same
                || convolutionMode == org.deeplearning4j.nn.conf.ConvolutionMode.Causal
                || input == null || input.rank() != 4 || input.dataType() != DataType.FLOAT) {
            return super.preOutput(training, forBackprop, mgr);
        }
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, mgr);
        int n = (int) input.size(0);
        int in = (int) input.size(1);
        int h = (int) input.size(2);
        int w = (int) input.size(3);
        int out = (int) weights.size(0);
        int kh = (int) weights.size(2);
        int kw = (int) weights.size(3);
        int[] s = c.getStride();
        int[] p = c.getPadding();
        int[] d = c.getDilation();
        int oh = (h + 2 * p[0] - d[0] * (kh - 1) - 1) / s[0] + 1;
        int ow = (w + 2 * p[1] - d[1] * (kw - 1) - 1) / s[1] + 1;
        int row = in * kh * kw;
        INDArray columns = training && input == columnsOf ? columnsKept : columns(n, in, h, w, kh, kw, s, p, d, oh,
                ow);
        // A training step's forward pass keeps its columns for the backward pass (same input, same thread); the
        // array is off the workspaces, so it may outlive the forward pass, and is let go after the backward pass.
        columnsOf = training ? input : null;
        columnsKept = training ? columns : null;
        INDArray z = mgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, new long[]{(long) n * oh * ow,
                out}, 'c');
        Nd4j.gemm(columns, weights.reshape('c', out, row), z, false, true, 1.0, 0.0);
        if (c.hasBias()) {
            z.addiRowVector(getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, mgr));
        }
        INDArray z4 = z.reshape('c', n, oh, ow, out).permute(0, 3, 1, 2);
        return new Pair<>(z4, forBackprop ? columns : null);
    }

    private INDArray columns(int n, int in, int h, int w, int kh, int kw, int[] s, int[] p, int[] d, int oh,
                             int ow) {
        int row = in * kh * kw;
        float[] x = input.dup('c').data().asFloat();
        float[] cols = new float[n * oh * ow * row];
        java.util.stream.IntStream.range(0, n).parallel().forEach(b -> {
            int o = b * oh * ow * row;
            for (int y = 0; y < oh; y++) {
                for (int xx = 0; xx < ow; xx++) {
                    for (int ch = 0; ch < in; ch++) {
                        int base = (b * in + ch) * h * w;
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = y * s[0] + ky * d[0] - p[0];
                            for (int kx = 0; kx < kw; kx++) {
                                int ix = xx * s[1] + kx * d[1] - p[1];
                                cols[o++] = iy < 0 || iy >= h || ix < 0 || ix >= w ? 0f : x[base + iy * w + ix];
                            }
                        }
                    }
                }
            }
        });
        // outside the workspaces: a training step keeps the columns from its forward to its backward pass
        try (org.nd4j.linalg.api.memory.MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return Nd4j.create(cols, new long[]{(long) n * oh * ow, row}, 'c');
        }
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        Pair<INDArray, INDArray> pre = preOutput4d(true, true, workspaceMgr);
        INDArray columns = pre.getSecond();
        if (columns == null) {
            // a helper (oneDNN) made the forward pass: its own backward pass knows its layout
            return super.backpropGradient(epsilon, workspaceMgr);
        }
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
        return new Pair<>(g, workspaceMgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c'));
    }
}
