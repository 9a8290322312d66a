package io.transferpool.model;

import ai.onnx.proto.OnnxMl;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A model exported with torch.onnx.export's defaults has the batch fixed to the example's 1 inside, not only where
 * {@link BatchDimension} finds it: torch's attention reshapes to [T, 1 * heads, d] and [T * 1, E], Swin to
 * [1 * windows, T, C], ViT expands its class token to [1, 1, D]. When such a model still runs only a batch of one,
 * each Reshape of an activation gets its target for a batch of one with -1 where the batch is
 * ({@link BatchAxes}), and an Expand of a constant read together with activations gets the batch size from the
 * input's shape. Kept only when ONNX Runtime then runs a batch of two.
 */
public final class FixedBatch {
    private FixedBatch() {
    }

    public static OnnxModel generalize(OnnxModel m) {
        if (m.dataInputs().isEmpty() || ModelInspector.runsBatchOfTwo(m)) {
            return m; // BatchDimension's rewrite was enough (convolutional networks)
        }
        Map<String, List<Long>> one = ModelInspector.shapes(m);
        if (one.isEmpty()) {
            return m;
        }
        ConstantFolder constants = new ConstantFolder(m, one);
        Map<String, Integer> axes = BatchAxes.of(m, one, m.dataInputs(), constants);
        OnnxMl.GraphProto g = m.graph();
        OnnxMl.GraphProto.Builder out = g.toBuilder();
        Set<String> names = new HashSet<>(m.tensorNames());
        names.addAll(m.initializerNames());
        String batchSize = null;
        List<OnnxMl.NodeProto> added = new ArrayList<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            OnnxMl.NodeProto n = g.getNode(i);
            String result = n.getOutputCount() > 0 ? n.getOutput(0) : "";
            int axis = axes.getOrDefault(result, BatchAxes.NONE);
            List<Long> shape = one.get(result);
            if (shape == null) {
                continue;
            }
            if (n.getOpType().equals("Reshape") && axis != BatchAxes.NONE
                    && axes.getOrDefault(n.getInput(0), BatchAxes.NONE) != BatchAxes.NONE) {
                List<Long> target = new ArrayList<>(shape);
                target.set(axis, -1L);
                String name = unique(names, result + "__any_batch");
                out.addInitializer(longs(name, target));
                out.setNode(i, n.toBuilder().setInput(1, name).clearAttribute());
            } else if (n.getOpType().equals("Expand") && constants.isConstant(result) && shape.get(0) == 1
                    && readWithActivations(g, result, axes)) {
                if (batchSize == null) {
                    batchSize = unique(names, "tp_batch_size");
                    String inputShape = unique(names, "tp_input_shape");
                    String first = unique(names, "tp_first");
                    out.addInitializer(longs(first, List.of(0L)));
                    added.add(node("Shape", List.of(m.dataInputs().get(0)), inputShape));
                    added.add(node("Gather", List.of(inputShape, first), batchSize));
                }
                String rest = unique(names, result + "__rest");
                out.addInitializer(longs(rest, shape.subList(1, shape.size())));
                String target = unique(names, result + "__any_batch");
                added.add(OnnxMl.NodeProto.newBuilder().setOpType("Concat").setName(target).addInput(batchSize)
                        .addInput(rest).addOutput(target).addAttribute(OnnxMl.AttributeProto.newBuilder()
                                .setName("axis").setType(OnnxMl.AttributeProto.AttributeType.INT).setI(0)).build());
                out.setNode(i, n.toBuilder().setInput(1, target));
            }
        }
        if (out.getInitializerCount() == g.getInitializerCount()) {
            return m;
        }
        // the new shape nodes go first: they read only the input and constants
        List<OnnxMl.NodeProto> nodes = new ArrayList<>(added);
        nodes.addAll(out.getNodeList());
        out.clearNode().addAllNode(nodes);
        OnnxModel general = m.derive(m.proto().toBuilder().setGraph(out).build());
        return ModelInspector.runsBatchOfTwo(general)
                ? new OnnxModel(general.proto(), m.sha256(), m.sizeBytes(), m.folder()) : m;
    }

    /** True when a reader of {@code tensor} also reads an activation that holds the batch (a Concat of tokens). */
    private static boolean readWithActivations(OnnxMl.GraphProto g, String tensor, Map<String, Integer> axes) {
        return g.getNodeList().stream().filter(n -> n.getInputList().contains(tensor)).anyMatch(n -> n.getInputList()
                .stream().anyMatch(i -> !i.equals(tensor) && axes.getOrDefault(i, BatchAxes.NONE) != BatchAxes.NONE));
    }

    private static OnnxMl.NodeProto node(String op, List<String> inputs, String output) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(output).addAllInput(inputs).addOutput(output)
                .build();
    }

    private static OnnxMl.TensorProto longs(String name, List<Long> values) {
        return OnnxMl.TensorProto.newBuilder().setName(name).setDataType(OnnxMl.TensorProto.DataType.INT64_VALUE)
                .addDims(values.size()).addAllInt64Data(values).build();
    }

    private static String unique(Set<String> names, String name) {
        String n = name;
        for (int i = 2; !names.add(n); i++) {
            n = name + "_" + i;
        }
        return n;
    }
}
