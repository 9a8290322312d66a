package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.NodeAttributes;
import io.transferpool.model.TensorData;
import io.transferpool.translate.layers.NormalizeVertex;
import io.transferpool.translate.layers.UnaryVertex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Operators exporters expand that run faster as one vertex: torch's exact GELU (Div by sqrt 2, Erf, Add 1, Mul by
 * the input, Mul by 0.5) onto one {@link UnaryVertex}, and LayerNorm's opset-13 expansion (ReduceMean, Sub, Pow 2,
 * ReduceMean, Add epsilon, Sqrt, Div) onto one {@link NormalizeVertex}; each pass over a large activation and its
 * gradient costs as much as a small GEMM. A pattern is fused only where its inner tensors are read by nothing else;
 * the result is the same function (the translation check compares it with ONNX Runtime as before).
 */
final class Fusions {
    /** A fused group: its input, its last node (which produces the output) and the vertex standing for it. */
    record Fused(String input, OnnxMl.NodeProto last, List<OnnxMl.NodeProto> inner, Kind kind, int axis,
                 double epsilon) {
        enum Kind { GELU, NORMALIZE }
    }

    private Fusions() {
    }

    /** The fusable groups among {@code nodes}, keyed by the name of their last node. */
    static Map<String, Fused> find(List<OnnxMl.NodeProto> nodes, TranslationContext ctx) {
        Map<String, Fused> out = new LinkedHashMap<>();
        for (OnnxMl.NodeProto n : nodes) {
            Optional<Fused> f = switch (n.getOpType()) {
                case "Erf" -> gelu(n, ctx);
                case "Div" -> normalize(n, ctx);
                default -> Optional.empty();
            };
            f.ifPresent(g -> out.put(TranslationContext.nodeName(g.last()), g));
        }
        return out;
    }

    static void translate(Fused f, TranslationContext ctx) {
        String out = f.last().getOutput(0);
        long[] shape = ctx.shape(out);
        ctx.vertex(out, f.kind() == Fused.Kind.GELU ? new UnaryVertex(shape, UnaryVertex.Op.GELU, 0)
                : new NormalizeVertex(shape, f.axis(), f.epsilon()), ctx.vertex(f.input()));
        ctx.produces(out, out);
    }

    /** The only reader of {@code tensor} in the suffix, if it has exactly one and is not a graph output. */
    private static Optional<OnnxMl.NodeProto> onlyReader(String tensor, TranslationContext ctx) {
        List<OnnxMl.NodeProto> r = ctx.graph.consumers(tensor);
        return r.size() == 1 && !ctx.graph.isGraphOutput(tensor) && ctx.inSuffix(r.get(0)) ? Optional.of(r.get(0))
                : Optional.empty();
    }

    /** The scalar constant among a binary node's inputs, the other being {@code operand}. */
    private static Optional<Float> scalarWith(OnnxMl.NodeProto n, String operand, TranslationContext ctx) {
        if (n.getInputCount() != 2 || !n.getInputList().contains(operand)) {
            return Optional.empty();
        }
        String other = n.getInput(0).equals(operand) ? n.getInput(1) : n.getInput(0);
        if (n.getOpType().equals("Div") || n.getOpType().equals("Sub") || n.getOpType().equals("Pow")) {
            if (!n.getInput(0).equals(operand)) {
                return Optional.empty(); // the constant must be the right operand
            }
        }
        return ctx.graph.constant(other).filter(TensorData::isScalar).map(TensorData::scalar);
    }

    private static boolean near(float v, double expected) {
        return Math.abs(v - expected) < 1e-4 * Math.max(1, Math.abs(expected));
    }

    private static boolean is(OnnxMl.NodeProto n, String op) {
        return n != null && n.getOpType().equals(op);
    }

