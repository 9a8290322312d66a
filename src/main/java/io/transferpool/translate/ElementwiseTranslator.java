package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.NodeAttributes;
import io.transferpool.model.TensorData;
import io.transferpool.translate.layers.BroadcastVertex;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.ShiftVertex;

import java.util.Arrays;
import java.util.Set;

/**
 * Add and Mul of two computed tensors of the same shape (residual adds) onto ElementWiseVertex, of shapes that
 * broadcast (the squeeze-and-excitation gate, [N, C, 1, 1] times [N, C, H, W]) onto {@link BroadcastVertex}, of a
 * computed tensor and a scalar constant onto Shift/ScaleVertex; Concat over channels onto MergeVertex.
 */
final class ElementwiseTranslator implements OpTranslator {
    @Override
    public Set<String> ops() {
        return Set.of("Add", "Mul", "Concat");
    }

    @Override
    public void translate(OnnxMl.NodeProto node, TranslationContext ctx) {
        String out = node.getOutput(0);
        if (node.getOpType().equals("Concat")) {
            long[] first = ctx.shape(node.getInput(0));
            long axis = new NodeAttributes(node).i("axis", 1);
            if (axis < 0) {
                axis += first.length;
            }
            if (axis != 1) {
                throw ctx.unsupported(node, "Concat over axis " + axis + " (only axis 1, the channels)");
            }
            String[] inputs = node.getInputList().stream().map(i -> {
                if (!ctx.isDynamic(i)) {
                    throw ctx.unsupported(node, "input \"" + i + "\" is a constant; only computed tensors");
                }
                return ctx.vertex(i);
            }).toArray(String[]::new);
            ctx.vertex(out, new MergeVertex(), inputs);
            ctx.produces(out, out);
            return;
        }
        boolean add = node.getOpType().equals("Add");
        String x = node.getInput(0);
        String y = node.getInput(1);
        if (ctx.isDynamic(x) && ctx.isDynamic(y)) {
            long[] sx = ctx.shape(x);
            long[] sy = ctx.shape(y);
            if (Arrays.equals(sx, sy)) {
                ctx.vertex(out, new ElementWiseVertex(add ? ElementWiseVertex.Op.Add : ElementWiseVertex.Op.Product),
                        ctx.vertex(x), ctx.vertex(y));
            } else if (broadcasts(sx, sy)) {
                ctx.vertex(out, new BroadcastVertex(add ? BroadcastVertex.Op.ADD : BroadcastVertex.Op.MUL),
                        ctx.vertex(x), ctx.vertex(y));
            } else {
                throw ctx.unsupported(node, "broadcasting " + Arrays.toString(sx) + " with " + Arrays.toString(sy)
                        + " (only tensors of the same rank, 2 or 4, whose dimensions are equal or 1, with the same "
                        + "batch)");
            }
        } else {
            String dynamic = ctx.isDynamic(x) ? x : y;
            String constant = dynamic.equals(x) ? y : x;
            TensorData c = ctx.graph.constant(constant).orElseThrow(() -> new TranslationException("tensor \""
                    + constant + "\" is used after the boundary but computed before it"));
            if (!c.isScalar()) {
                throw ctx.unsupported(node, "a constant operand of shape " + Arrays.toString(c.dims())
                        + " (only scalars, or a bias right after MatMul)");
            }
            ctx.vertex(out, add ? new ShiftVertex(c.scalar()) : new ScaleVertex(c.scalar()), ctx.vertex(dynamic));
        }
        ctx.produces(out, out);
    }

    /** Same rank (2 or 4), same batch, every other dimension equal or 1 in one of them. */
    private static boolean broadcasts(long[] a, long[] b) {
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
}
