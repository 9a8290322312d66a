package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.BatchAxes;
import io.transferpool.model.ConstantFolder;
import io.transferpool.model.ModelInspector;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.TensorData;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Lookups over an ONNX graph the translator needs: who makes a tensor, who reads it, a node's position, and the
 * values of constants (initializers, Constant nodes and whatever is folded from them, see {@link ConstantFolder}).
 */
final class OnnxGraph {
    private final OnnxModel model;
    private final ConstantFolder constants;
    private final Map<String, OnnxMl.NodeProto> producer = new HashMap<>();
    private final Map<String, List<OnnxMl.NodeProto>> consumers = new HashMap<>();
    private final Map<OnnxMl.NodeProto, Integer> index = new IdentityHashMap<>();
    /** Every tensor's shape for a batch of two (empty when only one runs), computed once when first needed. */
    private Map<String, List<Long>> shapesForTwo;
    private final Map<String, Boolean> derived = new HashMap<>();
    private final Map<String, OnnxMl.TensorProto> initializers = new HashMap<>();

    OnnxGraph(OnnxModel model, Map<String, List<Long>> shapes) {
        this.model = model;
        this.constants = new ConstantFolder(model, shapes);
        model.graph().getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        List<OnnxMl.NodeProto> nodes = model.graph().getNodeList();
        for (int i = 0; i < nodes.size(); i++) {
            OnnxMl.NodeProto n = nodes.get(i);
            index.put(n, i);
            n.getOutputList().forEach(o -> producer.put(o, n));
            n.getInputList().forEach(in -> consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n));
        }
    }

    OnnxModel model() {
        return model;
    }

    List<OnnxMl.NodeProto> nodes() {
        return model.graph().getNodeList();
    }

    /** Position of a node of this graph in its node list. */
    int index(OnnxMl.NodeProto node) {
        Integer i = index.get(node);
        if (i == null) {
            throw new IllegalArgumentException("node " + node.getName() + " is not part of this graph");
        }
        return i;
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

    /** True for tensors that do not depend on the images (initializers, Constants and what is folded from them). */
    boolean isConstant(String tensor) {
        return constants.isConstant(tensor);
    }

    /** The value of a constant tensor ({@link ConstantFolder#BATCH} where a folded shape holds the batch). */
    Optional<TensorData> constant(String tensor) {
        return constants.value(tensor);
    }

    /** The batch's dimension in each tensor when {@code inputs} hold it first (see {@link BatchAxes}). */
    Map<String, Integer> batchAxes(List<String> inputs, Map<String, List<Long>> shapes) {
        if (shapesForTwo == null) {
            shapesForTwo = ModelInspector.shapesForTwo(model);
        }
        return BatchAxes.of(model, shapes, shapesForTwo, inputs, constants);
    }

    /** Operators that only lay out a weight (exporters write a Linear's weight as Transpose of the initializer). */
    private static final java.util.Set<String> LAYOUT = java.util.Set.of("Identity", "Transpose", "Reshape",
            "Unsqueeze", "Squeeze", "Flatten", "Cast");

    /**
     * True for a weight the base learned: a float initializer of more than one value, read directly or through
     * operators that only lay it out (Identity, Transpose, Reshape, ...: the trained value is then written back as
     * a new initializer of the reading node). Constant nodes, folded values (masks, index tables) and scalars stay
     * fixed.
     */
    boolean isTrainable(String tensor) {
        String t = tensor;
        for (Optional<OnnxMl.NodeProto> p = producer(t); p.isPresent() && LAYOUT.contains(p.get().getOpType());
             p = producer(t)) {
            t = p.get().getInput(0);
        }
        OnnxMl.TensorProto i = initializers.get(t);
        return i != null && i.getDataType() == OnnxMl.TensorProto.DataType.FLOAT_VALUE
                && i.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b) > 1;
    }

    /**
     * True for a value gathered from a weight of the base at run time (Swin's relative position bias from its table
     * when the exporter did not fold it), and what is computed from it. Folding would fix it; it is translated like
     * an activation without a batch, so the table itself is trained and written back.
     */
    boolean isTrainedDerived(String tensor) {
        Boolean known = derived.get(tensor);
        if (known != null) {
            return known;
        }
        boolean d = false;
        Optional<OnnxMl.NodeProto> p = producer(tensor);
        if (p.isPresent() && !initializers.containsKey(tensor) && isConstant(tensor)
                && !p.get().getOpType().equals("Constant")) {
            OnnxMl.NodeProto n = p.get();
            d = (n.getOpType().equals("Gather") && isTrainable(n.getInput(0)))
                    || n.getInputList().stream().filter(i -> !i.isEmpty()).anyMatch(this::isTrainedDerived);
        }
        derived.put(tensor, d);
        return d;
    }

    /** ONNX opset of the default domain. */
    long opset() {
        return model.proto().getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty() || o.getDomain()
                .equals("ai.onnx")).mapToLong(OnnxMl.OperatorSetIdProto::getVersion).findFirst().orElse(1);
    }
}
