package io.transferpool.model;

import ai.onnx.proto.OnnxMl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cuts an ONNX graph at a named tensor: that tensor becomes the only graph output and every node, initializer and
 * input it does not depend on is pruned. ONNX Runtime can only return graph outputs, so this is how an inner
 * activation (a flatten or pooling output) is read.
 */
public final class GraphCut {
    private GraphCut() {
    }

    /** Thrown when the cut names no tensor of the graph; {@code nearest} are the closest valid names. */
    public static final class UnknownTensorException extends IllegalArgumentException {
        private final List<String> nearest;

        UnknownTensorException(String name, List<String> nearest) {
            super("no tensor named \"" + name + "\" in the graph; nearest valid names: " + String.join(", ", nearest));
            this.nearest = nearest;
        }

        public List<String> nearest() {
            return nearest;
        }
    }

    public static OnnxMl.ModelProto cut(OnnxModel model, String tensor) {
        return cut(model, List.of(tensor));
    }

    /**
     * The graph cut at several tensors at once: each becomes a graph output, in the order given (one pass of the
     * base then yields all of them), and every node none of them depends on is pruned.
     */
    public static OnnxMl.ModelProto cut(OnnxModel model, List<String> tensors) {
        OnnxMl.GraphProto g = model.graph();
        List<String> names = model.tensorNames();
        for (String tensor : tensors) {
            if (!names.contains(tensor)) {
                throw new UnknownTensorException(tensor, nearest(tensor, names, 5));
            }
        }
        if (new HashSet<>(tensors).size() != tensors.size()) {
            throw new IllegalArgumentException("a tensor named twice among " + tensors);
        }
        Map<String, Integer> producer = producers(g);
        Set<String> needed = new HashSet<>();
        Set<Integer> keepNodes = keep(g, producer, tensors, Set.of(), needed);
        OnnxMl.GraphProto.Builder out = pruned(g, keepNodes, needed);
        g.getInputList().stream().filter(v -> needed.contains(v.getName())).forEach(out::addInput);
        g.getValueInfoList().stream().filter(v -> needed.contains(v.getName()) && !tensors.contains(v.getName()))
                .forEach(out::addValueInfo);
        for (String tensor : tensors) {
            String outputName = tensor;
            if (!producer.containsKey(tensor)) {
                // Cut at a graph input: a graph cannot output its input directly, so pass it through an Identity.
                outputName = tensor + "__cut";
                out.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Identity").setName("cut_identity_" + tensor)
                        .addInput(tensor).addOutput(outputName));
            }
            out.addOutput(outputInfo(g, tensor, outputName));
        }
        return model.proto().toBuilder().setGraph(out).build();
    }

    /**
     * The part of the graph after a boundary: {@code from} becomes the only graph input (float, {@code fromShape}
     * with a symbolic batch), {@code outputs} the graph outputs, and everything not between them is pruned. Used to
     * run the fine-tuned part alone in ONNX Runtime.
     */
    public static OnnxMl.ModelProto between(OnnxModel model, String from, long[] fromShape, List<String> outputs) {
        OnnxMl.GraphProto g = model.graph();
        Map<String, Integer> producer = producers(g);
        Set<String> needed = new HashSet<>();
        Set<Integer> keepNodes = keep(g, producer, outputs, Set.of(from), needed);
        OnnxMl.GraphProto.Builder out = pruned(g, keepNodes, needed);
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (int i = 1; i < fromShape.length; i++) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(fromShape[i]));
        }
        out.addInput(OnnxMl.ValueInfoProto.newBuilder().setName(from).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT_VALUE).setShape(shape))));
        for (String o : outputs) {
            if (o.equals(from)) {
                throw new IllegalArgumentException("output " + o + " is the boundary itself");
            }
            out.addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(o));
        }
        return model.proto().toBuilder().setGraph(out).build();
    }

    /** The graph with only the kept nodes and the initializers they need; no inputs, outputs or value infos. */
    private static OnnxMl.GraphProto.Builder pruned(OnnxMl.GraphProto g, Set<Integer> keepNodes, Set<String> needed) {
        OnnxMl.GraphProto.Builder out = g.toBuilder().clearNode().clearInitializer().clearInput().clearOutput()
                .clearValueInfo();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (keepNodes.contains(i)) {
                out.addNode(g.getNode(i));
            }
        }
        g.getInitializerList().stream().filter(t -> needed.contains(t.getName())).forEach(out::addInitializer);
        return out;
    }

    private static Map<String, Integer> producers(OnnxMl.GraphProto g) {
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            for (String out : g.getNode(i).getOutputList()) {
                producer.put(out, i);
            }
        }
        return producer;
    }

    /** Indices of the nodes the targets need, walking back no further than {@code stops}; fills {@code needed}. */
    private static Set<Integer> keep(OnnxMl.GraphProto g, Map<String, Integer> producer, List<String> targets,
                                     Set<String> stops, Set<String> needed) {
        Set<Integer> keepNodes = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(targets);
        while (!todo.isEmpty()) {
            String t = todo.pop();
            if (!needed.add(t) || stops.contains(t)) {
                continue;
            }
            Integer p = producer.get(t);
            if (p != null && keepNodes.add(p)) {
                g.getNode(p).getInputList().stream().filter(s -> !s.isEmpty()).forEach(todo::push);
            }
        }
        return keepNodes;
    }

    /** The cut tensor's name in the cut graph (differs from the tensor only for a cut at a graph input). */
    public static String outputName(OnnxMl.ModelProto cut) {
        return cut.getGraph().getOutput(0).getName();
    }

    /** The cut tensors' names in the cut graph, in the order they were given. */
    public static List<String> outputNames(OnnxMl.ModelProto cut) {
        return cut.getGraph().getOutputList().stream().map(OnnxMl.ValueInfoProto::getName).toList();
    }

    private static OnnxMl.ValueInfoProto outputInfo(OnnxMl.GraphProto g, String tensor, String outputName) {
        for (List<OnnxMl.ValueInfoProto> infos : List.of(g.getValueInfoList(), g.getOutputList(), g.getInputList())) {
            for (OnnxMl.ValueInfoProto vi : infos) {
                if (vi.getName().equals(tensor)) {
                    return vi.toBuilder().setName(outputName).build();
                }
            }
        }
        // Type and shape unknown (exporters often omit inner value_info): ONNX Runtime infers both.
        return OnnxMl.ValueInfoProto.newBuilder().setName(outputName).build();
    }

    static List<String> nearest(String name, List<String> candidates, int n) {
        List<String> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparingInt((String c) -> editDistance(name, c)).thenComparing(c -> c));
        return List.copyOf(sorted.subList(0, Math.min(n, sorted.size())));
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = Character.toLowerCase(a.charAt(i - 1)) == Character.toLowerCase(b.charAt(j - 1)) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
