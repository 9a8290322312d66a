package io.transferpool.translate;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import io.transferpool.translate.layers.ColumnConvolution;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Part of an ONNX graph expressed as DL4J vertices with the pretrained weights: from {@code inputs} (the freeze
 * boundary) to {@code output}. {@link #build} makes a ComputationGraph of it, optionally with a head appended;
 * {@code bindings} say where each trainable parameter goes back in the ONNX graph. Immutable.
 *
 * @param tensorVertex every ONNX tensor of the part, in graph order, with the vertex that holds its value
 */
public record Translation(List<String> inputs, List<long[]> inputShapes, String output, long[] outputShape,
                          List<VertexSpec> vertices, Map<String, Map<String, INDArray>> params,
                          List<ParamBinding> bindings, Map<String, String> tensorVertex) {

    /** Adds layers after the translated output and returns the name of the graph's output vertex. */
    @FunctionalInterface
    public interface HeadAppender {
        String append(ComputationGraphConfiguration.GraphBuilder graph, String from, long[] fromShape);
    }

    public String outputVertex() {
        return tensorVertex.get(output);
    }

    /** The same translation ending at {@code tensor} (one of {@link #tensorVertex}): only the vertices it needs. */
    public Translation truncatedAt(String tensor) {
        String end = tensorVertex.get(tensor);
        if (end == null) {
            throw new IllegalArgumentException("tensor " + tensor + " is not part of the translation");
        }
        Map<String, VertexSpec> byName = new HashMap<>();
        vertices.forEach(v -> byName.put(v.name(), v));
        Set<String> keep = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(end));
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (keep.add(v) && byName.containsKey(v)) {
                todo.addAll(byName.get(v).inputs());
            }
        }
        List<VertexSpec> kept = new ArrayList<>(vertices.stream().filter(v -> keep.contains(v.name()))
                .toList());
        Map<String, String> tv = new LinkedHashMap<>();
        tensorVertex.forEach((k, v) -> {
            if (keep.contains(v)) {
                tv.put(k, v);
            }
        });
        if (inputs.contains(end)) {
            String identity = tensor + "#identity";
            kept.add(VertexSpec.layer(identity, new ActivationLayer.Builder()
                    .activation(Activation.IDENTITY).build(), List.of(end)));
            tv.put(tensor, identity);
        }
        Map<String, Map<String, INDArray>> keptParams = new LinkedHashMap<>();
        params.forEach((v, p) -> {
            if (keep.contains(v)) {
                keptParams.put(v, p);
            }
        });
        List<ParamBinding> keptBindings = bindings.stream().filter(b -> keep.contains(b.vertex())).toList();
        // Only for checks: the truncated output's shape is not tracked, so no head can be appended to it.
        return new Translation(inputs, inputShapes, tensor, null, List.copyOf(kept), keptParams, keptBindings, tv);
    }

    /** The translated part alone, for inference (checks against ONNX Runtime). */
    public ComputationGraph build() {
        return build(new NeuralNetConfiguration.Builder().seed(0).dataType(DataType.FLOAT), null, null);
    }

    /**
     * @param conf    global settings (seed, data type, the head's updater)
     * @param updater updater of the translated layers, or null for the global one
     * @param head    layers to append, or null
     */
    public ComputationGraph build(NeuralNetConfiguration.Builder conf, IUpdater updater, HeadAppender head) {
        ComputationGraph graph = new ComputationGraph(configuration(conf, updater, head));
        graph.init();
        params.forEach((vertex, values) -> {
            Layer layer = graph.getLayer(vertex);
            values.forEach((key, value) -> {
                INDArray target = layer.getParam(key);
                if (target == null || target.length() != value.length()) {
                    throw new IllegalStateException("parameter " + key + " of " + vertex + " does not take "
                            + value.length() + " values");
                }
                target.assign(value.reshape(target.shape()));
            });
        });
        return graph;
    }

    /** The configuration {@link #build} makes its graph from: cheap, no parameters allocated or copied. */
    public ComputationGraphConfiguration configuration(NeuralNetConfiguration.Builder conf, IUpdater updater,
                                                       HeadAppender head) {
        ComputationGraphConfiguration.GraphBuilder b = conf.graphBuilder();
        b.addInputs(inputs.toArray(String[]::new));
        b.setInputTypes(inputShapes.stream().map(Translation::inputType).toArray(InputType[]::new));
        for (VertexSpec v : vertices) {
            if (v.layer() != null) {
                org.deeplearning4j.nn.conf.layers.Layer layer = v.layer().clone();
                if (updater != null && layer.getClass() == ConvolutionLayer.class) {
                    // trained: columns in Java; reading the boundary, no input gradient (nothing before it trains)
                    layer = inputs.containsAll(v.inputs()) ? ColumnConvolution.atBoundary((ConvolutionLayer) layer)
                            : ColumnConvolution.of((ConvolutionLayer) layer);
                }
                if (updater != null && layer instanceof BaseLayer base) {
                    base.setIUpdater(updater);
                    base.setBiasUpdater(updater);
                }
                b.addLayer(v.name(), layer, v.inputs().toArray(String[]::new));
            } else {
                b.addVertex(v.name(), v.vertex().clone(), v.inputs().toArray(String[]::new));
            }
        }
        String out = head == null ? outputVertex() : head.append(b, outputVertex(), outputShape);
        b.setOutputs(out);
        return b.build();
    }

    /** The DL4J input type of a boundary tensor of this shape (batch first). */
    public static InputType inputType(long[] shape) {
        return switch (shape.length) {
            case 2 -> InputType.feedForward(shape[1]);
            case 3 -> InputType.recurrent(shape[1], shape[2]);
            case 4 -> InputType.convolutional(shape[2], shape[3], shape[1]);
            default -> throw new TranslationException("a boundary tensor of rank " + shape.length
                    + " (only 2, 3 or 4)");
        };
    }
}
