package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.TensorData;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.HashMap;
import java.util.Map;

/**
 * Writes trained DL4J parameters back into the ONNX graph they were translated from: each bound initializer (or
 * Constant node value) gets the new values in ONNX layout; every other node and weight is left as it was.
 */
public final class WeightWriteBack {
    private WeightWriteBack() {
    }

    public static OnnxMl.ModelProto apply(OnnxModel base, Translation t, ComputationGraph trained) {
        Map<String, TensorData> values = new HashMap<>();
        for (ParamBinding b : t.bindings()) {
            float[] v = b.layout().toOnnx(trained.getLayer(b.vertex()).getParam(b.key()), b.onnxDims(), b.scale());
            values.put(b.initializer(), new TensorData(b.onnxDims(), v));
        }
        OnnxMl.GraphProto.Builder g = base.graph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            TensorData v = values.remove(g.getInitializer(i).getName());
            if (v != null) {
                g.setInitializer(i, v.toProto(g.getInitializer(i).getName()));
            }
        }
        for (int i = 0; i < g.getNodeCount() && !values.isEmpty(); i++) {
            OnnxMl.NodeProto n = g.getNode(i);
            TensorData v = n.getOpType().equals("Constant") ? values.remove(n.getOutput(0)) : null;
            if (v != null) {
                OnnxMl.AttributeProto value = OnnxMl.AttributeProto.newBuilder().setName("value")
                        .setType(OnnxMl.AttributeProto.AttributeType.TENSOR).setT(v.toProto(n.getOutput(0))).build();
                g.setNode(i, n.toBuilder().clearAttribute().addAttribute(value));
            }
        }
        if (!values.isEmpty()) {
            throw new IllegalStateException("no initializer or Constant for " + values.keySet());
        }
        return base.proto().toBuilder().setGraph(g).build();
    }
}
