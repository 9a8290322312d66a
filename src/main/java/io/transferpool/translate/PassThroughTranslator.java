package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;

import java.util.Set;

/**
 * Nodes that compute nothing at inference: Identity and Dropout pass their input on (Dropout's mask output is not
 * supported, nor dropout in training mode unless its ratio is 0); Constant values are read where they are used.
 */
final class PassThroughTranslator implements OpTranslator {
    @Override
    public Set<String> ops() {
        return Set.of("Identity", "Dropout", "Constant");
    }

    @Override
    public void translate(OnnxMl.NodeProto node, TranslationContext ctx) {
        if (node.getOpType().equals("Constant")) {
            return;
        }
        if (node.getOpType().equals("Dropout")) {
            String mask = node.getOutputCount() > 1 ? node.getOutput(1) : "";
            if (!mask.isEmpty() && (!ctx.graph.consumers(mask).isEmpty() || ctx.graph.isGraphOutput(mask))) {
                throw ctx.unsupported(node, "the mask output is used");
            }
            // torch's F.dropout(x, p) without training=False exports training_mode on: with a ratio of 0 (Swin's
            // attention dropout) it still passes its input on
            boolean training = node.getInputCount() > 2 && !node.getInput(2).isEmpty()
                    && ctx.graph.constant(node.getInput(2)).map(t -> t.values()[0] != 0).orElse(true);
            boolean noRatio = node.getInputCount() > 1 && !node.getInput(1).isEmpty()
                    && ctx.graph.constant(node.getInput(1)).map(t -> t.values()[0] == 0).orElse(false);
            if (training && !noRatio) {
                throw ctx.unsupported(node, "training_mode is on with a ratio other than 0");
            }
        }
        ctx.produces(node.getOutput(0), ctx.vertex(node.getInput(0)));
    }
}
