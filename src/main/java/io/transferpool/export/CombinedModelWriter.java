package io.transferpool.export;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.DenseWeights;
import io.transferpool.model.GraphCut;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.TensorData;

import java.util.List;

/**
 * Writes the deployable model: the base up to the cut followed by the trained head as plain ONNX nodes (Flatten,
 * then Gemm and an activation per layer, Softmax last). Its input is the base's input and its only output,
 * {@value #OUTPUT}, holds class probabilities, so any ONNX runtime can serve it without TransferPool.
 */
public final class CombinedModelWriter {
    public static final String OUTPUT = "probabilities";
    private static final String PREFIX = "tp_head_";

    private CombinedModelWriter() {
    }

    /** Base cut at {@code cut}, then the head. */
    public static OnnxMl.ModelProto combine(OnnxModel base, String cut, List<DenseWeights> head, String producer) {
        OnnxMl.ModelProto cutModel = GraphCut.cut(base, cut);
        OnnxMl.GraphProto.Builder g = cutModel.getGraph().toBuilder();
        String features = g.getOutput(0).getName();
        g.clearOutput();
        appendHead(g, features, head);
        return cutModel.toBuilder().setGraph(g.setName(g.getName() + "+head"))
                .setProducerName(producer).setDocString("Base cut at " + cut + " plus a head trained by TransferPool")
                .build();
    }

    /**
     * The base up to {@code logits} (its own classifier, fine-tuned) followed by a Softmax, so that the output is
     * {@value #OUTPUT} as for a new head.
     */
    public static OnnxMl.ModelProto withSoftmax(OnnxModel base, String logits, int classes, String producer) {
        OnnxMl.ModelProto cutModel = GraphCut.cut(base, logits);
        OnnxMl.GraphProto.Builder g = cutModel.getGraph().toBuilder();
        String x = g.getOutput(0).getName();
        g.clearOutput();
        g.addNode(node("Softmax", PREFIX + "softmax", List.of(x), OUTPUT).addAttribute(intAttr("axis", 1)));
        g.addOutput(floatInfo(OUTPUT, -1, classes));
        return cutModel.toBuilder().setGraph(g).setProducerName(producer)
                .setDocString("Base fine-tuned up to " + logits + " by TransferPool, softmax added").build();
    }

    private static void appendHead(OnnxMl.GraphProto.Builder g, String features, List<DenseWeights> head) {
        String x = PREFIX + "flat";
        g.addNode(node("Flatten", PREFIX + "flatten", List.of(features), x)
                .addAttribute(intAttr("axis", 1)));
        for (int i = 0; i < head.size(); i++) {
            DenseWeights d = head.get(i);
            String w = PREFIX + i + "_W";
            String b = PREFIX + i + "_b";
            g.addInitializer(new TensorData(new long[]{d.inputs(), d.outputs()}, d.w()).toProto(w));
            g.addInitializer(new TensorData(new long[]{d.outputs()}, d.b()).toProto(b));
            String gemm = PREFIX + i + "_gemm";
            g.addNode(node("Gemm", PREFIX + "gemm_" + i, List.of(x, w, b), gemm));
            boolean last = i == head.size() - 1;
            String out = last ? OUTPUT : PREFIX + i + "_act";
            OnnxMl.NodeProto.Builder act = switch (d.activation()) {
                case "relu" -> node("Relu", PREFIX + "relu_" + i, List.of(gemm), out);
                case "tanh" -> node("Tanh", PREFIX + "tanh_" + i, List.of(gemm), out);
                case "sigmoid" -> node("Sigmoid", PREFIX + "sigmoid_" + i, List.of(gemm), out);
                case "softmax" -> node("Softmax", PREFIX + "softmax_" + i, List.of(gemm), out)
                        .addAttribute(intAttr("axis", 1));
                default -> throw new IllegalArgumentException("no ONNX op for activation " + d.activation());
            };
            g.addNode(act);
            x = out;
        }
        g.addOutput(floatInfo(OUTPUT, -1, head.get(head.size() - 1).outputs()));
    }

    private static OnnxMl.NodeProto.Builder node(String op, String name, List<String> inputs, String output) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output);
    }

    private static OnnxMl.AttributeProto intAttr(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT)
                .setI(value).build();
    }

    private static OnnxMl.ValueInfoProto floatInfo(String name, long... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }
}
