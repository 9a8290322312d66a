package io.transferpool.translate.layers;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Pads the height and width of [N, C, H, W] activations with a constant: ONNX Pad with a non-zero value, and the
 * lowest float in front of max pooling, which is how ONNX pads a MaxPool (and how its ceil_mode is expressed with
 * DL4J's floor-mode pooling). DL4J's ZeroPaddingLayer only pads with zeros.
 */
public class ConstantPadVertex extends ParameterlessVertex {
    /** Stands for ONNX's -inf padding of max pooling: never the maximum of a window that holds an input value. */
    public static final double LOWEST = -Float.MAX_VALUE;

    private int top;
    private int bottom;
    private int left;
    private int right;
    private double value;

    /** For deserialisation. */
    public ConstantPadVertex() {
    }

    public ConstantPadVertex(int top, int bottom, int left, int right, double value) {
        this.top = top;
        this.bottom = bottom;
        this.left = left;
        this.right = right;
        this.value = value;
    }

    public int getTop() {
        return top;
    }

    public void setTop(int top) {
        this.top = top;
    }

    public int getBottom() {
        return bottom;
    }

    public void setBottom(int bottom) {
        this.bottom = bottom;
    }

    public int getLeft() {
        return left;
    }

    public void setLeft(int left) {
        this.left = left;
    }

    public int getRight() {
        return right;
    }

    public void setRight(int right) {
        this.right = right;
    }

    public double getValue() {
        return value;
    }

    public void setValue(double value) {
        this.value = value;
    }

    @Override
    public ConstantPadVertex clone() {
        return new ConstantPadVertex(top, bottom, left, right, value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConstantPadVertex v && v.top == top && v.bottom == bottom && v.left == left
                && v.right == right && v.value == value;
    }

    @Override
    public int hashCode() {
        return ((top * 31 + bottom) * 31 + left) * 31 + right + Double.hashCode(value);
    }

    @Override
    public int minVertexInputs() {
        return 1;
    }

    @Override
    public int maxVertexInputs() {
        return 1;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new Impl(graph, name, idx, this, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... in) throws InvalidInputTypeException {
        if (!(in[0] instanceof InputType.InputTypeConvolutional c)) {
            throw new InvalidInputTypeException("ConstantPadVertex pads convolutional activations, not " + in[0]);
        }
        return InputType.convolutional(c.getHeight() + top + bottom, c.getWidth() + left + right, c.getChannels());
    }

    @Override
    public String toString() {
        return "ConstantPadVertex(top=" + top + ", bottom=" + bottom + ", left=" + left + ", right=" + right
                + ", value=" + value + ")";
    }

    /** The vertex in a running network. */
    static final class Impl extends Running {
        private final ConstantPadVertex conf;

        Impl(ComputationGraph graph, String name, int idx, ConstantPadVertex conf, DataType dataType) {
            super(graph, name, idx, dataType);
            this.conf = conf;
        }

        private INDArrayIndex[] interior(long[] inShape) {
            return new INDArrayIndex[]{NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.interval(conf.top, conf.top + inShape[2]),
                    NDArrayIndex.interval(conf.left, conf.left + inShape[3])};
        }

        @Override
        public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoForward()) {
                throw new IllegalStateException("Cannot do forward pass: input not set");
            }
            long[] s = inputs[0].shape();
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType,
                    s[0], s[1], s[2] + conf.top + conf.bottom, s[3] + conf.left + conf.right);
            out.assign(conf.value);
            out.get(interior(s)).assign(inputs[0]);
            return out;
        }

        @Override
        public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoBackward()) {
                throw new IllegalStateException("Cannot do backward pass: errors not set");
            }
            INDArray grad = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon.get(interior(inputs[0].shape())));
            return new Pair<>(null, new INDArray[]{grad});
        }
    }
}
