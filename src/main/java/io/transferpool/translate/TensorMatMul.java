package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.translate.layers.MatMulVertex;

/**
 * MatMul beyond [N, K] times a matrix (that is {@link DenseTranslator}'s DenseLayer): tokens times a weight of the
 * base ([N, T, D] x [D, E], the weight a {@code TrainedTensor}), and two activations with the same leading
 * dimensions ([N, H, T, d] x [N, H, d, T], attention) onto {@link MatMulVertex}. The batch may sit in any leading
 * dimension, or in the rows, but is never summed over.
 */
final class TensorMatMul {
    private TensorMatMul() {
    }

    static void translate(OnnxMl.NodeProto node, TranslationContext ctx) {
        String a = node.getInput(0);
        String b = node.getInput(1);
        String out = node.getOutput(0);
        if (!ctx.isDynamic(a)) {
            throw ctx.unsupported(node, "a constant first operand (only activations times weights or activations)");
        }
        long[] sa = ctx.shape(a);
        int batch = ctx.batchAxis(node, a);
        if (batch == sa.length - 1) {
            throw ctx.unsupported(node, "the batch dimension is the one multiplied out");
        }
        String right;
        if (ctx.isDynamic(b)) {
            long[] sb = ctx.shape(b);
            if (sb.length != sa.length || sa.length < 3) {
                throw ctx.unsupported(node, "activations of ranks " + sa.length + " and " + sb.length
                        + " (batched products take the same rank, 3 or more)");
            }
            for (int d = 0; d < sa.length - 2; d++) {
                if (sa[d] != sb[d]) {
                    throw ctx.unsupported(node, "leading dimensions that differ (" + sa[d] + " and " + sb[d] + ")");
                }
            }
            if (ctx.batchAxis(node, b) != batch || batch >= sa.length - 2) {
                throw ctx.unsupported(node, "a batched product whose batch is not a leading dimension of both");
            }
            right = ctx.vertex(b);
        } else {
            long[] sb = ctx.constant(node, 1, "the weight").dims();
            if (sb.length != 2) {
                throw ctx.unsupported(node, "a weight of rank " + sb.length + " (only matrices)");
            }
            if (!ctx.graph.isTrainable(b)) {
                throw ctx.unsupported(node, "the weight \"" + b + "\" is not a float initializer of the base");
            }
            right = ctx.trained(node, 1);
            OnnxMl.NodeProto add = DenseTranslator.biasAdd(node, ctx);
            if (add != null) {
                int biasInput = add.getInput(0).equals(out) ? 1 : 0;
                long[] sc = ctx.graph.constant(add.getInput(biasInput)).orElseThrow().dims();
                long[] so = ctx.shape(out);
                if (ctx.graph.isTrainable(add.getInput(biasInput)) && isBias(sc, so[so.length - 1])) {
                    // the Add of a Linear's bias becomes the product's third input (see MatMulVertex)
                    String sum = add.getOutput(0);
                    ctx.skippedNodes.add(TranslationContext.nodeName(add));
                    ctx.vertex(sum, new MatMulVertex(ctx.shape(sum), true), ctx.vertex(a), right,
                            ctx.trained(add, biasInput));
                    ctx.produces(sum, sum);
                    return;
                }
            }
        }
        ctx.vertex(out, new MatMulVertex(ctx.shape(out)), ctx.vertex(a), right);
        ctx.produces(out, out);
    }

    /** [E], or [1, ..., 1, E]: one value per output unit. */
    private static boolean isBias(long[] dims, long units) {
        if (dims.length == 0 || dims[dims.length - 1] != units) {
            return false;
        }
        for (int d = 0; d < dims.length - 1; d++) {
            if (dims[d] != 1) {
                return false;
            }
        }
        return true;
    }
}
