package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.NodeAttributes;
import io.transferpool.model.TensorData;
import io.transferpool.translate.layers.LinearLayer;

import java.util.List;
import java.util.Set;

/**
 * Gemm (transB either way, alpha and beta folded into the weights, bias of [N]) and MatMul by a constant matrix on
 * [N, K] inputs onto DenseLayers ({@link LinearLayer}s: no activation, no recomputed output in backprop). A MatMul
 * whose only reader is an Add of a constant [N] vector (how some exporters write a linear layer) becomes one with
 * that bias. MatMul of tokens or of two activations is
 * {@link TensorMatMul}'s.
 */
final class DenseTranslator implements OpTranslator {
    @Override
    public Set<String> ops() {
        return Set.of("Gemm", "MatMul");
    }

    @Override
    public void translate(OnnxMl.NodeProto node, TranslationContext ctx) {
        long[] in = ctx.shape(node.getInput(0));
        if (node.getOpType().equals("MatMul") && (in.length != 2 || ctx.isDynamic(node.getInput(1))
                || ctx.batchAxis(node, node.getInput(0)) != 0)) {
            TensorMatMul.translate(node, ctx);
            return;
        }
        if (in.length != 2) {
            throw ctx.unsupported(node, "input of rank " + in.length + " (only [N, K])");
        }
        if (ctx.isDynamic(node.getInput(1))) {
            throw ctx.unsupported(node, "the second operand is computed at run time; it must be a weight");
        }
        NodeAttributes a = new NodeAttributes(node);
        boolean gemm = node.getOpType().equals("Gemm");
        if (gemm && a.i("transA", 0) != 0) {
            throw ctx.unsupported(node, "transA=1");
        }
        TensorData b = ctx.constant(node, 1, "the weight B");
        if (b.rank() != 2) {
            throw ctx.unsupported(node, "the weight has rank " + b.rank() + ", expected 2");
        }
        boolean transB = gemm && a.i("transB", 0) != 0;
        long k = in[1];
        long n = transB ? b.dims()[0] : b.dims()[1];
        String out = node.getOutput(0);
        // The node and input that hold the bias: Gemm's C, or the constant operand of the Add after a MatMul.
        OnnxMl.NodeProto biasNode = null;
        int biasInput = -1;
        double beta = 1;
        String produced = out;
        if (gemm) {
            beta = a.f("beta", 1f);
            if (node.getInputCount() > 2 && !node.getInput(2).isEmpty() && beta != 0) {
                biasNode = node;
                biasInput = 2;
            }
        } else {
            OnnxMl.NodeProto add = biasAdd(node, ctx);
            if (add != null) {
                biasNode = add;
                biasInput = add.getInput(0).equals(out) ? 1 : 0;
                produced = add.getOutput(0);
                ctx.skippedNodes.add(TranslationContext.nodeName(add));
            }
        }
        String biasTensor = biasNode == null ? null : biasNode.getInput(biasInput);
        ctx.layer(produced, LinearLayer.of(k, n, biasTensor != null), ctx.vertex(node.getInput(0)));
        ctx.weight(produced, "W", node, 1, b, transB ? ParamLayout.TRANSPOSE : ParamLayout.SAME,
                new long[]{k, n}, gemm ? a.f("alpha", 1f) : 1);
        if (biasTensor != null) {
            TensorData c = ctx.graph.constant(biasTensor).orElseThrow(() -> ctx.unsupported(node,
                    "the bias C is computed at run time; it must be a weight"));
            if (c.size() != n) {
                throw ctx.unsupported(node, "bias of shape " + java.util.Arrays.toString(c.dims()) + "; only one "
                        + "value per output unit ([" + n + "]) is supported");
            }
            ctx.weight(produced, "b", biasNode, biasInput, c, ParamLayout.SAME, new long[]{1, n}, beta);
        }
        ctx.produces(produced, produced);
    }

    /** The Add that only adds a constant per-unit bias to this MatMul's output, or null. */
    static OnnxMl.NodeProto biasAdd(OnnxMl.NodeProto matmul, TranslationContext ctx) {
        String out = matmul.getOutput(0);
        List<OnnxMl.NodeProto> readers = ctx.graph.consumers(out);
        if (readers.size() != 1 || !readers.get(0).getOpType().equals("Add") || ctx.graph.isGraphOutput(out)) {
            return null;
        }
        OnnxMl.NodeProto add = readers.get(0);
        if (!ctx.inSuffix(add)) {
            return null;
        }
        String other = add.getInput(0).equals(out) ? add.getInput(1) : add.getInput(0);
        return ctx.graph.constant(other).filter(c -> c.rank() <= 2 && c.size() > 1).isPresent() ? add : null;
    }
}
