package io.transferpool.translate.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Map;

/**
 * A convolution that reads the freeze boundary itself: the same layer as DL4J's ConvolutionLayer, but its backward
 * pass does not compute the gradient for its input, which only the frozen layers before the boundary would use
 * (they never train). That gradient is a GEMM as large as the weight gradient's plus a col2im, about a third of the
 * layer's training step (see {@link BoundaryConvolutionLayer}).
 */
public class BoundaryConvolution extends ConvolutionLayer {
    /** For deserialisation. */
    public BoundaryConvolution() {
    }

    private BoundaryConvolution(ConvolutionLayer.Builder b) {
        super(b);
    }

    /** The same convolution as {@code c}: kernel, stride, padding, dilation, mode, sizes, bias and activation. */
    public static BoundaryConvolution of(ConvolutionLayer c) {
        ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(c.getKernelSize()).stride(c.getStride())
                .padding(c.getPadding()).dilation(c.getDilation()).convolutionMode(c.getConvolutionMode())
                .nIn(c.getNIn()).nOut(c.getNOut()).hasBias(c.hasBias()).activation(c.getActivationFn())
                .dataFormat(c.getCnn2dDataFormat());
        if (c.getLayerName() != null) {
            b.name(c.getLayerName());
        }
        return new BoundaryConvolution(b);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                             INDArray params, boolean initialize, DataType dataType) {
        BoundaryConvolutionLayer layer = new BoundaryConvolutionLayer(conf, dataType);
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(params);
        Map<String, INDArray> table = initializer().init(conf, params, initialize);
        layer.setParamTable(table);
        layer.setConf(conf);
        return layer;
    }
}
