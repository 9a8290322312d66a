package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.NodeAttributes;
import io.transferpool.model.TensorData;
import io.transferpool.translate.layers.BinaryVertex;
import io.transferpool.translate.layers.BroadcastVertex;
import io.transferpool.translate.layers.ConcatVertex;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;

import java.util.Arrays;
import java.util.Set;

/**
 * Add, Sub, Mul, Div and Concat. Image maps and vectors keep DL4J's own vertices: residual adds of equal shapes on
 * ElementWiseVertex, the squeeze-and-excitation gate ([N, C, 1, 1] times [N, C, H, W]) on {@link BroadcastVertex},
 * a scalar constant added or multiplied on Shift/ScaleVertex, channels concatenated on MergeVertex. Everything else
 * (any rank, broadcasting either way, a weight of the base such as a positional embedding or a layer scale, a fixed
 * constant such as an attention mask, any concatenation axis but the batch's) on {@link BinaryVertex} and
 * {@link ConcatVertex}.
 */
final class ElementwiseTranslator implements OpTranslator {
    @Override
    public Set<String> ops() {
        return Set.of("Add", "Sub", "Mul", "Div", "Concat");
    }

    @Override
    public void translate(OnnxMl.NodeProto node, TranslationContext ctx) {
        if (node.getOpType().equals("Concat")) {
            concat(node, ctx);
            return;
        }
        String op = node.getOpType();
        String out = node.getOutput(0);
        long[] shape = ctx.shape(out);
        String x = node.getInput(0);
        String y = node.getInput(1);
        boolean commutes = op.equals("Add") || op.equals("Mul");
        BinaryVertex.Op bop = BinaryVertex.Op.valueOf(op.toUpperCase(java.util.Locale.ROOT));
        if (ctx.isDynamic(x) && ctx.isDynamic(y)) {
            long[] sx = ctx.shape(x);
            long[] sy = ctx.shape(y);
            if (commutes && Arrays.equals(sx, sy) && classic(sx, ctx.batchAxis(node, x), ctx.batchAxis(node, y))) {
                ctx.vertex(out, new ElementWiseVertex(op.equals("Add") ? ElementWiseVertex.Op.Add
                        : ElementWiseVertex.Op.Product), ctx.vertex(x), ctx.vertex(y));
            } else if (commutes && broadcastsMaps(sx, sy) && ctx.batchAxis(node, x) == 0
                    && ctx.batchAxis(node, y) == 0) {
                ctx.vertex(out, new BroadcastVertex(op.equals("Add") ? BroadcastVertex.Op.ADD
                        : BroadcastVertex.Op.MUL), ctx.vertex(x), ctx.vertex(y));
            } else {
                sameBatch(node, ctx, x, y, shape);
                ctx.vertex(out, new BinaryVertex(shape, bop), ctx.vertex(x), ctx.vertex(y));
            }
            ctx.produces(out, out);
            return;
        }
        boolean constantFirst = !ctx.isDynamic(x);
        String dynamic = constantFirst ? y : x;
        String constant = constantFirst ? x : y;
        int constantInput = constantFirst ? 0 : 1;
        TensorData c = ctx.graph.constant(constant).orElseThrow(() -> new TranslationException("tensor \""
                + constant + "\" is used after the boundary but computed before it"));
        checkConstantBroadcast(node, ctx, dynamic, c.dims(), shape);
        if (c.isScalar() && commutes) {
            ctx.vertex(out, op.equals("Add") ? new ShiftVertex(c.scalar()) : new ScaleVertex(c.scalar()),
                    ctx.vertex(dynamic));
        } else if (ctx.graph.isTrainable(constant)) {
            String t = ctx.trained(node, constantInput);
            String[] in = constantFirst ? new String[]{t, ctx.vertex(dynamic)} : new String[]{ctx.vertex(dynamic), t};
            ctx.vertex(out, new BinaryVertex(shape, bop), in);
        } else {
            double[] v = new double[c.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = c.values()[i];
            }
            ctx.vertex(out, new BinaryVertex(shape, bop, v, c.dims(), constantFirst), ctx.vertex(dynamic));
        }
        ctx.produces(out, out);
    }

    /** Same-shape operands DL4J's ElementWiseVertex takes: rank 2 or 4, batch first. */
    private static boolean classic(long[] s, int ax, int ay) {
        return (s.length == 2 || s.length == 4) && ax == 0 && ay == 0;
    }

    /** Same rank (2 or 4), same batch, every other dimension equal or 1 in one of them. */
    private static boolean broadcastsMaps(long[] a, long[] b) {
        if (a.length != b.length || (a.length != 2 && a.length != 4) || a[0] != b[0]) {
            return false;
        }
        for (int i = 1; i < a.length; i++) {
            if (a[i] != b[i] && a[i] != 1 && b[i] != 1) {
                return false;
            }
        }
        return true;
    }

    /** Two activations broadcast against each other only where their batches line up. */
    private static void sameBatch(OnnxMl.NodeProto node, TranslationContext ctx, String x, String y, long[] out) {
        if (ctx.unbatched(x) != ctx.unbatched(y)) {
            // a value derived from weights (no batch) is broadcast over the batch like a constant
            String batched = ctx.unbatched(x) ? y : x;
            checkConstantBroadcast(node, ctx, batched, ctx.shape(ctx.unbatched(x) ? x : y), out);
            return;
        }
        int ax = ctx.batchAxis(node, x) + out.length - ctx.shape(x).length;
        int ay = ctx.batchAxis(node, y) + out.length - ctx.shape(y).length;
        if (ax != ay) {
            throw ctx.unsupported(node, "operands with their batch in different dimensions (" + ax + " and " + ay
                    + ")");
        }
    }

    /** A constant must not vary along the batch's dimension (it would then only fit a batch of one). */
    private static void checkConstantBroadcast(OnnxMl.NodeProto node, TranslationContext ctx, String dynamic,
                                               long[] constant, long[] out) {
        int a = ctx.batchAxis(node, dynamic) + out.length - ctx.shape(dynamic).length;
        int c = a - (out.length - constant.length);
        if (c >= 0 && constant[c] != 1) {
            throw ctx.unsupported(node, "a constant of shape " + Arrays.toString(constant) + " that varies along "
                    + "the batch dimension " + a + " of " + Arrays.toString(out));
        }
    }

    private static void concat(OnnxMl.NodeProto node, TranslationContext ctx) {
        String out = node.getOutput(0);
        long[] shape = ctx.shape(out);
        long axis = new NodeAttributes(node).i("axis", 1);
        if (axis < 0) {
            axis += shape.length;
        }
        String[] inputs = node.getInputList().stream().map(i -> {
            if (!ctx.isDynamic(i)) {
                throw ctx.unsupported(node, "input \"" + i + "\" is a constant; only computed tensors");
            }
            return ctx.vertex(i);
        }).toArray(String[]::new);
        int batch = ctx.batchAxis(node, out);
        for (String i : node.getInputList()) {
            if (ctx.batchAxis(node, i) != batch) {
                throw ctx.unsupported(node, "inputs with their batch in different dimensions");
            }
        }
        if (axis == batch) {
            throw ctx.unsupported(node, "concatenating along the batch dimension (axis " + axis + ")");
        }
        if (axis == 1 && batch == 0 && (shape.length == 2 || shape.length == 4)) {
            ctx.vertex(out, new MergeVertex(), inputs);
        } else {
            ctx.vertex(out, new ConcatVertex(shape, (int) axis), inputs);
        }
        ctx.produces(out, out);
    }
}
