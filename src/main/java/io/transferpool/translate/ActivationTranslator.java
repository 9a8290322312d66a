package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.NodeAttributes;
import io.transferpool.translate.layers.SoftmaxVertex;
import io.transferpool.translate.layers.HardSigmoidActivation;
import io.transferpool.translate.layers.HardSwishActivation;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationHardTanH;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;

import java.util.Set;

/**
 * Element-wise activations (and Softmax over the last axis of [N, K]) onto DL4J ActivationLayers; HardSigmoid with
 * its alpha and beta, and HardSwish, through activations of our own.
 */
final class ActivationTranslator implements OpTranslator {
    @Override
    public Set<String> ops() {
        return Set.of("Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "Softmax", "HardSigmoid", "HardSwish");
    }

    @Override
    public void translate(OnnxMl.NodeProto node, TranslationContext ctx) {
        NodeAttributes a = new NodeAttributes(node);
        if (node.getOpType().equals("Softmax") && ctx.shape(node.getInput(0)).length != 2) {
            tensorSoftmax(node, ctx, a);
            return;
        }
        IActivation fn = switch (node.getOpType()) {
            case "Relu" -> new ActivationReLU();
            case "LeakyRelu" -> new ActivationLReLU(a.f("alpha", 0.01f));
            case "Sigmoid" -> new ActivationSigmoid();
            case "Tanh" -> new ActivationTanH();
            case "Clip" -> clip(node, ctx, a);
            case "Softmax" -> softmax(node, ctx, a);
            case "HardSigmoid" -> new HardSigmoidActivation(a.f("alpha", 0.2f), a.f("beta", 0.5f));
            case "HardSwish" -> new HardSwishActivation();
            default -> throw ctx.unsupported(node, "not an activation");
        };
        String out = node.getOutput(0);
        ctx.layer(out, new ActivationLayer.Builder().activation(fn).build(), ctx.vertex(node.getInput(0)));
        ctx.produces(out, out);
    }

    private static IActivation clip(OnnxMl.NodeProto node, TranslationContext ctx, NodeAttributes a) {
        double min;
        double max;
        if (ctx.graph.opset() < 11) {
            min = a.f("min", Float.NEGATIVE_INFINITY);
            max = a.f("max", Float.POSITIVE_INFINITY);
        } else {
            min = bound(node, ctx, 1, Double.NEGATIVE_INFINITY);
            max = bound(node, ctx, 2, Double.POSITIVE_INFINITY);
        }
        if (min == 0 && max == 6) {
            return new ActivationReLU6();
        }
        if (min == 0 && Double.isInfinite(max)) {
            return new ActivationReLU();
        }
        if (min == 0) {
            return new ActivationReLU(max, 0.0, 0.0);
        }
        if (min == -1 && max == 1) {
            return new ActivationHardTanH();
        }
        throw ctx.unsupported(node, "Clip(min=" + min + ", max=" + max + "): only min 0 (ReLU, ReLU6) or [-1, 1] "
                + "(hard tanh) map onto DL4J activations");
    }

    private static double bound(OnnxMl.NodeProto node, TranslationContext ctx, int input, double dflt) {
        if (input >= node.getInputCount() || node.getInput(input).isEmpty()) {
            return dflt;
        }
        return ctx.constant(node, input, input == 1 ? "min" : "max").scalar();
    }

    /** Softmax over the last dimension of a tensor of another rank (attention weights). */
    private static void tensorSoftmax(OnnxMl.NodeProto node, TranslationContext ctx, NodeAttributes a) {
        String x = node.getInput(0);
        long[] in = ctx.shape(x);
        long axis = a.i("axis", ctx.graph.opset() < 13 ? 1 : -1);
        if (axis < 0) {
            axis += in.length;
        }
        if (axis != in.length - 1 || ctx.batchAxis(node, x) == axis) {
            throw ctx.unsupported(node, "Softmax over axis " + axis + " of a rank-" + in.length + " tensor; only the "
                    + "last axis");
        }
        String out = node.getOutput(0);
        ctx.vertex(out, new SoftmaxVertex(in), ctx.vertex(x));
        ctx.produces(out, out);
    }

    private static IActivation softmax(OnnxMl.NodeProto node, TranslationContext ctx, NodeAttributes a) {
        long[] in = ctx.shape(node.getInput(0));
        long axis = a.i("axis", ctx.graph.opset() < 13 ? 1 : -1);
        if (axis < 0) {
            axis += in.length;
        }
        if (in.length != 2 || axis != 1) {
            throw ctx.unsupported(node, "Softmax over axis " + axis + " of a rank-" + in.length + " tensor; only the "
                    + "last axis of [N, K]");
        }
        return new ActivationSoftmax();
    }
}
