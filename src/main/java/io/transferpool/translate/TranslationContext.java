package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.TensorData;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import io.transferpool.model.BatchAxes;
import io.transferpool.translate.layers.BatchProbeVertex;
import io.transferpool.translate.layers.TrainedTensor;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The network under construction while the translator walks the nodes: DL4J vertices in order, their starting
 * parameters, where trainable parameters came from in the ONNX graph, and which vertex holds each ONNX tensor.
 * Used by one translation on one thread.
 */
final class TranslationContext {
    final OnnxGraph graph;
    final TranslationOptions options;
    private final Map<String, List<Long>> shapes;
    final List<VertexSpec> vertices = new ArrayList<>();
    final Map<String, Map<String, INDArray>> params = new LinkedHashMap<>();
    final List<ParamBinding> bindings = new ArrayList<>();
    /** ONNX tensor -> DL4J vertex holding its value (Identity and Dropout map to their input's vertex). */
    final Map<String, String> tensorVertex = new LinkedHashMap<>();
    final Set<String> skippedNodes = new HashSet<>();
    /** Names of the nodes being translated (between the boundary and the output). */
    final Set<String> suffixNodes = new HashSet<>();

    private final List<String> inputs;
    /** The tensor the translation ends at. */
    final String output;
    /** Each tensor's batch dimension ({@link BatchAxes}). */
    private final Map<String, Integer> batchAxes;
    private String batchProbe;

    TranslationContext(OnnxGraph graph, Map<String, List<Long>> shapes, List<String> inputs, String output,
                       TranslationOptions options) {
        this.output = output;
        this.graph = graph;
        this.shapes = shapes;
        this.options = options;
        this.inputs = List.copyOf(inputs);
        this.batchAxes = graph.batchAxes(inputs, shapes);
    }

    /** True for a computed tensor without a batch: one derived from weights ({@link OnnxGraph#isTrainedDerived}). */
    boolean unbatched(String tensor) {
        return graph.isTrainedDerived(tensor);
    }

    /**
     * The dimension of a computed tensor that holds the batch (0 for one {@link #unbatched}, whose reshapes then
     * keep its size); refuses the node when it cannot be followed.
     */
    int batchAxis(OnnxMl.NodeProto node, String tensor) {
        if (unbatched(tensor)) {
            return 0;
        }
        int a = batchAxes.getOrDefault(tensor, BatchAxes.NONE);
        if (a == BatchAxes.NONE) {
            throw unsupported(node, "the batch dimension of \"" + tensor + "\" cannot be followed (shape "
                    + java.util.Arrays.toString(shape(tensor)) + "): it is reduced, gathered or reshaped together "
                    + "with other dimensions");
        }
        return a;
    }

    /** The vertex giving the batch size, for trained tensors and expansions (one per translation). */
    String batchProbe() {
        if (batchProbe == null) {
            batchProbe = inputs.get(0) + "#batch";
            vertex(batchProbe, new BatchProbeVertex(), inputs.get(0));
        }
        return batchProbe;
    }

    /**
     * A {@link TrainedTensor} holding input {@code input} of {@code node} (a weight of the base, see
     * {@link OnnxGraph#isTrainable}), written back there after training; returns its vertex.
     */
    String trained(OnnxMl.NodeProto node, int input) {
        TensorData value = constant(node, input, "input " + input);
        String name = nodeName(node) + "#" + input;
        TrainedTensor t = new TrainedTensor(value.dims());
        layer(name, t, batchProbe());
        weight(name, TrainedTensor.KEY, node, input, value, ParamLayout.SAME, t.paramShape(), 1.0);
        return name;
    }

    /** The vertex that holds a tensor computed after the boundary. */
    String vertex(String tensor) {
        String v = tensorVertex.get(tensor);
        if (v == null) {
            throw new TranslationException("tensor \"" + tensor + "\" is used after the boundary but not computed "
                    + "there: the boundary must be one tensor every later layer depends on");
        }
        return v;
    }

    /** True when the translation uses the tensor: read by a translated node, or the translation's output. */
    boolean needed(String tensor) {
        return tensor.equals(output) || graph.consumers(tensor).stream().anyMatch(this::inSuffix);
    }

    boolean inSuffix(OnnxMl.NodeProto node) {
        return suffixNodes.contains(nodeName(node));
    }

    boolean isDynamic(String tensor) {
        return tensorVertex.containsKey(tensor);
    }

    /** Shape for a batch of one, as ONNX Runtime computed it. */
    long[] shape(String tensor) {
        List<Long> s = shapes.get(tensor);
        if (s == null) {
            throw new TranslationException("the shape of tensor \"" + tensor + "\" is unknown (ONNX Runtime could "
                    + "not run the model on zeros)");
        }
        return s.stream().mapToLong(Long::longValue).toArray();
    }

    TensorData constant(OnnxMl.NodeProto node, int input, String what) {
        if (input >= node.getInputCount() || node.getInput(input).isEmpty()) {
            throw unsupported(node, what + " is missing");
        }
        return graph.constant(node.getInput(input)).orElseThrow(() -> unsupported(node, what + " (\""
                + node.getInput(input) + "\") is computed at run time; it must be an initializer or a Constant"));
    }

    UnsupportedOperatorException unsupported(OnnxMl.NodeProto node, String reason) {
        return new UnsupportedOperatorException(node.getOpType(), nodeName(node), reason);
    }

    static String nodeName(OnnxMl.NodeProto node) {
        return node.getName().isEmpty() ? node.getOutput(0) : node.getName();
    }

    void layer(String name, Layer layer, String... inputs) {
        layer.setLayerName(name);
        vertices.add(VertexSpec.layer(name, layer, Arrays.asList(inputs)));
    }

    void vertex(String name, GraphVertex vertex, String... inputs) {
        vertices.add(VertexSpec.vertex(name, vertex, Arrays.asList(inputs)));
    }

    /** Records that {@code tensor}'s value is the output of {@code vertex}. */
    void produces(String tensor, String vertex) {
        tensorVertex.put(tensor, vertex);
    }

    /** A starting value for a parameter that is not written back (fixed, or derived from several tensors). */
    void param(String vertex, String key, INDArray value) {
        params.computeIfAbsent(vertex, k -> new LinkedHashMap<>()).put(key, value);
    }

    /**
     * A parameter read from input {@code input} of {@code node} (a constant); after training it is written back
     * there. {@code value} is the part the parameter holds: the whole tensor, or the slice starting at element
     * {@code offset}.
     */
    void weight(String vertex, String key, OnnxMl.NodeProto node, int input, long[] tensorDims, TensorData value,
                long offset, ParamLayout layout, long[] dl4jShape, double scale) {
        float[] v = value.values();
        if (scale != 1.0) {
            v = v.clone();
            for (int i = 0; i < v.length; i++) {
                v[i] *= (float) scale;
            }
        }
        param(vertex, key, layout.toDl4j(v, value.dims(), dl4jShape));
        bindings.add(new ParamBinding(vertex, key, graph.index(node), input, node.getInput(input), tensorDims,
                offset, value.dims(), layout, scale));
    }

    /** {@link #weight} of a whole tensor. */
    void weight(String vertex, String key, OnnxMl.NodeProto node, int input, TensorData value, ParamLayout layout,
                long[] dl4jShape, double scale) {
        weight(vertex, key, node, input, value.dims(), value, 0, layout, dl4jShape, scale);
    }
}
