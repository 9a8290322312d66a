package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.TensorData;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;

import java.util.Arrays;
import java.util.Set;

/**
 * Flatten with axis 1, and Reshape in its flatten form ([N, C, H, W] to [N, C*H*W] with a constant shape): a
 * CNN-to-feed-forward preprocessor, which flattens in the same C, H, W order as ONNX.
 */
final class FlattenTranslator implements OpTranslator {
    @Override
    public Set<String> ops() {
        return Set.of("Flatten", "Reshape");
    }

    @Override
    public void translate(OnnxMl.NodeProto node, TranslationContext ctx) {
        long[] in = ctx.shape(node.getInput(0));
        if (node.getOpType().equals("Flatten")) {
            long axis = new Attributes(node).i("axis", 1);
            if (axis < 0) {
                axis += in.length;
            }
            if (axis != 1) {
                throw ctx.unsupported(node, "Flatten with axis " + axis + " (only axis 1 keeps the batch dimension)");
            }
        } else {
            TensorData shape = ctx.constant(node, 1, "the target shape");
            long[] target = target(in, shape.values());
            long rest = Arrays.stream(in).skip(1).reduce(1, (a, b) -> a * b);
            if (target.length != 2 || target[0] != in[0] || target[1] != rest) {
                throw ctx.unsupported(node, "Reshape to " + Arrays.toString(shape.values()) + "; only the flatten "
                        + "form [N, -1] is supported");
            }
        }
        String out = node.getOutput(0);
        String input = ctx.vertex(node.getInput(0));
        switch (in.length) {
            case 2 -> ctx.produces(out, input);
            case 4 -> {
                ctx.vertex(out, new PreprocessorVertex(new CnnToFeedForwardPreProcessor(in[2], in[3], in[1])), input);
                ctx.produces(out, out);
            }
            default -> throw ctx.unsupported(node, "flattening a rank-" + in.length + " tensor (only rank 4 or 2)");
        }
    }

    /** ONNX Reshape's rules: 0 copies the input dimension, -1 takes what is left. */
    static long[] target(long[] in, float[] shape) {
        long[] t = new long[shape.length];
        long known = 1;
        int minus = -1;
        for (int i = 0; i < t.length; i++) {
            t[i] = (long) shape[i];
            if (t[i] == 0 && i < in.length) {
                t[i] = in[i];
            }
            if (t[i] == -1) {
                minus = i;
            } else {
                known *= t[i];
            }
        }
        if (minus >= 0) {
            t[minus] = Arrays.stream(in).reduce(1, (a, b) -> a * b) / Math.max(1, known);
        }
        return t;
    }
}
