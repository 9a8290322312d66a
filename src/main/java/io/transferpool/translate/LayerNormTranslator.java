package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.NodeAttributes;
import io.transferpool.translate.layers.BinaryVertex;
import io.transferpool.translate.layers.NormalizeVertex;

import java.util.Set;

/**
 * LayerNormalization (opset 17): {@link NormalizeVertex} over the dimensions from {@code axis} on, then its scale
 * and bias as {@code TrainedTensor}s multiplied and added, written back into the node's own initializers.
 */
final class LayerNormTranslator implements OpTranslator {
    @Override
    public Set<String> ops() {
        return Set.of("LayerNormalization");
    }

    @Override
    public void translate(OnnxMl.NodeProto node, TranslationContext ctx) {
        for (int o = 1; o < node.getOutputCount(); o++) {
            String extra = node.getOutput(o);
            if (!extra.isEmpty() && (!ctx.graph.consumers(extra).isEmpty() || ctx.graph.isGraphOutput(extra))) {
                throw ctx.unsupported(node, "the mean or inverse deviation output is used");
            }
        }
        String x = node.getInput(0);
        long[] in = ctx.shape(x);
        NodeAttributes a = new NodeAttributes(node);
        long axis = a.i("axis", -1);
        if (axis < 0) {
            axis += in.length;
        }
        if (ctx.batchAxis(node, x) >= axis) {
            throw ctx.unsupported(node, "normalising over the batch dimension");
        }
        String out = node.getOutput(0);
        String norm = out + "#normalized";
        ctx.vertex(norm, new NormalizeVertex(in, (int) axis, a.f("epsilon", 1e-5f)), ctx.vertex(x));
        String scaled = norm;
        if (node.getInputCount() > 1 && !node.getInput(1).isEmpty()) {
            scaled = out + "#scaled";
            ctx.vertex(scaled, new BinaryVertex(in, BinaryVertex.Op.MUL), norm, param(node, ctx, 1));
        }
        if (node.getInputCount() > 2 && !node.getInput(2).isEmpty()) {
            ctx.vertex(out, new BinaryVertex(in, BinaryVertex.Op.ADD), scaled, param(node, ctx, 2));
            ctx.produces(out, out);
        } else {
            ctx.produces(out, scaled);
        }
    }

    /** The scale or bias: trained, or (a fixed constant, or a single value) a constant of its vertex. */
    private static String param(OnnxMl.NodeProto node, TranslationContext ctx, int input) {
        if (!ctx.graph.isTrainable(node.getInput(input))) {
            throw ctx.unsupported(node, (input == 1 ? "the scale" : "the bias") + " \"" + node.getInput(input)
                    + "\" is not a float initializer of the base");
        }
        return ctx.trained(node, input);
    }
}
