package io.transferpool.model;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The values of a graph's tensors that do not depend on the images: initializers, Constant nodes, and whatever is
 * computed from them alone. Exporters route weights through such nodes (torch.onnx.export feeds de-duplicated
 * initializers through Identity) and write a flatten as Shape, Gather, Unsqueeze, Concat and Reshape; folded, they
 * are the constants they are, on either side of a freeze boundary.
 * <p>
 * Shape reads a computed tensor's shape from {@code shapes} (a run on a batch of one), whose first dimension is the
 * batch: that element is {@link #BATCH} (NaN) in the folded value. Ops that only move elements (Gather, Concat,
 * Unsqueeze, Slice, ...) keep it, arithmetic on it is not folded, so a NaN in a folded shape is exactly the batch.
 * Values are computed on demand and remembered; one instance serves one thread.
 */
public final class ConstantFolder {
    /** The batch dimension inside a folded shape. */
    public static final float BATCH = Float.NaN;
    /** Folded results larger than this are not computed (a constant that big is not a shape or an index). */
    static final int MAX_ELEMENTS = 1 << 24;
    private static final Set<String> MOVES = Set.of("Identity", "Cast", "Shape", "Gather", "Unsqueeze", "Squeeze",
            "Concat", "Slice", "Reshape", "Flatten", "Transpose", "Expand");
    private static final Set<String> ARITHMETIC = Set.of("Add", "Sub", "Mul", "Div", "Mod", "Pow", "Neg", "Not", "Sqrt",
            "Reciprocal", "Equal", "Less", "Greater", "Where", "Size", "ConstantOfShape", "Range", "ScatterND");

    private final OnnxModel model;
    private final Map<String, List<Long>> shapes;
    private final Map<String, OnnxMl.NodeProto> producer = new HashMap<>();
    private final Map<String, OnnxMl.TensorProto> initializers = new HashMap<>();
    private final Map<String, Optional<Folded>> memo = new HashMap<>();
    private final Map<String, Boolean> constant = new HashMap<>();

