package io.transferpool.translate;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.layers.Layer;

import java.util.List;

/** One DL4J vertex of a translation: either a layer or a parameterless graph vertex, and its input vertices. */
record VertexSpec(String name, Layer layer, GraphVertex vertex, List<String> inputs) {
    static VertexSpec layer(String name, Layer layer, List<String> inputs) {
        return new VertexSpec(name, layer, null, List.copyOf(inputs));
    }

    static VertexSpec vertex(String name, GraphVertex vertex, List<String> inputs) {
        return new VertexSpec(name, null, vertex, List.copyOf(inputs));
    }
}
