package io.transferpool.model;

import ai.onnx.proto.OnnxMl;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which dimension of each tensor holds the batch. Images come in batch first, but transformers move it: torch's
 * multi-head attention works on [T, N, E] and folds the batch into [T, N * heads, d], Swin folds it into
 * [N * windows, T, C]. Known from the shapes for a batch of one and each operator's rule, the batch is the outermost
 * factor of its dimension: a Reshape keeps it where the target's leading dimensions hold exactly what came before
 * it. {@link #NONE} marks tensors without a batch (constants, shapes) and those whose batch cannot be followed (a
 * reshape that mixes it with other dimensions, a reduction over it).
 * <p>
 * Where ONNX Runtime runs the model on a batch of two, the shapes for two and for one say it for every tensor: the
 * dimension that doubled. That is exact, also where a reshape's target alone is ambiguous (torch's attention turns
 * [T, N * heads, d] into [T * N, E], the batch inside the first dimension, and its reshape of [T, N, E] into
 * [T, N * heads, d] looks the same for a batch of one). The rules serve models exported with the batch fixed to 1.
 */
public final class BatchAxes {
    public static final int NONE = -1;

    private BatchAxes() {
    }

    /**
     * @param inputs the tensors that hold the batch in their first dimension (graph inputs, a freeze boundary)
     * @param shapes every tensor's shape for a batch of one
     */
    public static Map<String, Integer> of(OnnxModel model, Map<String, List<Long>> shapes, List<String> inputs,
                                          ConstantFolder constants) {
        return of(model, shapes, Map.of(), inputs, constants);
    }

    /** @param shapesForTwo every tensor's shape for a batch of two, or empty when the model runs only one */
    public static Map<String, Integer> of(OnnxModel model, Map<String, List<Long>> shapes,
                                          Map<String, List<Long>> shapesForTwo, List<String> inputs,
                                          ConstantFolder constants) {
        if (!shapesForTwo.isEmpty()) {
            return fromShapes(shapes, shapesForTwo);
        }
        Map<String, Integer> axes = new HashMap<>();
        // the batch's outer factor within its dimension ([T * N, E] has 17 for T = 17): what a reshape needs
        Map<String, Long> outer = new HashMap<>();
        Map<String, List<OnnxMl.NodeProto>> readers = new HashMap<>();
        for (OnnxMl.NodeProto n : model.graph().getNodeList()) {
            n.getInputList().forEach(i -> readers.computeIfAbsent(i, k -> new java.util.ArrayList<>()).add(n));
        }
        inputs.forEach(i -> axes.put(i, 0));
        for (OnnxMl.NodeProto n : model.graph().getNodeList()) {
            for (int o = 0; o < n.getOutputCount(); o++) {
                String out = n.getOutput(o);
                if (out.isEmpty() || axes.containsKey(out)) {
                    continue;
                }
                long[] result = constants.isConstant(out) ? null
                        : axis(n, o, axes, outer, shapes, constants, readers.getOrDefault(out, List.of()));
                axes.put(out, result == null ? NONE : (int) result[0]);
                if (result != null) {
                    outer.put(out, result[1]);
                }
            }
        }
        return axes;
    }

    private static Map<String, Integer> fromShapes(Map<String, List<Long>> one, Map<String, List<Long>> two) {
        Map<String, Integer> axes = new HashMap<>();
        one.forEach((t, s1) -> {
            List<Long> s2 = two.get(t);
            int axis = NONE;
            if (s2 != null && s2.size() == s1.size()) {
                for (int d = 0; d < s1.size(); d++) {
                    if (s2.get(d) == 2 * s1.get(d) && s1.get(d) > 0) {
                        axis = axis == NONE ? d : -2; // more than one dimension grew: not followed
                    } else if (!s2.get(d).equals(s1.get(d))) {
                        axis = -2;
                    }
                }
            }
            axes.put(t, axis < 0 ? NONE : axis);
        });
        return axes;
    }

