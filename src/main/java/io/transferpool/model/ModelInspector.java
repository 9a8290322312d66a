package io.transferpool.model;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lists a graph's tensors in graph order with op, shape and parameter count, marking good cut points. Shapes come
 * from one ONNX Runtime run on a zero batch of one with every tensor made an output, because exporters often leave
 * inner shapes out of the file.
 */
public final class ModelInspector {
    /** Ops whose output is a per-image feature vector (or map pooled to one): the usual places to cut. */
    private static final Set<String> CUT_OPS = Set.of("Flatten", "GlobalAveragePool", "GlobalMaxPool");

    private ModelInspector() {
    }

    public static List<TensorInfo> inspect(OnnxModel model) {
        OnnxMl.GraphProto g = model.graph();
        Map<String, Long> initializerSizes = new HashMap<>();
        for (OnnxMl.TensorProto t : g.getInitializerList()) {
            initializerSizes.put(t.getName(), Arrays.stream(t.getDimsList().stream().mapToLong(Long::longValue)
                    .toArray()).reduce(1, (a, b) -> a * b));
        }
        Map<String, List<Long>> shapes = shapes(model);
        List<TensorInfo> out = new ArrayList<>();
        for (String input : model.dataInputs()) {
            out.add(new TensorInfo(input, "input", shapes.getOrDefault(input, List.of()), 0, false));
        }
        for (OnnxMl.NodeProto node : g.getNodeList()) {
            long params = node.getInputList().stream().mapToLong(i -> initializerSizes.getOrDefault(i, 0L)).sum();
            for (int i = 0; i < node.getOutputCount(); i++) {
                String name = node.getOutput(i);
                if (name.isEmpty()) {
                    continue;
                }
                List<Long> shape = shapes.getOrDefault(name, List.of());
                boolean good = CUT_OPS.contains(node.getOpType()) || isFlattenReshape(node, shape);
                out.add(new TensorInfo(name, node.getOpType(), shape, i == 0 ? params : 0, good));
            }
        }
        return out;
    }

    private static boolean isFlattenReshape(OnnxMl.NodeProto node, List<Long> shape) {
        return node.getOpType().equals("Reshape") && shape.size() == 2;
    }

    /** Shapes of every tensor for a batch of one; empty when the model cannot be run on zeros. */
    public static Map<String, List<Long>> shapes(OnnxModel model) {
        return infer(model).shapes();
    }

    /**
     * What one ONNX Runtime run on a zero batch of one gives: every tensor's shape, or (shapes empty) why ONNX
     * Runtime could not load or run the model, in its own words.
     */
    public record Inferred(Map<String, List<Long>> shapes, String failure) {
        public boolean ok() {
            return failure == null;
        }
    }

    public static Inferred infer(OnnxModel model) {
        return infer(model, 1);
    }

    /**
     * Shapes of every tensor for a batch of two: compared with those for one, they show which dimension of each
     * tensor holds the batch ({@link BatchAxes}). Empty when the model only runs a batch of one (an export with the
     * batch fixed to 1 inside, in reshapes that cannot be generalised) or has no input with an open first dimension.
     */
    public static Map<String, List<Long>> shapesForTwo(OnnxModel model) {
        Set<String> initializers = model.initializerNames();
        boolean open = model.graph().getInputList().stream().filter(i -> !initializers.contains(i.getName()))
                .anyMatch(i -> i.getType().hasTensorType() && i.getType().getTensorType().hasShape()
                        && i.getType().getTensorType().getShape().getDimCount() > 0
                        && !i.getType().getTensorType().getShape().getDim(0).hasDimValue());
        return open ? infer(model, 2).shapes() : Map.of();
    }

    /** @param batch the size given to each input's first dimension where the model leaves it open */
    private static Inferred infer(OnnxModel model, int batch) {
        return infer(model, batch, true);
    }

    /** True when ONNX Runtime runs the model (its own outputs only, cheaper than every tensor) on a batch of two. */
    public static boolean runsBatchOfTwo(OnnxModel model) {
        return infer(model, 2, false).ok();
    }

    /** @param everyTensor every tensor an output (for their shapes), or only the model's own outputs */
    private static Inferred infer(OnnxModel model, int batch, boolean everyTensor) {
        Map<String, List<Long>> shapes = new HashMap<>();
        OnnxMl.GraphProto.Builder g = model.graph().toBuilder();
        if (everyTensor) {
            g.clearOutput();
            for (String t : model.tensorNames()) {
                g.addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(t));
            }
        }
        byte[] bytes = model.proto().toBuilder().setGraph(g).build().toByteArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = SessionFactory.inspect(bytes, model.folder())) {
            Map<String, OnnxTensor> feed = new HashMap<>();
            try {
                for (var e : session.getInputInfo().entrySet()) {
                    var info = (ai.onnxruntime.TensorInfo) e.getValue().getInfo();
                    if (info.type != ai.onnxruntime.OnnxJavaType.FLOAT) {
                        return new Inferred(Map.of(), "input \"" + e.getKey() + "\" takes " + info.type
                                + " values; image models take float");
                    }
                    long[] dims = Arrays.stream(info.getShape()).map(d -> d < 1 ? 1 : d).toArray();
                    if (dims.length > 0 && info.getShape()[0] < 1) {
                        dims[0] = batch;
                    }
                    feed.put(e.getKey(), OnnxTensor.createTensor(env,
                            FloatBuffer.allocate((int) Arrays.stream(dims).reduce(1, (a, b) -> a * b)), dims));
                }
                try (OrtSession.Result result = session.run(feed)) {
                    for (Map.Entry<String, OnnxValue> e : result) {
                        if (e.getValue() instanceof OnnxTensor t) {
                            shapes.put(e.getKey(), Arrays.stream(t.getInfo().getShape()).boxed().toList());
                        }
                    }
                }
            } finally {
                feed.values().forEach(OnnxTensor::close);
            }
        } catch (OrtException | RuntimeException e) {
            // Shapes are a convenience for inspection; a job is refused with this message.
            return new Inferred(Map.of(), "ONNX Runtime could not load or run the model: " + e.getMessage());
        }
        return new Inferred(shapes, null);
    }
}
