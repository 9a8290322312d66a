package io.transferpool.model;

/**
 * One trained dense layer, y = activation(x W + b), as the ONNX writer needs it. {@code w} is row-major
 * [inputs x outputs]; {@code activation} is relu, tanh, sigmoid or softmax.
 */
public record DenseWeights(int inputs, int outputs, float[] w, float[] b, String activation) {
    public DenseWeights {
        if (w.length != inputs * outputs || b.length != outputs) {
            throw new IllegalArgumentException("weights " + w.length + " / bias " + b.length + " do not fit "
                    + inputs + "x" + outputs);
        }
    }
}