    private static Optional<Fused> gelu(OnnxMl.NodeProto erf, TranslationContext ctx) {
        OnnxMl.NodeProto div = ctx.graph.producer(erf.getInput(0)).orElse(null);
        if (!is(div, "Div") || !ctx.inSuffix(div) || onlyReader(div.getOutput(0), ctx).isEmpty()) {
            return Optional.empty();
        }
        String x = div.getInput(0);
        if (ctx.graph.isConstant(x) || !scalarWith(div, x, ctx).filter(v -> near(v, Math.sqrt(2))).isPresent()) {
            return Optional.empty();
        }
        OnnxMl.NodeProto add = onlyReader(erf.getOutput(0), ctx).orElse(null);
        if (!is(add, "Add") || !scalarWith(add, erf.getOutput(0), ctx).filter(v -> near(v, 1)).isPresent()) {
            return Optional.empty();
        }
        OnnxMl.NodeProto mul = onlyReader(add.getOutput(0), ctx).orElse(null);
        if (!is(mul, "Mul") || !mul.getInputList().contains(x)) {
            return Optional.empty();
        }
        OnnxMl.NodeProto half = onlyReader(mul.getOutput(0), ctx).orElse(null);
        if (!is(half, "Mul") || !scalarWith(half, mul.getOutput(0), ctx).filter(v -> near(v, 0.5)).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(new Fused(x, half, List.of(div, erf, add, mul), Fused.Kind.GELU, 0, 0));
    }

    private static Optional<Fused> normalize(OnnxMl.NodeProto div, TranslationContext ctx) {
        OnnxMl.NodeProto sub = ctx.graph.producer(div.getInput(0)).orElse(null);
        OnnxMl.NodeProto sqrt = ctx.graph.producer(div.getInput(1)).orElse(null);
        if (!is(sub, "Sub") || !is(sqrt, "Sqrt") || !ctx.inSuffix(sub) || !ctx.inSuffix(sqrt)) {
            return Optional.empty();
        }
        String x = sub.getInput(0);
        OnnxMl.NodeProto mean = ctx.graph.producer(sub.getInput(1)).orElse(null);
        OnnxMl.NodeProto addEps = ctx.graph.producer(sqrt.getInput(0)).orElse(null);
        OnnxMl.NodeProto var = addEps == null ? null : ctx.graph.producer(addEps.getInput(0)).orElse(null);
        OnnxMl.NodeProto pow = var == null ? null : ctx.graph.producer(var.getInput(0)).orElse(null);
        if (!is(mean, "ReduceMean") || !mean.getInput(0).equals(x) || !is(addEps, "Add") || !is(var, "ReduceMean")
                || !is(pow, "Pow") || !pow.getInput(0).equals(sub.getOutput(0))) {
            return Optional.empty();
        }
        Optional<Float> eps = scalarWith(addEps, var.getOutput(0), ctx);
        if (scalarWith(pow, sub.getOutput(0), ctx).filter(v -> v == 2f).isEmpty() || eps.isEmpty()) {
            return Optional.empty();
        }
        // inner tensors read by nothing else: the mean by Sub, the centred input by Pow and Div only
        List<OnnxMl.NodeProto> centredReaders = ctx.graph.consumers(sub.getOutput(0));
        if (onlyReader(mean.getOutput(0), ctx).isEmpty() || onlyReader(pow.getOutput(0), ctx).isEmpty()
                || onlyReader(var.getOutput(0), ctx).isEmpty() || onlyReader(addEps.getOutput(0), ctx).isEmpty()
                || onlyReader(sqrt.getOutput(0), ctx).isEmpty() || centredReaders.size() != 2
                || ctx.graph.isGraphOutput(sub.getOutput(0))) {
            return Optional.empty();
        }
        int rank = ctx.shape(x).length;
        int[] a1 = trailingAxes(mean, rank);
        int[] a2 = trailingAxes(var, rank);
        if (a1 == null || !Arrays.equals(a1, a2)) {
            return Optional.empty();
        }
        return Optional.of(new Fused(x, div, new ArrayList<>(List.of(mean, sub, pow, var, addEps, sqrt)),
                Fused.Kind.NORMALIZE, a1[0], eps.get()));
    }

    /** A ReduceMean's axes (attribute) when they are the last ones and kept, else null. */
    private static int[] trailingAxes(OnnxMl.NodeProto reduce, int rank) {
        NodeAttributes a = new NodeAttributes(reduce);
        long[] axes = a.ints("axes", null);
        if (axes == null || a.i("keepdims", 1) == 0) {
            return null;
        }
        int[] sorted = Arrays.stream(axes).mapToInt(d -> (int) (d < 0 ? d + rank : d)).sorted().toArray();
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] != rank - sorted.length + i) {
                return null;
            }
        }
        return sorted;
    }
}
