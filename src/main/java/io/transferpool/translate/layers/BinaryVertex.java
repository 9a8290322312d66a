package io.transferpool.translate.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ONNX Add, Sub, Mul and Div with numpy broadcasting in any direction and of any ranks (positional embeddings,
 * layer scales, attention masks, normalising by a reduced tensor): of two inputs, or of one input and a fixed
 * constant held here ({@code constantFirst}: the constant is the left operand). Trained operands come in as inputs
 * (from a {@link TrainedTensor}); constants held here get no gradient.
 */
public class BinaryVertex extends TensorVertex {
    public enum Op { ADD, SUB, MUL, DIV }

    private Op op;
    private double[] constant;
    private long[] constantShape;
    private boolean constantFirst;

    /** For deserialisation. */
    public BinaryVertex() {
    }

    /** Of two inputs. */
    public BinaryVertex(long[] shape, Op op) {
        super(shape);
        this.op = op;
    }

    /** Of one input and a constant. */
    public BinaryVertex(long[] shape, Op op, double[] constant, long[] constantShape, boolean constantFirst) {
        super(shape);
        this.op = op;
        this.constant = constant.clone();
        this.constantShape = constantShape.clone();
        this.constantFirst = constantFirst;
    }

    @Override
    int inputCount() {
        return constant == null ? 2 : 1;
    }

    /** The two operands, of the same rank. */
    private INDArray[] operands(INDArray[] in) {
        INDArray a;
        INDArray b;
        if (constant == null) {
            a = in[0];
            b = in[1];
        } else {
            INDArray c = Nd4j.create(constant, constantShape.length == 0 ? new long[0] : constantShape, 'c')
                    .castTo(in[0].dataType());
            a = constantFirst ? c : in[0];
            b = constantFirst ? in[0] : c;
        }
        int rank = Math.max(a.rank(), b.rank());
        return new INDArray[]{toRank(a, rank), toRank(b, rank)};
    }

    @Override
    INDArray forward(INDArray[] in) {
        INDArray[] ab = operands(in);
        INDArray a = ab[0].castTo(ab[1].dataType());
        return switch (op) {
            case ADD -> a.add(ab[1]);
            case SUB -> a.sub(ab[1]);
            case MUL -> a.mul(ab[1]);
            case DIV -> a.div(ab[1]);
        };
    }

    @Override
    INDArray[] backward(INDArray[] in, INDArray epsilon) {
        INDArray[] ab = operands(in);
        INDArray a = ab[0];
        INDArray b = ab[1];
        INDArray ga = switch (op) {
            case ADD, SUB -> epsilon;
            case MUL -> epsilon.mul(b);
            case DIV -> epsilon.div(b);
        };
        INDArray gb = switch (op) {
            case ADD -> epsilon;
            case SUB -> epsilon.neg();
            case MUL -> epsilon.mul(a);
            case DIV -> epsilon.mul(a).div(b).div(b).negi();
        };
        if (constant != null) {
            INDArray g = constantFirst ? gb : ga;
            return new INDArray[]{reduceTo(g, in[0].shape())};
        }
        return new INDArray[]{reduceTo(ga, in[0].shape()), reduceTo(gb, in[1].shape())};
    }

    @Override
    Object[] fields() {
        return new Object[]{op, constant, constantShape, constantFirst};
    }

    @Override
    public String toString() {
        return "BinaryVertex[" + op + (constant == null ? "" : ", constant of " + constant.length) + "]";
    }
}
