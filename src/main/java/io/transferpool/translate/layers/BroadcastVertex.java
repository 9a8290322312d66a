package io.transferpool.translate.layers;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastTo;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Add or Mul of two activations with numpy broadcasting, where every dimension of one is that of the other or 1:
 * the squeeze-and-excitation gate ([N, C, 1, 1] times [N, C, H, W]) of MobileNetV3 and EfficientNet. DL4J's
 * ElementWiseVertex refuses CNN inputs of different sizes.
 */
public class BroadcastVertex extends ParameterlessVertex {
    public enum Op { ADD, MUL }

    private Op op = Op.MUL;

    /** For deserialisation. */
    public BroadcastVertex() {
    }

    public BroadcastVertex(Op op) {
        this.op = op;
    }

    public Op getOp() {
        return op;
    }

    public void setOp(Op op) {
        this.op = op;
    }

    @Override
    public BroadcastVertex clone() {
        return new BroadcastVertex(op);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BroadcastVertex v && v.op == op;
    }

    @Override
    public int hashCode() {
        return op.hashCode();
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return 2;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new Impl(graph, name, idx, op, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... in) throws InvalidInputTypeException {
        if (in[0] instanceof InputType.InputTypeConvolutional a && in[1] instanceof InputType.InputTypeConvolutional b) {
            return InputType.convolutional(dim(a.getHeight(), b.getHeight()), dim(a.getWidth(), b.getWidth()),
                    dim(a.getChannels(), b.getChannels()));
        }
        if (in[0] instanceof InputType.InputTypeFeedForward a && in[1] instanceof InputType.InputTypeFeedForward b) {
            return InputType.feedForward(dim(a.getSize(), b.getSize()));
        }
        throw new InvalidInputTypeException("broadcasting " + in[0] + " with " + in[1]
                + " (both convolutional or both feed-forward)");
    }

    private static long dim(long a, long b) {
        if (a != b && a != 1 && b != 1) {
            throw new InvalidInputTypeException("dimensions " + a + " and " + b + " do not broadcast");
        }
        return Math.max(a, b);
    }

    @Override
    public String toString() {
        return "BroadcastVertex(" + op + ")";
    }

    /** The vertex in a running network. */
    static final class Impl extends Running {
        private final Op op;

        Impl(ComputationGraph graph, String name, int idx, Op op, DataType dataType) {
            super(graph, name, idx, dataType);
            this.op = op;
        }

        @Override
        public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoForward()) {
                throw new IllegalStateException("Cannot do forward pass: inputs not set");
            }
            long[] shape = Shape.broadcastOutputShape(inputs[0].shape(), inputs[1].shape());
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, shape);
            if (Arrays.equals(shape, inputs[0].shape())) {
                out.assign(inputs[0]);
            } else {
                Nd4j.exec(new BroadcastTo(inputs[0].castTo(dataType), shape, out));
            }
            INDArray other = inputs[1].castTo(dataType);
            return op == Op.ADD ? out.addi(other) : out.muli(other);
        }

        @Override
        public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoBackward()) {
                throw new IllegalStateException("Cannot do backward pass: errors not set");
            }
            INDArray[] grads = new INDArray[2];
            try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATION_GRAD)) {
                for (int i = 0; i < 2; i++) {
                    // d(a + b)/da = 1, d(a * b)/da = b; then summed over the dimensions a was broadcast along.
                    INDArray g = op == Op.ADD ? epsilon.dup() : epsilon.mul(inputs[1 - i]);
                    if (!Arrays.equals(inputs[i].shape(), epsilon.shape())) {
                        g = g.sum(true, Shape.getBroadcastDimensions(inputs[i].shape(), epsilon.shape()));
                    }
                    grads[i] = g;
                }
            }
            return new Pair<>(null, grads);
        }
    }
}
