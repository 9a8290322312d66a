package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.TensorData;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Lookups over an ONNX graph the translator needs: who makes a tensor, who reads it, and constant values. */
final class OnnxGraph {
    private final OnnxModel model;
    private final Map<String, OnnxMl.NodeProto> producer = new HashMap<>();
    private final Map<String, List<OnnxMl.NodeProto>> consumers = new HashMap<>();
    private final Map<String, OnnxMl.TensorProto> initializers = new HashMap<>();

    OnnxGraph(OnnxModel model) {
        this.model = model;
        for (OnnxMl.NodeProto n : model.graph().getNodeList()) {
            n.getOutputList().forEach(o -> producer.put(o, n));
            n.getInputList().forEach(i -> consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(n));
        }
        model.graph().getInitializerList().forEach(t -> initializers.put(t.getName(), t));
    }

    OnnxModel model() {
        return model;
    }

    List<OnnxMl.NodeProto> nodes() {
        return model.graph().getNodeList();
    }

    Optional<OnnxMl.NodeProto> producer(String tensor) {
        return Optional.ofNullable(producer.get(tensor));
    }

    List<OnnxMl.NodeProto> consumers(String tensor) {
        return consumers.getOrDefault(tensor, List.of());
    }

    boolean isGraphOutput(String tensor) {
        return model.graph().getOutputList().stream().anyMatch(v -> v.getName().equals(tensor));
    }

    /** True for initializers and outputs of Constant nodes. */
    boolean isConstant(String tensor) {
        if (initializers.containsKey(tensor)) {
            return true;
        }
        OnnxMl.NodeProto p = producer.get(tensor);
        return p != null && p.getOpType().equals("Constant");
    }

    /** The value of an initializer or a Constant node's output. */
    Optional<TensorData> constant(String tensor) {
        OnnxMl.TensorProto t = initializers.get(tensor);
        if (t != null) {
            return Optional.of(TensorData.of(t));
        }
        OnnxMl.NodeProto p = producer.get(tensor);
        if (p == null || !p.getOpType().equals("Constant")) {
            return Optional.empty();
        }
        Attributes a = new Attributes(p);
        if (a.tensor("value").isPresent()) {
            return Optional.of(TensorData.of(a.tensor("value").get()));
        }
        if (a.has("value_float")) {
            return Optional.of(new TensorData(new long[0], new float[]{a.f("value_float", 0)}));
        }
        if (a.has("value_int")) {
            return Optional.of(new TensorData(new long[0], new float[]{a.i("value_int", 0)}));
        }
        if (a.has("value_ints")) {
            long[] v = a.ints("value_ints", new long[0]);
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = v[i];
            }
            return Optional.of(new TensorData(new long[]{v.length}, f));
        }
        return Optional.empty();
    }

    /** ONNX opset of the default domain. */
    long opset() {
        return model.proto().getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty() || o.getDomain()
                .equals("ai.onnx")).mapToLong(OnnxMl.OperatorSetIdProto::getVersion).findFirst().orElse(1);
    }
}
