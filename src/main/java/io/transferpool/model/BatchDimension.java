package io.transferpool.model;

import ai.onnx.proto.OnnxMl;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code torch.onnx.export} with its defaults fixes the batch dimension to the example's 1 and, with constant
 * folding on, bakes that 1 into Reshape targets ({@code x.view(1, -1)}). Extractors and trainers run batches, so
 * such a model is generalised where it is parsed: a graph input whose first dimension is a fixed 1 gets a symbolic
 * batch, and every Reshape of an activation to a constant shape starting with 1 copies the input's first dimension
 * instead (ONNX's 0). As everywhere in this project, the first dimension of an activation is the batch.
 */
public final class BatchDimension {
    /** Name of the symbolic batch dimension. */
    public static final String BATCH = "batch";

    private BatchDimension() {
    }

    public static OnnxMl.ModelProto generalize(OnnxMl.ModelProto model) {
        OnnxMl.GraphProto g = model.getGraph();
        Set<String> initializers = new HashSet<>();
        g.getInitializerList().forEach(t -> initializers.add(t.getName()));
        OnnxMl.GraphProto.Builder out = g.toBuilder();
        boolean fixed = false;
        for (int i = 0; i < g.getInputCount(); i++) {
            OnnxMl.ValueInfoProto in = g.getInput(i);
            if (!initializers.contains(in.getName()) && firstDimIsOne(in)) {
                out.setInput(i, withSymbolicBatch(in));
                fixed = true;
            }
        }
        if (!fixed) {
            return model;
        }
        for (int i = 0; i < g.getOutputCount(); i++) {
            if (firstDimIsOne(g.getOutput(i))) {
                out.setOutput(i, withSymbolicBatch(g.getOutput(i)));
            }
        }
        // Inner shapes recorded for batch 1 would contradict a larger batch; ONNX Runtime infers them again.
        out.clearValueInfo();
        unbakeReshapes(out, initializers);
        return model.toBuilder().setGraph(out).build();
    }

    private static void unbakeReshapes(OnnxMl.GraphProto.Builder g, Set<String> initializers) {
        Map<String, Integer> initializerIndex = new HashMap<>();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            initializerIndex.put(g.getInitializer(i).getName(), i);
        }
        Map<String, Integer> constantNode = new HashMap<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            OnnxMl.NodeProto n = g.getNode(i);
            if (n.getOpType().equals("Constant")) {
                constantNode.put(n.getOutput(0), i);
            }
        }
        for (int i = 0; i < g.getNodeCount(); i++) {
            OnnxMl.NodeProto n = g.getNode(i);
            if (!n.getOpType().equals("Reshape") || n.getInputCount() < 2 || initializers.contains(n.getInput(0))
                    || constantNode.containsKey(n.getInput(0)) || allowZero(n)) {
                continue;
            }
            String shape = n.getInput(1);
            OnnxMl.TensorProto target = initializerIndex.containsKey(shape)
                    ? g.getInitializer(initializerIndex.get(shape))
                    : constantNode.containsKey(shape) ? constantValue(g.getNode(constantNode.get(shape))) : null;
            if (target == null || ExternalData.isExternal(target)) {
                continue;
            }
            TensorData v = TensorData.of(target);
            if (v.rank() != 1 || v.size() < 2 || v.values()[0] != 1) {
                continue;
            }
            // A new constant per Reshape: exporters share equal constants between nodes that need not stay equal.
            String name = shape + "__batch";
            long[] dims = v.dims();
            List<Long> values = new java.util.ArrayList<>();
            values.add(0L);
            for (int k = 1; k < v.size(); k++) {
                values.add((long) v.values()[k]);
            }
            OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                    .setDataType(OnnxMl.TensorProto.DataType.INT64_VALUE).addAllInt64Data(values);
            for (long d : dims) {
                t.addDims(d);
            }
            if (!initializerIndex.containsKey(name)) {
                g.addInitializer(t);
                initializerIndex.put(name, g.getInitializerCount() - 1);
            }
            g.setNode(i, n.toBuilder().setInput(1, name));
        }
    }

    private static boolean allowZero(OnnxMl.NodeProto n) {
        return n.getAttributeList().stream().anyMatch(a -> a.getName().equals("allowzero") && a.getI() != 0);
    }

    private static OnnxMl.TensorProto constantValue(OnnxMl.NodeProto constant) {
        return constant.getAttributeList().stream().filter(a -> a.getName().equals("value") && a.hasT())
                .map(OnnxMl.AttributeProto::getT).findFirst().orElse(null);
    }

    private static boolean firstDimIsOne(OnnxMl.ValueInfoProto v) {
        if (!v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
            return false;
        }
        OnnxMl.TensorShapeProto s = v.getType().getTensorType().getShape();
        return s.getDimCount() > 0 && s.getDim(0).hasDimValue() && s.getDim(0).getDimValue() == 1;
    }

    private static OnnxMl.ValueInfoProto withSymbolicBatch(OnnxMl.ValueInfoProto v) {
        OnnxMl.ValueInfoProto.Builder b = v.toBuilder();
        b.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().setDim(0,
                OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
        return b.build();
    }
}
