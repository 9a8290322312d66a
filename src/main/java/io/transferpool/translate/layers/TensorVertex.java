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
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
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

    /**
     * Whether {@link #backward(INDArray[], INDArray, INDArray)} wants the output of the training forward pass of the
     * same step (softmax: its gradient is a function of its output, which costs as much again to recompute).
     */
    boolean usesOutput() {
        return false;
    }

    /** The gradients, given also this step's forward output {@code out} (see {@link #usesOutput}). */
    INDArray[] backward(INDArray[] in, INDArray out, INDArray epsilon) {
        return backward(in, epsilon);
    }

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
            /*
             * The output of the last training forward pass, for a backward that uses it, then dropped. Mutable state
             * of this graph's own vertex, as DL4J's BatchNormalization keeps its normalised input: a step's forward
             * and backward run one after the other on one thread, and the output stays in the activations
             * workspace, open until the step's backward pass ends.
             */
            private INDArray output;

            @Override
            public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
                if (!canDoForward()) {
                    throw new IllegalStateException("Cannot do forward pass: inputs not set");
                }
                try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATIONS)) {
                    // a view of an input (a reshape) lives in the input's workspace: moved to the output's
                    INDArray out = workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, forward(inputs));
                    output = training && usesOutput() ? out : null;
                    return out;
                }
            }

            @Override
            public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
                if (!canDoBackward()) {
                    throw new IllegalStateException("Cannot do backward pass: errors not set");
                }
                try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATION_GRAD)) {
                    INDArray[] g = output != null ? backward(inputs, output, epsilon) : backward(inputs, epsilon);
                    output = null;
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
        if (dims.length == 0) {
            return g.reshape('c', operandShape);
        }
        int kept = g.rank(); // the operand has g's dimensions from here on
        while (kept > 0 && aligned[kept - 1] == g.size(kept - 1)) {
            kept--;
        }
        boolean leading = true; // and 1 before: summed over the leading dimensions alone
        for (int d = 0; d < kept; d++) {
            leading &= aligned[d] == 1;
        }
        if (leading && (g.dataType() == DataType.FLOAT || g.dataType() == DataType.DOUBLE)) {
            return sumOfRows(g, product(Arrays.copyOf(g.shape(), kept))).reshape('c', operandShape);
        }
        return g.sum(true, dims).reshape('c', operandShape);
    }

    /**
     * The sum of {@code g} as [rows, rest] over its rows: a bias's or a scale's gradient, summed over the batch and
     * tokens. One GEMM by a row of ones reads g once; ND4J's sum over the leading dimensions of a 'c' array strides
     * through it column by column, 14 times slower on ViT-B's [32 x 197, 3072] (benchmarks/README, ViT-B/16).
     */
    static INDArray sumOfRows(INDArray g, long rows) {
        INDArray m = (plain(g) ? g : g.dup('c')).reshape('c', rows, g.length() / rows);
        INDArray ones = Nd4j.ones(g.dataType(), 1, rows);
        INDArray out = Nd4j.createUninitialized(g.dataType(), new long[]{1, m.size(1)}, 'c');
        return Nd4j.gemm(ones, m, out, false, false, 1.0, 0.0);
    }

    /** Row-major with the strides of its shape (a reshape of a whole array too): what GEMM reads as is. */
    static boolean plain(INDArray x) {
        return x.ordering() == 'c' && x.offset() == 0 && Shape.hasDefaultStridesForShape(x);
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
