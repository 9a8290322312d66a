package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.NodeAttributes;
import io.transferpool.translate.layers.ConstantPadVertex;
import io.transferpool.translate.layers.PadVertex;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;

import java.util.Arrays;
import java.util.Set;

/**
 * Pad in constant mode over height and width of [N, C, H, W] (DenseNet writes one, all zeros, in front of its
 * transition pooling): nothing when every pad is 0, a ZeroPaddingLayer for the value 0, a {@link ConstantPadVertex}
 * for another value; other ranks, layouts and axes (a sequence, an NHWC map padded to whole windows) onto
 * {@link PadVertex}.
 */
final class PadTranslator implements OpTranslator {
    @Override
    public Set<String> ops() {
        return Set.of("Pad");
    }

    @Override
    public void translate(OnnxMl.NodeProto node, TranslationContext ctx) {
        long[] in = ctx.shape(node.getInput(0));
        NodeAttributes a = new NodeAttributes(node);
        String mode = a.s("mode", "constant");
        if (!mode.equals("constant")) {
            throw ctx.unsupported(node, "mode \"" + mode + "\" (only constant)");
        }
        long[] pads;
        double value;
        if (ctx.graph.opset() < 11) {
            pads = a.ints("pads", null);
            value = a.f("value", 0f);
        } else {
            pads = longs(ctx.constant(node, 1, "pads").values());
            value = node.getInputCount() > 2 && !node.getInput(2).isEmpty()
                    ? ctx.constant(node, 2, "constant_value").scalar() : 0;
            if (node.getInputCount() > 3 && !node.getInput(3).isEmpty()) {
                pads = onAxes(pads, longs(ctx.constant(node, 3, "axes").values()), in.length);
            }
        }
        if (pads == null || pads.length != 2 * in.length) {
            throw ctx.unsupported(node, "pads " + Arrays.toString(pads) + " (" + 2 * in.length + " values for a rank-"
                    + in.length + " input)");
        }
        if (Arrays.stream(pads).allMatch(p -> p == 0)) {
            ctx.produces(node.getOutput(0), ctx.vertex(node.getInput(0)));
            return;
        }
        if (Arrays.stream(pads).anyMatch(p -> p < 0)) {
            throw ctx.unsupported(node, "negative pads (cropping) " + Arrays.toString(pads));
        }
        if (in.length != 4 || ctx.batchAxis(node, node.getInput(0)) != 0 || pads[1] != 0 || pads[5] != 0) {
            anyRank(node, ctx, in, pads, value);
            return;
        }
        if (pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0) {
            throw ctx.unsupported(node, "padding of the batch or channel axis " + Arrays.toString(pads));
        }
        if (Arrays.stream(pads).anyMatch(p -> p < 0)) {
            throw ctx.unsupported(node, "negative pads (cropping) " + Arrays.toString(pads));
        }
        String out = node.getOutput(0);
        String input = ctx.vertex(node.getInput(0));
        int top = (int) pads[2];
        int left = (int) pads[3];
        int bottom = (int) pads[6];
        int right = (int) pads[7];
        if (top == 0 && left == 0 && bottom == 0 && right == 0) {
            ctx.produces(out, input);
        } else if (value == 0) {
            ctx.layer(out, new ZeroPaddingLayer.Builder(top, bottom, left, right).build(), input);
            ctx.produces(out, out);
        } else {
            ctx.vertex(out, new ConstantPadVertex(top, bottom, left, right, value), input);
            ctx.produces(out, out);
        }
    }

    /** Constant padding of any activation, the batch's dimension excepted, onto {@link PadVertex}. */
    private static void anyRank(OnnxMl.NodeProto node, TranslationContext ctx, long[] in, long[] pads, double value) {
        int batch = ctx.batchAxis(node, node.getInput(0));
        if (pads[batch] != 0 || pads[in.length + batch] != 0) {
            throw ctx.unsupported(node, "padding of the batch dimension " + Arrays.toString(pads));
        }
        String out = node.getOutput(0);
        ctx.vertex(out, new PadVertex(ctx.shape(out), Arrays.copyOfRange(pads, 0, in.length),
                Arrays.copyOfRange(pads, in.length, 2 * in.length), value), ctx.vertex(node.getInput(0)));
        ctx.produces(out, out);
    }

    private static long[] longs(float[] v) {
        long[] l = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            l[i] = (long) v[i];
        }
        return l;
    }

    /** Pads given for some axes only (opset 18's axes input), spread over all {@code rank} axes. */
    private static long[] onAxes(long[] pads, long[] axes, int rank) {
        long[] full = new long[2 * rank];
        for (int i = 0; i < axes.length; i++) {
            int ax = (int) (axes[i] < 0 ? axes[i] + rank : axes[i]);
            full[ax] = pads[i];
            full[rank + ax] = pads[axes.length + i];
        }
        return full;
    }
}
