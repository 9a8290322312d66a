package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.translate.layers.ExpandVertex;

import java.util.Arrays;
import java.util.Set;

/**
 * Expand of a weight of the base over the batch (ViT's {@code class_token.expand(n, -1, -1)}) onto
 * {@link ExpandVertex} reading a {@code TrainedTensor}; an Expand that leaves an activation as it is passes it on.
 */
final class ExpandTranslator implements OpTranslator {
    @Override
    public Set<String> ops() {
        return Set.of("Expand");
    }

    @Override
    public void translate(OnnxMl.NodeProto node, TranslationContext ctx) {
        String x = node.getInput(0);
        String out = node.getOutput(0);
        long[] to = ctx.shape(out);
        if (ctx.isDynamic(x)) {
            if (!Arrays.equals(ctx.shape(x), to)) {
                throw ctx.unsupported(node, "expanding an activation of shape " + Arrays.toString(ctx.shape(x))
                        + " to " + Arrays.toString(to));
            }
            ctx.produces(out, ctx.vertex(x));
            return;
        }
        if (!ctx.graph.isTrainable(x)) {
            throw ctx.unsupported(node, "expanding \"" + x + "\", which is not a float initializer of the base");
        }
        ctx.vertex(out, new ExpandVertex(to, ctx.batchAxis(node, out)), ctx.trained(node, 0), ctx.batchProbe());
        ctx.produces(out, out);
    }
}
