package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.ConstantFolder;
import io.transferpool.model.NodeAttributes;
import io.transferpool.model.TensorData;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;

import java.util.Arrays;
import java.util.Set;

/**
 * Flatten with axis 1, and Reshape in its flatten form ([N, C, H, W] to [N, C*H*W] with a constant shape, also
 * when that shape is folded from Shape/Gather/Unsqueeze/Concat): a CNN-to-feed-forward preprocessor, which flattens
 * in the same C, H, W order as ONNX.
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
            long axis = new NodeAttributes(node).i("axis", 1);
            if (axis < 0) {
                axis += in.length;
            }
            if (axis != 1) {
                throw ctx.unsupported(node, "Flatten with axis " + axis + " (only axis 1 keeps the batch dimension)");
            }
        } else {
            TensorData shape = ctx.constant(node, 1, "the target shape");
            long[] target;
            try {
                target = ConstantFolder.reshapeTarget(in, shape.values(),
                        new NodeAttributes(node).i("allowzero", 0) != 0);
            } catch (IllegalArgumentException e) {
                throw ctx.unsupported(node, "Reshape to " + Arrays.toString(shape.values()) + ": " + e.getMessage());
            }
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
}
