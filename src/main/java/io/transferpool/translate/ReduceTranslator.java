package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.NodeAttributes;
import io.transferpool.translate.layers.ReduceVertex;

import java.util.Arrays;
import java.util.Set;

/**
 * ReduceMean, ReduceMax and ReduceSum. Over the height and width of an image map they are global pooling
 * ({@link PoolTranslator}); over other dimensions of any activation (LayerNorm's opset-13 expansion over channels,
 * ShuffleNet's {@code x.mean([2, 3])} into a vector) mean and sum go onto {@link ReduceVertex}.
 */
final class ReduceTranslator implements OpTranslator {
    private final PoolTranslator pooling = new PoolTranslator();

    @Override
    public Set<String> ops() {
        return Set.of("ReduceMean", "ReduceMax", "ReduceSum");
    }

    @Override
    public void translate(OnnxMl.NodeProto node, TranslationContext ctx) {
        String x = node.getInput(0);
        long[] in = ctx.shape(x);
        NodeAttributes a = new NodeAttributes(node);
        long[] axes = a.ints("axes", null);
        if (axes == null && node.getInputCount() > 1 && !node.getInput(1).isEmpty()) {
            float[] v = ctx.constant(node, 1, "axes").values();
            axes = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                axes[i] = (long) v[i];
            }
        }
        if (axes != null && axes.length == 0 && a.i("noop_with_empty_axes", 0) != 0) {
            ctx.produces(node.getOutput(0), ctx.vertex(x)); // no axes and noop_with_empty_axes: the input as is
            return;
        }
        if (axes == null || axes.length == 0) {
            throw ctx.unsupported(node, "reduction over every axis, the batch's too");
        }
        int[] sorted = Arrays.stream(axes).mapToInt(d -> (int) (d < 0 ? d + in.length : d)).sorted().toArray();
        int batch = ctx.batchAxis(node, x);
        if (!node.getOpType().equals("ReduceSum") && in.length == 4 && batch == 0
                && Arrays.equals(sorted, new int[]{2, 3})) {
            pooling.translate(node, ctx);
            return;
        }
        if (Arrays.stream(sorted).anyMatch(d -> d == batch)) {
            throw ctx.unsupported(node, "reduction over the batch dimension (axis " + batch + ")");
        }
        if (node.getOpType().equals("ReduceMax")) {
            throw ctx.unsupported(node, "ReduceMax over axes " + Arrays.toString(axes) + " (only over height and "
                    + "width of an image map)");
        }
        String out = node.getOutput(0);
        ctx.vertex(out, new ReduceVertex(ctx.shape(out), node.getOpType().equals("ReduceMean") ? ReduceVertex.Op.MEAN
                : ReduceVertex.Op.SUM, sorted, a.i("keepdims", 1) != 0), ctx.vertex(x));
        ctx.produces(out, out);
    }
}
