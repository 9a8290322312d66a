package io.transferpool.translate.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's ConvolutionLayer as the fine-tuner trains it (see {@link ColumnConvolutionLayer}): its im2col columns
 * written and read back in Java (libnd4j's im2col and col2im cost several times the layer's GEMMs here) and kept
 * from the forward to the backward pass. At the freeze boundary ({@code inputGradient} false) the backward pass
 * also skips the gradient for its input, which only the frozen layers before the boundary would use.
 */
public class ColumnConvolution extends ConvolutionLayer {
    private boolean inputGradient = true;

    /** For deserialisation. */
    public ColumnConvolution() {
    }

    private ColumnConvolution(ConvolutionLayer.Builder b, boolean inputGradient) {
        super(b);
        this.inputGradient = inputGradient;
    }

    /** The same convolution as {@code c}, computing the gradient for its input. */
    public static ColumnConvolution of(ConvolutionLayer c) {
        return new ColumnConvolution(builder(c), true);
    }

    /** The same convolution as {@code c}, reading the freeze boundary: no gradient for its input. */
    public static ColumnConvolution atBoundary(ConvolutionLayer c) {
        return new ColumnConvolution(builder(c), false);
    }

    /** Kernel, stride, padding, dilation, mode, sizes, bias and activation of {@code c}. */
    private static ConvolutionLayer.Builder builder(ConvolutionLayer c) {
        ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(c.getKernelSize()).stride(c.getStride())
                .padding(c.getPadding()).dilation(c.getDilation()).convolutionMode(c.getConvolutionMode())
                .nIn(c.getNIn()).nOut(c.getNOut()).hasBias(c.hasBias()).activation(c.getActivationFn())
                .dataFormat(c.getCnn2dDataFormat());
        if (c.getLayerName() != null) {
            b.name(c.getLayerName());
        }
        return b;
    }

    /** Whether the backward pass computes the gradient for the layer's input. */
    public boolean isInputGradient() {
        return inputGradient;
    }

    public void setInputGradient(boolean inputGradient) {
        this.inputGradient = inputGradient;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                             INDArray params, boolean initialize, DataType dataType) {
        return Instances.wired(new ColumnConvolutionLayer(conf, dataType), conf, initializer(), listeners, index,
                params, initialize);
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof ColumnConvolution c && c.inputGradient == inputGradient;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + Boolean.hashCode(inputGradient);
    }
}
