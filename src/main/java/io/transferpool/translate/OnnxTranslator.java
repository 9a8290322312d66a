package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.ModelInspector;
import io.transferpool.model.OnnxModel;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.nd4j.linalg.activations.Activation;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Translates the part of an ONNX graph between a boundary and an output tensor into DL4J layers and vertices with
 * the pretrained weights (our own translator: SameDiff's ONNX import loses Gemm biases and cannot train Gemm).
 * One small {@link OpTranslator} per family of operators; this class finds the nodes and walks them in order.
 */
public final class OnnxTranslator {
    private static final Map<String, OpTranslator> BY_OP = new HashMap<>();
    /**
     * Inputs that give a shape, axes, indices or amounts. They are read as constants where a node is translated and
     * never followed as activations: a target computed from the batch size (Shape, Gather, Mul, Concat) is not
     * translated, the shapes ONNX Runtime computed stand for it.
     */
    private static final Map<String, Set<Integer>> SHAPE_OPERANDS = Map.of("Reshape", Set.of(1), "Expand", Set.of(1),
            "Slice", Set.of(1, 2, 3, 4), "Pad", Set.of(1, 2, 3), "Squeeze", Set.of(1), "Unsqueeze", Set.of(1),
            "Split", Set.of(1), "Gather", Set.of(1), "ReduceMean", Set.of(1), "ReduceSum", Set.of(1));

    static {
        for (OpTranslator t : List.of(new ConvTranslator(), new BatchNormTranslator(), new ActivationTranslator(),
                new PoolTranslator(), new ShapeTranslator(), new DenseTranslator(), new ElementwiseTranslator(),
                new PassThroughTranslator(), new PadTranslator(), new SliceTranslator(), new UnaryTranslator(),
                new LayerNormTranslator(), new ReduceTranslator(), new ExpandTranslator())) {
            t.ops().forEach(op -> BY_OP.put(op, t));
        }
    }

    private OnnxTranslator() {
    }

    /** ONNX operators the translator knows (some only with certain attributes; the errors say which). */
    public static Set<String> supportedOps() {
        return new TreeSet<>(BY_OP.keySet());
    }

    static boolean knows(OnnxMl.NodeProto node) {
        return (node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx")) && BY_OP.containsKey(node.getOpType());
    }

    public static Translation translate(OnnxModel model, List<String> inputs, String output,
                                        TranslationOptions options) {
        return translate(model, ModelInspector.shapes(model), inputs, output, options);
    }

    /** @param shapes every tensor's shape for a batch of one (see {@link ModelInspector#shapes}) */
    public static Translation translate(OnnxModel model, Map<String, List<Long>> shapes, List<String> inputs,
                                        String output, TranslationOptions options) {
        return translate(new OnnxGraph(model, shapes), shapes, inputs, output, options);
    }

    /** A translation over an existing {@link OnnxGraph} (whose folded constants are reused). */
    static Translation translate(OnnxGraph graph, Map<String, List<Long>> shapes, List<String> inputs, String output,
                                 TranslationOptions options) {
        List<OnnxMl.NodeProto> suffix = between(graph, inputs, output);
        for (OnnxMl.NodeProto node : suffix) {
            if (!knows(node)) {
                throw new UnsupportedOperatorException(node.getOpType(), TranslationContext.nodeName(node),
                        "there is no DL4J translation for it; supported: " + String.join(", ", supportedOps()));
            }
        }
        TranslationContext ctx = new TranslationContext(graph, shapes, inputs, output, options);
        inputs.forEach(in -> Translation.inputType(ctx.shape(in)));
        suffix.forEach(n -> ctx.suffixNodes.add(TranslationContext.nodeName(n)));
        for (String in : inputs) {
            ctx.produces(in, in);
        }
        Map<String, Fusions.Fused> fused = options.fuse() ? Fusions.find(suffix, ctx) : Map.of();
        fused.values().forEach(f -> f.inner().forEach(n -> ctx.skippedNodes.add(TranslationContext.nodeName(n))));
        for (OnnxMl.NodeProto node : suffix) {
            String name = TranslationContext.nodeName(node);
            if (fused.containsKey(name)) {
                Fusions.translate(fused.get(name), ctx);
            } else if (!ctx.skippedNodes.contains(name)) {
                BY_OP.get(node.getOpType()).translate(node, ctx);
            }
        }
        String outVertex = ctx.vertex(output);
        if (!inputs.contains(output) && ctx.batchAxis(graph.producer(output).orElseThrow(), output) != 0) {
            throw new TranslationException("the batch is not the first dimension of \"" + output + "\"");
        }
        if (inputs.contains(outVertex)) {
            // A graph's output cannot be its input: pass it through an identity layer.
            String identity = output + "#identity";
            ctx.layer(identity, new ActivationLayer.Builder().activation(Activation.IDENTITY).build(), outVertex);
            ctx.produces(output, identity);
        }
        return new Translation(List.copyOf(inputs), inputs.stream().map(ctx::shape).toList(), output,
                ctx.shape(output), List.copyOf(ctx.vertices), Map.copyOf(ctx.params), List.copyOf(ctx.bindings),
                new LinkedHashMap<>(ctx.tensorVertex));
    }

    /**
     * The nodes that compute {@code output} from {@code inputs}, in graph order. Fails when the output also
     * depends on a graph input that is not one of them: then the boundary does not separate the graph.
     */
    static List<OnnxMl.NodeProto> between(OnnxGraph graph, List<String> inputs, String output) {
        Set<String> names = new HashSet<>(graph.model().tensorNames());
        for (String t : inputs) {
            if (!names.contains(t)) {
                throw new TranslationException("no tensor named \"" + t + "\" in the graph");
            }
        }
        if (!names.contains(output)) {
            throw new TranslationException("no tensor named \"" + output + "\" in the graph");
        }
        Set<OnnxMl.NodeProto> needed = new HashSet<>();
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(output));
        while (!todo.isEmpty()) {
            String t = todo.pop();
            // Constants (weights, folded shapes) are not activations: they never tie a node to the boundary.
            if (!seen.add(t) || inputs.contains(t) || (graph.isConstant(t) && !graph.isTrainedDerived(t))) {
                continue;
            }
            OnnxMl.NodeProto p = graph.producer(t).orElseThrow(() -> new TranslationException("\"" + output
                    + "\" depends on graph input \"" + t + "\" other than through " + inputs
                    + ": the boundary must be a tensor every later layer depends on"));
            if (needed.add(p)) {
                Set<Integer> shapeOperands = SHAPE_OPERANDS.getOrDefault(p.getOpType(), Set.of());
                for (int i = 0; i < p.getInputCount(); i++) {
                    if (!p.getInput(i).isEmpty() && !shapeOperands.contains(i)) {
                        todo.push(p.getInput(i));
                    }
                }
            }
        }
        return graph.nodes().stream().filter(needed::contains).toList();
    }
}
