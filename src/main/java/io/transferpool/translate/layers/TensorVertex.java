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
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

import java.util.Arrays;

/**
 * A parameterless vertex for one ONNX operator on tensors of any rank and layout: the operator's forward pass and
 * its gradient written with ND4J ops. Configurations are immutable once built (DL4J's JSON sets the fields of a new
 * instance), so {@link #clone} is the instance itself. {@code shape} is the output's dimensions for a batch of one,
 * only for DL4J's bookkeeping of input types ({@link TensorTypes}); at run time every dimension follows the arrays.
 * DL4J's JSON reads and writes the fields of subclasses directly (they have no setters).
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public abstract class TensorVertex extends ParameterlessVertex {
    protected long[] shape;

    protected TensorVertex() {
    }

    protected TensorVertex(long[] shape) {
        this.shape = shape.clone();
    }

    public long[] getShape() {
        return shape.clone();
    }

    /** The output for these inputs; must not change them. */
    abstract INDArray forward(INDArray[] in);

    /**
     * The gradients with respect to each input, given the output's gradient {@code epsilon} (DL4J takes no null).
     */
    abstract INDArray[] backward(INDArray[] in, INDArray epsilon);

    /** The fields that make two configurations the same operator. */
    abstract Object[] fields();

    @Override
    public TensorVertex clone() {
        return this;
    }

    /** How many inputs the operator takes. */
    int inputCount() {
        return 1;
    }

    @Override
    public int minVertexInputs() {
        return inputCount();
    }

    @Override
    public int maxVertexInputs() {
        return inputCount();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... in) throws InvalidInputTypeException {
        return TensorTypes.of(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Arrays.equals(shape, ((TensorVertex) o).shape)
                && Arrays.deepEquals(fields(), ((TensorVertex) o).fields());
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.deepHashCode(fields());
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + Arrays.deepToString(fields());
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new Running(graph, name, idx, networkDatatype) {
            @Override
            public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
                if (!canDoForward()) {
                    throw new IllegalStateException("Cannot do forward pass: inputs not set");
                }
                try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATIONS)) {
                    // a view of an input (a reshape) lives in the input's workspace: moved to the output's
                    return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, forward(inputs));
                }
            }

            @Override
            public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
                if (!canDoBackward()) {
                    throw new IllegalStateException("Cannot do backward pass: errors not set");
                }
                try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATION_GRAD)) {
                    INDArray[] g = backward(inputs, epsilon);
                    for (int i = 0; i < g.length; i++) {
                        // the output's gradient passed on as is (Add) lives in the next vertex's workspace
                        g[i] = g[i] == null ? null : workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, g[i]);
                    }
                    return new Pair<>(null, g);
                }
            }

            @Override
            public String toString() {
                return TensorVertex.this + "(" + vertexName + ")";
            }
        };
    }

    /** The sum of {@code g} over the dimensions along which an operand of {@code operandShape} was broadcast. */
    static INDArray reduceTo(INDArray g, long[] operandShape) {
        if (Arrays.equals(g.shape(), operandShape)) {
            return g;
        }
        int lead = g.rank() - operandShape.length;
        long[] aligned = new long[g.rank()];
        Arrays.fill(aligned, 1);
        System.arraycopy(operandShape, 0, aligned, lead, operandShape.length);
        int[] dims = java.util.stream.IntStream.range(0, g.rank()).filter(d -> aligned[d] == 1 && g.size(d) != 1)
                .toArray();
        INDArray s = dims.length == 0 ? g : g.sum(true, dims);
        return s.reshape('c', operandShape);
    }

    /** {@code x} with leading dimensions of 1 up to {@code rank} (ONNX broadcasting aligns on the right). */
    static INDArray toRank(INDArray x, int rank) {
        if (x.rank() >= rank) {
            return x;
        }
        long[] s = new long[rank];
        Arrays.fill(s, 1);
        System.arraycopy(x.shape(), 0, s, rank - x.rank(), x.rank());
        return x.reshape('c', s);
    }

    static long product(long[] dims) {
        long p = 1;
        for (long d : dims) {
            p *= d;
        }
        return p;
    }
}
