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
    public BoundaryConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
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
        return new Pair<>(g, workspaceMgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c'));
    }
}
