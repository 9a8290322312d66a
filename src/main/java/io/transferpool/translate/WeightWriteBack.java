package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.ConstantFolder;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.TensorData;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Writes trained DL4J parameters back into the ONNX graph they were translated from. A weight that only its own
 * node reads is replaced where it is (initializer or Constant node, same name). A weight the node reads through
 * other nodes (Identity) or shares with other nodes (exporters de-duplicate equal initializers, and a frozen node
 * may share one with a trained node) becomes a new initializer of that node alone, so nothing else changes.
 */
public final class WeightWriteBack {
    private WeightWriteBack() {
    }

    /** One node input to rewrite. */
    private record Slot(int node, int input) {
    }

    public static OnnxMl.ModelProto apply(OnnxModel base, Translation t, ComputationGraph trained) {
        OnnxMl.GraphProto g = base.graph();
        ConstantFolder constants = new ConstantFolder(base, Map.of());
        Map<Slot, TensorData> values = new LinkedHashMap<>();
        for (ParamBinding b : t.bindings()) {
            Slot slot = new Slot(b.node(), b.input());
            float[] v = b.layout().toOnnx(trained.getLayer(b.vertex()).getParam(b.key()), b.onnxDims(), b.scale());
            TensorData whole = values.get(slot);
            if (whole == null) {
                whole = b.whole() ? null : copy(constants.value(b.tensor()).orElseThrow(() -> new IllegalStateException(
                        "no constant " + b.tensor())));
            }
            if (whole == null) {
                values.put(slot, new TensorData(b.onnxDims(), v));
            } else {
                System.arraycopy(v, 0, whole.values(), (int) b.offset(), v.length);
                values.put(slot, whole);
            }
        }
        Map<String, Integer> readers = new HashMap<>();
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            n.getInputList().forEach(i -> readers.merge(i, 1, Integer::sum));
        }
        g.getOutputList().forEach(o -> readers.merge(o.getName(), 1, Integer::sum));
        Set<String> names = new HashSet<>(base.tensorNames());
        names.addAll(base.initializerNames());
        Map<String, Integer> initializerIndex = new HashMap<>();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            initializerIndex.put(g.getInitializer(i).getName(), i);
        }
        Map<String, Integer> constantNode = new HashMap<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getOpType().equals("Constant")) {
                constantNode.put(g.getNode(i).getOutput(0), i);
            }
        }
        OnnxMl.GraphProto.Builder out = g.toBuilder();
        for (Map.Entry<Slot, TensorData> e : values.entrySet()) {
            OnnxMl.NodeProto node = g.getNode(e.getKey().node());
            String tensor = node.getInput(e.getKey().input());
            boolean own = readers.getOrDefault(tensor, 0) == 1;
            if (own && initializerIndex.containsKey(tensor)) {
                out.setInitializer(initializerIndex.get(tensor), e.getValue().toProto(tensor));
            } else if (own && constantNode.containsKey(tensor)) {
                int i = constantNode.get(tensor);
                OnnxMl.AttributeProto value = OnnxMl.AttributeProto.newBuilder().setName("value")
                        .setType(OnnxMl.AttributeProto.AttributeType.TENSOR).setT(e.getValue().toProto(tensor)).build();
                out.setNode(i, out.getNode(i).toBuilder().clearAttribute().addAttribute(value));
            } else {
                String name = unique(names, "tp_tuned/" + (node.getName().isEmpty() ? node.getOutput(0)
                        : node.getName()) + "/" + e.getKey().input());
                out.addInitializer(e.getValue().toProto(name));
                out.setNode(e.getKey().node(), out.getNode(e.getKey().node()).toBuilder()
                        .setInput(e.getKey().input(), name));
            }
        }
        return base.proto().toBuilder().setGraph(out).build();
    }

    private static TensorData copy(TensorData v) {
        return new TensorData(v.dims(), v.values().clone());
    }

    private static String unique(Set<String> names, String name) {
        String n = name;
        for (int i = 2; !names.add(n); i++) {
            n = name + "_" + i;
        }
        return n;
    }
}