    /** A folded value and its ONNX element type (integer division and casts depend on it). */
    record Folded(TensorData value, int type) {
        boolean batchDependent() {
            for (float v : value.values()) {
                if (Float.isNaN(v)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** @param shapes every tensor's shape for a batch of one (see {@link ModelInspector#shapes}) */
    public ConstantFolder(OnnxModel model, Map<String, List<Long>> shapes) {
        this.model = model;
        this.shapes = shapes;
        for (OnnxMl.NodeProto n : model.graph().getNodeList()) {
            n.getOutputList().forEach(o -> producer.put(o, n));
        }
        model.graph().getInitializerList().forEach(t -> initializers.put(t.getName(), t));
    }

    public OnnxModel model() {
        return model;
    }

    /** True when the tensor's value does not depend on the images. */
    public boolean isConstant(String tensor) {
        Boolean known = constant.get(tensor);
        if (known != null) {
            return known;
        }
        boolean c;
        OnnxMl.NodeProto p = producer.get(tensor);
        if (initializers.containsKey(tensor)) {
            c = true;
        } else if (p == null) {
            c = false;
        } else if (p.getOpType().equals("Constant")) {
            c = true;
        } else if (p.getOpType().equals("Identity") && isDefaultDomain(p)) {
            // Cheap for the common case (weights behind Identity): no value is read to answer.
            c = isConstant(p.getInput(0));
        } else {
            c = folded(tensor).isPresent();
        }
        constant.put(tensor, c);
        return c;
    }

    /** The tensor's value when it is a constant ({@link #BATCH} where it holds the batch size). */
    public Optional<TensorData> value(String tensor) {
        return folded(tensor).map(Folded::value);
    }

    /**
     * ONNX Reshape's target shape for an input of dims {@code in}: 0 copies the input's dimension (unless
     * allowzero), -1 takes what is left, and {@link #BATCH} in the first place is the input's batch.
     */
    public static long[] reshapeTarget(long[] in, float[] shape, boolean allowZero) {
        float[] s = shape.clone();
        if (s.length > 0 && Float.isNaN(s[0]) && !allowZero) {
            s[0] = 0;
        }
        return Folding.reshapeTarget(in, s, allowZero);
    }

    /** The ONNX element type of a constant tensor. */
    public Optional<Integer> type(String tensor) {
        return folded(tensor).map(Folded::type);
    }

    private Optional<Folded> folded(String tensor) {
        OnnxMl.TensorProto init = initializers.get(tensor);
        if (init != null) {
            // Not remembered: weights are read where they are used, and may be large.
            try {
                return Optional.of(new Folded(model.values(init), init.getDataType()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Optional<Folded> known = memo.get(tensor);
        if (known != null) {
            return known;
        }
        Optional<Folded> v = Optional.empty();
        OnnxMl.NodeProto p = producer.get(tensor);
        if (p != null && isDefaultDomain(p) && p.getOutputCount() == 1) {
            try {
                v = Optional.ofNullable(evaluate(p));
            } catch (RuntimeException e) {
                // Attributes or operands outside what folding covers: not a constant, not an error here (the
                // node is then refused where a constant was needed, naming it).
                v = Optional.empty();
            }
        }
        memo.put(tensor, v);
        return v;
    }

    private static boolean isDefaultDomain(OnnxMl.NodeProto n) {
        return n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
    }

    private Folded input(OnnxMl.NodeProto n, int i) {
        if (i >= n.getInputCount() || n.getInput(i).isEmpty()) {
            return null;
        }
        return folded(n.getInput(i)).orElseThrow(NotConstant::new);
    }

    /** Thrown inside evaluation when an operand is not a constant. */
    private static final class NotConstant extends RuntimeException {
        NotConstant() {
            super(null, null, false, false);
        }
    }

    private long opset() {
        return model.proto().getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty()
                || o.getDomain().equals("ai.onnx")).mapToLong(OnnxMl.OperatorSetIdProto::getVersion).findFirst()
                .orElse(1);
    }

    /** The node's output value, or null when the op is not folded. */
    private Folded evaluate(OnnxMl.NodeProto n) {
        String op = n.getOpType();
        if (op.equals("Constant")) {
            return constantNode(n);
        }
        if (op.equals("Shape")) {
            return shape(n);
        }
        if (!MOVES.contains(op) && !ARITHMETIC.contains(op)) {
            return null;
        }
        Folded a = input(n, 0);
        if (a == null) {
            return null;
        }
        if (ARITHMETIC.contains(op)) {
            for (int i = 0; i < n.getInputCount(); i++) {
                Folded in = input(n, i);
                if (in != null && in.batchDependent()) {
                    return null;
                }
            }
        }
        NodeAttributes attr = new NodeAttributes(n);
        Folded out = switch (op) {
            case "Identity" -> a;
            case "Cast" -> new Folded(ElementwiseFolding.cast(a.value(), (int) attr.i("to", DataType.FLOAT_VALUE)),
                    (int) attr.i("to", DataType.FLOAT_VALUE));
            case "Gather" -> new Folded(Folding.gather(a.value(), input(n, 1).value(), (int) attr.i("axis", 0)),
                    a.type());
            case "Unsqueeze" -> new Folded(Folding.unsqueeze(a.value(), axes(n, attr)), a.type());
            case "Squeeze" -> new Folded(Folding.squeeze(a.value(), axes(n, attr)), a.type());
            case "Concat" -> {
                TensorData[] parts = new TensorData[n.getInputCount()];
                for (int i = 0; i < parts.length; i++) {
                    parts[i] = input(n, i).value();
                }
                yield new Folded(Folding.concat(parts, (int) attr.i("axis", 0)), a.type());
            }
            case "Slice" -> slice(n, attr, a);
            case "Reshape" -> new Folded(new TensorData(Folding.reshapeTarget(a.value().dims(),
                    input(n, 1).value().values(), attr.i("allowzero", 0) != 0), a.value().values()), a.type());
            case "Flatten" -> new Folded(Folding.flatten(a.value(), (int) attr.i("axis", 1)), a.type());
            case "Transpose" -> new Folded(Folding.transpose(a.value(), attr.ints("perm", null)), a.type());
            case "Expand" -> new Folded(ElementwiseFolding.expand(a.value(), input(n, 1).value()), a.type());
            case "Add", "Sub", "Mul", "Div", "Mod", "Pow" -> new Folded(ElementwiseFolding.binary(op, a.value(),
                    input(n, 1).value(), Folding.integral(a.type())), a.type());
            case "Equal", "Less", "Greater" -> new Folded(ElementwiseFolding.binary(op, a.value(), input(n, 1).value(), false),
                    DataType.BOOL_VALUE);
            case "Neg", "Sqrt", "Reciprocal" -> new Folded(ElementwiseFolding.unary(op, a.value()), a.type());
            case "Not" -> new Folded(ElementwiseFolding.unary(op, a.value()), DataType.BOOL_VALUE);
            case "ScatterND" -> attr.s("reduction", "none").equals("none") ? new Folded(ElementwiseFolding.scatterNd(
                    a.value(), input(n, 1).value(), input(n, 2).value()), a.type()) : null;
            case "Where" -> new Folded(ElementwiseFolding.where(a.value(), input(n, 1).value(), input(n, 2).value()),
                    input(n, 1).type());
            case "Size" -> new Folded(new TensorData(new long[0], new float[]{a.value().size()}),
                    DataType.INT64_VALUE);
            case "ConstantOfShape" -> constantOfShape(a, attr);
            case "Range" -> new Folded(ElementwiseFolding.range(a.value().scalar(), input(n, 1).value().scalar(),
                    input(n, 2).value().scalar()), a.type());
            default -> null;
        };
        if (out != null && out.value().size() > MAX_ELEMENTS) {
            return null;
        }
        return out;
    }

    private Folded constantNode(OnnxMl.NodeProto n) {
        NodeAttributes a = new NodeAttributes(n);
        if (a.tensor("value").isPresent()) {
            OnnxMl.TensorProto t = a.tensor("value").get();
            try {
                return new Folded(model.values(t), t.getDataType());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (a.has("value_float")) {
            return new Folded(new TensorData(new long[0], new float[]{a.f("value_float", 0)}), DataType.FLOAT_VALUE);
        }
        if (a.has("value_floats")) {
            float[] v = a.floats("value_floats");
            return new Folded(new TensorData(new long[]{v.length}, v), DataType.FLOAT_VALUE);
        }
        if (a.has("value_int")) {
            return new Folded(new TensorData(new long[0], new float[]{a.i("value_int", 0)}), DataType.INT64_VALUE);
        }
        if (a.has("value_ints")) {
            long[] v = a.ints("value_ints", new long[0]);
            return new Folded(new TensorData(new long[]{v.length}, Folding.floats(v)), DataType.INT64_VALUE);
        }
        return null;
    }

    private Folded shape(OnnxMl.NodeProto n) {
        String x = n.getInput(0);
        float[] dims;
        if (isConstant(x)) {
            dims = Folding.floats(folded(x).orElseThrow().value().dims());
        } else {
            List<Long> s = shapes.get(x);
            if (s == null || s.isEmpty()) {
                return null;
            }
            dims = new float[s.size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = i == 0 ? BATCH : s.get(i);
            }
        }
        NodeAttributes a = new NodeAttributes(n);
        int rank = dims.length;
        int start = (int) Folding.clampAxis(a.i("start", 0), rank);
        int end = (int) Folding.clampAxis(a.i("end", rank), rank);
        float[] part = java.util.Arrays.copyOfRange(dims, start, Math.max(start, end));
        return new Folded(new TensorData(new long[]{part.length}, part), DataType.INT64_VALUE);
    }

    private long[] axes(OnnxMl.NodeProto n, NodeAttributes attr) {
        if (opset() >= 13) {
            Folded axes = input(n, 1);
            return axes == null ? null : Folding.longs(axes.value().values());
        }
        return attr.ints("axes", null);
    }

    private Folded slice(OnnxMl.NodeProto n, NodeAttributes attr, Folded data) {
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (opset() >= 10) {
            starts = Folding.longs(input(n, 1).value().values());
            ends = Folding.longs(input(n, 2).value().values());
            Folded ax = input(n, 3);
            Folded st = input(n, 4);
            axes = ax == null ? null : Folding.longs(ax.value().values());
            steps = st == null ? null : Folding.longs(st.value().values());
        } else {
            starts = attr.ints("starts", null);
            ends = attr.ints("ends", null);
            axes = attr.ints("axes", null);
        }
        return new Folded(Folding.slice(data.value(), starts, ends, axes, steps), data.type());
    }

    private Folded constantOfShape(Folded shape, NodeAttributes attr) {
        long[] dims = Folding.longs(shape.value().values());
        long count = 1;
        for (long d : dims) {
            count = Math.multiplyExact(count, d);
        }
        if (count > MAX_ELEMENTS) {
            return null;
        }
        float fill = 0;
        int type = DataType.FLOAT_VALUE;
        if (attr.tensor("value").isPresent()) {
            OnnxMl.TensorProto t = attr.tensor("value").get();
            fill = TensorData.of(t).values()[0];
            type = t.getDataType();
        }
        float[] v = new float[(int) count];
        java.util.Arrays.fill(v, fill);
        return new Folded(new TensorData(dims, v), type);
    }
}
