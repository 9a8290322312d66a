package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.NodeAttributes;
import io.transferpool.model.TensorData;
import io.transferpool.translate.layers.UnaryVertex;

import java.util.Set;

/**
 * Elementwise operators of one activation that DL4J has no activation for: Erf (of GELU as torch exports it:
 * Div, Erf, Add, Mul), Sqrt, Reciprocal, Neg, Exp, Pow by a constant (LayerNorm's opset-13 expansion), and Gelu
 * (opset 20, exact or tanh) onto {@link UnaryVertex}.
 */
final class UnaryTranslator implements OpTranslator {
    @Override
    public Set<String> ops() {
        return Set.of("Erf", "Sqrt", "Reciprocal", "Neg", "Exp", "Pow", "Gelu");
    }

    @Override
    public void translate(OnnxMl.NodeProto node, TranslationContext ctx) {
        String x = node.getInput(0);
        if (!ctx.isDynamic(x)) {
            throw ctx.unsupported(node, "a constant base");
        }
        double power = 0;
        UnaryVertex.Op op = switch (node.getOpType()) {
            case "Erf" -> UnaryVertex.Op.ERF;
            case "Sqrt" -> UnaryVertex.Op.SQRT;
            case "Reciprocal" -> UnaryVertex.Op.RECIPROCAL;
            case "Neg" -> UnaryVertex.Op.NEG;
            case "Exp" -> UnaryVertex.Op.EXP;
            case "Gelu" -> switch (new NodeAttributes(node).s("approximate", "none")) {
                case "none" -> UnaryVertex.Op.GELU;
                case "tanh" -> UnaryVertex.Op.GELU_TANH;
                default -> throw ctx.unsupported(node, "approximate=" + new NodeAttributes(node).s("approximate", ""));
            };
            default -> {
                TensorData p = ctx.constant(node, 1, "the exponent");
                if (!p.isScalar()) {
                    throw ctx.unsupported(node, "an exponent of shape " + java.util.Arrays.toString(p.dims())
                            + " (only one value)");
                }
                power = p.scalar();
                yield UnaryVertex.Op.POW;
            }
        };
        String out = node.getOutput(0);
        ctx.vertex(out, new UnaryVertex(ctx.shape(out), op, power), ctx.vertex(x));
        ctx.produces(out, out);
    }
}
