package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.NodeAttributes;
import io.transferpool.model.TensorData;
import io.transferpool.translate.layers.GatherVertex;
import io.transferpool.translate.layers.SliceVertex;

import java.util.Arrays;
import java.util.Set;

/**
 * Operators that take part of an activation, along any dimension but the batch's: Slice (strided too, as Swin's
 * patch merging and torch.roll export it) and each output of Split (ShuffleNet's channel split) onto
 * {@link SliceVertex}; Gather by constant indices (ViT's class token, {@code x[:, 0]}; a weight table, Swin's
 * relative position bias when exported without folding) onto {@link GatherVertex}.
 */
final class SliceTranslator implements OpTranslator {
    @Override
    public Set<String> ops() {
        return Set.of("Slice", "Split", "Gather");
    }

    @Override
    public void translate(OnnxMl.NodeProto node, TranslationContext ctx) {
        switch (node.getOpType()) {
            case "Slice" -> slice(node, ctx);
            case "Split" -> split(node, ctx);
            default -> gather(node, ctx);
        }
    }

    private static long axis(long a, int rank) {
        return a < 0 ? a + rank : a;
    }

    private static long[] ints(OnnxMl.NodeProto node, TranslationContext ctx, int input, String attr, String what) {
        if (ctx.graph.opset() < 10 || (ctx.graph.opset() < 13 && node.getOpType().equals("Split"))) {
            return new NodeAttributes(node).ints(attr, null);
        }
        if (input >= node.getInputCount() || node.getInput(input).isEmpty()) {
            return null;
        }
        float[] v = ctx.constant(node, input, what).values();
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] >= Long.MAX_VALUE ? Long.MAX_VALUE : v[i] <= Long.MIN_VALUE ? Long.MIN_VALUE : (long) v[i];
        }
        return out;
    }

    private static void slice(OnnxMl.NodeProto node, TranslationContext ctx) {
        String x = node.getInput(0);
        long[] in = ctx.shape(x);
        long[] starts = ints(node, ctx, 1, "starts", "starts");
        long[] ends = ints(node, ctx, 2, "ends", "ends");
        long[] axes = ints(node, ctx, 3, "axes", "axes");
        long[] steps = ints(node, ctx, 4, "steps", "steps");
        long[] begin = new long[in.length];
        long[] end = new long[in.length];
        long[] step = new long[in.length];
        Arrays.fill(end, -1);
        Arrays.fill(step, 1);
        int batch = ctx.batchAxis(node, x);
        for (int i = 0; i < starts.length; i++) {
            int d = (int) axis(axes == null ? i : axes[i], in.length);
            long st = steps == null ? 1 : steps[i];
            if (st <= 0) {
                throw ctx.unsupported(node, "step " + st + " (only positive steps)");
            }
            long b = clamp(starts[i], in[d]);
            long e = clamp(ends[i], in[d]);
            if (d == batch) {
                if (b != 0 || e != in[d] || st != 1) {
                    throw ctx.unsupported(node, "slicing the batch dimension (axis " + d + ")");
                }
                continue;
            }
            if (e <= b) {
                throw ctx.unsupported(node, "an empty slice (" + starts[i] + " to " + ends[i] + " of dimension " + d
                        + ", size " + in[d] + ")");
            }
            begin[d] = b;
            end[d] = e;
            step[d] = st;
        }
        add(node, ctx, node.getOutput(0), begin, end, step);
    }

    private static long clamp(long v, long dim) {
        long r = v < 0 ? v + dim : v;
        return Math.max(0, Math.min(dim, r));
    }

    private static void add(OnnxMl.NodeProto node, TranslationContext ctx, String out, long[] begin, long[] end,
                            long[] step) {
        ctx.vertex(out, new SliceVertex(ctx.shape(out), begin, end, step), ctx.vertex(node.getInput(0)));
        ctx.produces(out, out);
    }

    private static void split(OnnxMl.NodeProto node, TranslationContext ctx) {
        String x = node.getInput(0);
        long[] in = ctx.shape(x);
        int axis = (int) axis(new NodeAttributes(node).i("axis", 0), in.length);
        if (axis == ctx.batchAxis(node, x)) {
            throw ctx.unsupported(node, "splitting the batch dimension (axis " + axis + ")");
        }
        long from = 0;
        for (String out : node.getOutputList()) {
            if (out.isEmpty()) {
                continue;
            }
            long size = ctx.shape(out)[axis];
            if (ctx.needed(out)) {
                long[] begin = new long[in.length];
                long[] end = new long[in.length];
                long[] step = new long[in.length];
                Arrays.fill(end, -1);
                Arrays.fill(step, 1);
                begin[axis] = from;
                end[axis] = from + size;
                add(node, ctx, out, begin, end, step);
            }
            from += size;
        }
    }

    private static void gather(OnnxMl.NodeProto node, TranslationContext ctx) {
        String x = node.getInput(0);
        String data;
        boolean table = !ctx.isDynamic(x);
        if (table) {
            // a weight of the base gathered at run time (Swin's relative position table): trained
            if (!ctx.graph.isTrainable(x)) {
                throw ctx.unsupported(node, "gathering from a constant that is not a weight of the base");
            }
            data = ctx.trained(node, 0);
        } else {
            data = ctx.vertex(x);
        }
        long[] in = table ? ctx.constant(node, 0, "the table").dims() : ctx.shape(x);
        int axis = (int) axis(new NodeAttributes(node).i("axis", 0), in.length);
        if (!table && !ctx.unbatched(x) && axis == ctx.batchAxis(node, x)) {
            throw ctx.unsupported(node, "gathering along the batch dimension (axis " + axis + ")");
        }
        TensorData idx = ctx.constant(node, 1, "the indices");
        int[] indices = new int[idx.size()];
        for (int i = 0; i < indices.length; i++) {
            long v = (long) idx.values()[i];
            indices[i] = (int) (v < 0 ? v + in[axis] : v);
            if (indices[i] < 0 || indices[i] >= in[axis]) {
                throw ctx.unsupported(node, "index " + v + " outside dimension " + axis + " of size " + in[axis]);
            }
        }
        String out = node.getOutput(0);
        ctx.vertex(out, new GatherVertex(ctx.shape(out), axis, indices, idx.dims()), data);
        ctx.produces(out, out);
    }
}