    private static long[] shape(Map<String, List<Long>> shapes, String t) {
        List<Long> s = shapes.get(t);
        return s == null ? null : s.stream().mapToLong(Long::longValue).toArray();
    }

    private static int axisOf(Map<String, Integer> axes, String t) {
        return t.isEmpty() ? NONE : axes.getOrDefault(t, NONE);
    }

    /** The batch's dimension in output {@code output} of {@code n} and its outer factor there, or null. */
    private static long[] axis(OnnxMl.NodeProto n, int output, Map<String, Integer> axes, Map<String, Long> outer,
                               Map<String, List<Long>> shapes, ConstantFolder constants,
                               List<OnnxMl.NodeProto> readers) {
        long[] out = shape(shapes, n.getOutput(output));
        if (out == null) {
            return null;
        }
        // the first input that holds the batch, and its rank
        int first = -1;
        for (int i = 0; i < n.getInputCount(); i++) {
            if (axisOf(axes, n.getInput(i)) != NONE) {
                first = i;
                break;
            }
        }
        if (first < 0) {
            // computed from constants and shapes only; an Expand of a constant over the batch (a class token)
            int e = n.getOpType().equals("Expand") ? expandedConstant(n, constants) : NONE;
            return e == NONE ? null : new long[]{e, 1};
        }
        String in = n.getInput(first);
        int a = axisOf(axes, in);
        long[] inShape = shape(shapes, in);
        if (inShape == null) {
            return null;
        }
        long inOuter = outer.getOrDefault(in, 1L);
        if (n.getOpType().equals("Reshape") || n.getOpType().equals("Flatten")) {
            return reshape(inShape, a, inOuter, out, forbidden(readers, n.getOutput(output), out.length, constants));
        }
        NodeAttributes attr = new NodeAttributes(n);
        int axis = switch (n.getOpType()) {
            case "Shape", "Size", "ConstantOfShape" -> NONE;
            case "Transpose" -> {
                long[] perm = attr.ints("perm", null);
                if (perm == null) {
                    yield inShape.length - 1 - a;
                }
                yield indexOf(perm, a);
            }
            case "Squeeze" -> {
                long[] sq = axes(n, attr, constants, inShape.length);
                if (sq == null) {
                    yield NONE; // all ones squeezed: the batch of one with them
                }
                yield contains(sq, a) ? NONE : a - (int) Arrays.stream(sq).filter(x -> x < a).count();
            }
            case "Unsqueeze" -> {
                long[] un = axes(n, attr, constants, out.length);
                if (un == null) {
                    yield NONE;
                }
                int pos = 0;
                for (int d = 0; d < out.length; d++) {
                    if (!contains(un, d)) {
                        if (pos == a) {
                            yield d;
                        }
                        pos++;
                    }
                }
                yield NONE;
            }
            case "Gather" -> {
                if (first != 0) {
                    yield NONE;
                }
                long g = clamp(attr.i("axis", 0), inShape.length);
                long[] idx = shape(shapes, n.getInput(1));
                int q = idx == null ? 0 : idx.length;
                yield g == a ? NONE : a < g ? a : a + q - 1;
            }
            case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2" -> {
                long[] r = axes(n, attr, constants, inShape.length);
                boolean keep = attr.i("keepdims", 1) != 0;
                if (r == null || contains(r, a)) {
                    yield NONE;
                }
                yield keep ? a : a - (int) Arrays.stream(r).filter(x -> x < a).count();
            }
            case "Gemm" -> a == 0 ? 0 : NONE;
            case "MatMul" -> {
                // A [..., M, K] keeps its batch unless it is contracted (K); B [..., K, E] keeps it in E or before
                if (first == 0) {
                    yield a <= inShape.length - 2 ? a + out.length - inShape.length : NONE;
                }
                yield a == inShape.length - 1 ? out.length - 1
                        : a < inShape.length - 2 ? a + out.length - inShape.length : NONE;
            }
            default -> out.length >= inShape.length ? a + out.length - inShape.length : NONE;
        };
        return axis == NONE ? null : new long[]{axis, inOuter};
    }

    /**
     * The batch's dimension after a reshape of {@code in} (batch in dimension {@code a}, after {@code outer} of its
     * elements there) to {@code out}, both for a batch of one, and its outer factor there: where the elements before
     * the batch in row-major order end. Two places can hold them (the batch innermost in one dimension, or outermost
     * in the next): the outermost is taken unless the tensor's readers work along that dimension (a Gemm's or
     * MatMul's inner dimension, a softmax's or normalisation's axis), as torch's attention folds [T, N, E] into
     * [T, N * heads, d] but [T, N * heads, d] into [T * N, E] before its output projection.
     */
    static long[] reshape(long[] in, int a, long outer, long[] out, java.util.Set<Integer> forbidden) {
        long before = outer;
        for (int d = 0; d < a; d++) {
            before *= in[d];
        }
        long[] innermost = null;
        long q = 1;
        for (int b = 0; b < out.length; b++) {
            if (before % q == 0) {
                long o = before / q;
                if (o == 1 && !forbidden.contains(b)) {
                    return new long[]{b, 1};
                }
                if (o > 1 && out[b] % o == 0 && innermost == null && !forbidden.contains(b)) {
                    innermost = new long[]{b, o};
                }
            }
            q *= out[b];
            if (q > before) {
                break; // the leading dimensions hold more than what came before the batch
            }
        }
        return innermost;
    }

    /** Dimensions of {@code tensor} its readers reduce or contract: the batch cannot be there. */
    private static java.util.Set<Integer> forbidden(List<OnnxMl.NodeProto> readers, String tensor, int rank,
                                                     ConstantFolder constants) {
        java.util.Set<Integer> f = new java.util.HashSet<>();
        for (OnnxMl.NodeProto r : readers) {
            NodeAttributes attr = new NodeAttributes(r);
            switch (r.getOpType()) {
                case "Gemm" -> f.add(attr.i("transA", 0) != 0 ? 0 : 1);
                case "MatMul" -> f.add(r.getInput(0).equals(tensor) ? rank - 1 : rank - 2);
                case "Softmax", "LogSoftmax" -> f.add((int) clamp(attr.i("axis", -1), rank));
                case "LayerNormalization" -> {
                    for (long d = clamp(attr.i("axis", -1), rank); d < rank; d++) {
                        f.add((int) d);
                    }
                }
                case "ReduceMean", "ReduceSum", "ReduceMax" -> {
                    long[] ax = axes(r, attr, constants, rank);
                    if (ax != null) {
                        Arrays.stream(ax).forEach(d -> f.add((int) d));
                    }
                }
                default -> {
                }
            }
        }
        return f;
    }

    private static int expandedConstant(OnnxMl.NodeProto n, ConstantFolder constants) {
        return constants.value(n.getInput(1)).map(s -> {
            float[] v = s.values();
            for (int i = 0; i < v.length; i++) {
                if (Float.isNaN(v[i])) {
                    return i;
                }
            }
            return NONE;
        }).orElse(0);
    }

    /** The axes of a Squeeze, Unsqueeze or reduction (attribute, or input 1 from opset 13/18), non-negative. */
    private static long[] axes(OnnxMl.NodeProto n, NodeAttributes attr, ConstantFolder constants, int rank) {
        long[] ax = attr.ints("axes", null);
        if (ax == null && n.getInputCount() > 1 && !n.getInput(1).isEmpty()) {
            ax = constants.value(n.getInput(1)).map(t -> Folding.longs(t.values())).orElse(null);
        }
        if (ax == null) {
            return null;
        }
        return Arrays.stream(ax).map(x -> clamp(x, rank)).toArray();
    }

    private static long clamp(long axis, int rank) {
        return axis < 0 ? axis + rank : axis;
    }

    private static boolean contains(long[] a, long v) {
        return Arrays.stream(a).anyMatch(x -> x == v);
    }

    private static int indexOf(long[] a, long v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return NONE;
    }
}
