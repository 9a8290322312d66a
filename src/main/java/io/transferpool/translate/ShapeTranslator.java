package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.NodeAttributes;
import io.transferpool.translate.layers.PermuteVertex;
import io.transferpool.translate.layers.ReshapeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;

import java.util.Arrays;
import java.util.Set;

/**
 * Operators that only rearrange an activation: Flatten, Reshape, Squeeze, Unsqueeze onto {@link ReshapeVertex}
 * (the target for a batch of one, wherever the batch went: {@code model.BatchAxes}), Transpose onto
 * {@link PermuteVertex}. A [N, C, H, W] map flattened to [N, C*H*W] stays DL4J's CNN-to-feed-forward preprocessor,
 * which flattens in the same order. The target shape is taken from the shapes ONNX Runtime computed, so a target
 * computed at run time from the batch size ({@code x.view(B, ...)} exported with a dynamic batch) needs no folding.
 */
final class ShapeTranslator implements OpTranslator {
    @Override
    public Set<String> ops() {
        return Set.of("Flatten", "Reshape", "Squeeze", "Unsqueeze", "Transpose");
    }

    @Override
    public void translate(OnnxMl.NodeProto node, TranslationContext ctx) {
        String x = node.getInput(0);
        String out = node.getOutput(0);
        long[] in = ctx.shape(x);
        long[] to = ctx.shape(out);
        String input = ctx.vertex(x);
        int inAxis = ctx.batchAxis(node, x);
        int outAxis = ctx.batchAxis(node, out);
        if (node.getOpType().equals("Transpose")) {
            long[] p = new NodeAttributes(node).ints("perm", null);
            int[] perm = new int[in.length];
            for (int d = 0; d < perm.length; d++) {
                perm[d] = p == null ? perm.length - 1 - d : (int) p[d];
            }
            ctx.vertex(out, new PermuteVertex(to, perm), input);
            ctx.produces(out, out);
            return;
        }
        long rest = Arrays.stream(in).skip(1).reduce(1, (a, b) -> a * b);
        boolean flattensMap = in.length == 4 && to.length == 2 && inAxis == 0 && outAxis == 0 && to[1] == rest;
        if (flattensMap) {
            ctx.vertex(out, new PreprocessorVertex(new CnnToFeedForwardPreProcessor(in[2], in[3], in[1])), input);
            ctx.produces(out, out);
        } else if (Arrays.equals(in, to) && inAxis == outAxis) {
            ctx.produces(out, input);
        } else {
            ctx.vertex(out, new ReshapeVertex(to, outAxis), input);
            ctx.produces(out, out);
        }
    }
}
