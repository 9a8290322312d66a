package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.ModelInspector;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.TensorData;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ONNX's own backend test cases (Debian package libonnx-testdata, installed by .ci/run) for every operator the
 * translator supports: each case either translates and reproduces the expected output within
 * {@link TranslationCheck#TOLERANCE}, or is refused with a {@link TranslationException} before anything runs. A
 * translation that runs but answers wrongly fails the test, and each operator must pass the listed cases. (Cases
 * with opset-1/6 operators that ONNX Runtime no longer implements are refused: shapes come from ORT, and the
 * translator targets opsets 11 to 17.)
 */
class OnnxBackendConformanceTest {
    static final Path DATA = Path.of("/usr/share/libonnx-testdata/data");

    /** Case families (directory name prefixes) of the supported operators. */
    static final List<String> FAMILIES = List.of(
            "node/test_conv_with", "node/test_batchnorm_e", "node/test_relu", "node/test_leakyrelu",
            "node/test_clip", "node/test_sigmoid", "node/test_tanh", "node/test_maxpool_2d", "node/test_averagepool_2d",
            "node/test_globalaveragepool", "node/test_flatten", "node/test_reshape", "node/test_gemm",
            "node/test_matmul_2d", "node/test_add", "node/test_mul", "node/test_concat", "node/test_dropout_default",
            "node/test_identity", "node/test_softmax", "pytorch-converted/test_Conv2d",
            "pytorch-converted/test_BatchNorm2d", "pytorch-converted/test_ReLU", "pytorch-converted/test_LeakyReLU",
            "pytorch-converted/test_Sigmoid", "pytorch-converted/test_Tanh", "pytorch-converted/test_Linear",
            "pytorch-converted/test_MaxPool2d", "pytorch-converted/test_AvgPool2d", "pytorch-converted/test_Softmax",
            "node/test_hardsigmoid", "node/test_hardswish", "node/test_globalmaxpool", "node/test_reduce_mean",
            "node/test_reduce_max", "node/test_constant_pad", "node/test_edge_pad", "node/test_reflect_pad",
            "pytorch-converted/test_Conv2d_groups", "pytorch-converted/test_ConstantPad2d",
            "pytorch-converted/test_ZeroPad2d", "pytorch-converted/test_ReflectionPad2d",
            "pytorch-converted/test_ReplicationPad2d", "pytorch-operator/test_operator_add_broadcast",
            "pytorch-operator/test_operator_add_size1", "pytorch-operator/test_operator_pad",
            "pytorch-operator/test_operator_reduced_mean",
            // tensors of any rank (issue 24)
            "node/test_transpose", "node/test_layer_normalization", "node/test_erf", "node/test_exp", "node/test_neg",
            "node/test_reciprocal", "node/test_sqrt", "node/test_gather_0", "node/test_gather_1",
            "node/test_gather_2d", "node/test_gather_negative", "node/test_slice", "node/test_split",
            "node/test_unsqueeze", "node/test_squeeze", "node/test_expand", "node/test_reduce_sum",
            "node/test_softmax_axis", "node/test_softmax_default", "node/test_softmax_negative", "node/test_pow",
            "node/test_sub", "node/test_div", "node/test_matmul_3d", "node/test_matmul_4d");

    /**
     * Cases that must translate and match, at least one per supported operator that has a 4-D or 2-D case here
     * (Constant, ReduceMean/ReduceMax over height and width and broadcasting Add/Mul have none: see
     * TorchvisionFamiliesTest, whose models use them).
     */
    static final Map<String, List<String>> MUST_PASS = new TreeMap<>(Map.ofEntries(
            Map.entry("Conv", List.of("node/test_conv_with_strides_padding", "node/test_conv_with_autopad_same",
                    "node/test_conv_with_strides_and_asymmetric_padding", "pytorch-converted/test_Conv2d",
                    "pytorch-converted/test_Conv2d_depthwise", "pytorch-converted/test_Conv2d_depthwise_padded",
                    "pytorch-converted/test_Conv2d_depthwise_with_multiplier", "pytorch-converted/test_Conv2d_no_bias",
                    "pytorch-converted/test_Conv2d_dilated", "pytorch-converted/test_Conv2d_groups")),
            Map.entry("BatchNormalization", List.of("node/test_batchnorm_example", "node/test_batchnorm_epsilon")),
            Map.entry("Relu", List.of("node/test_relu", "pytorch-converted/test_ReLU")),
            Map.entry("LeakyRelu", List.of("node/test_leakyrelu", "pytorch-converted/test_LeakyReLU_with_negval")),
            Map.entry("Clip", List.of("node/test_clip")),
            Map.entry("Sigmoid", List.of("node/test_sigmoid", "pytorch-converted/test_Sigmoid")),
            Map.entry("Tanh", List.of("node/test_tanh", "pytorch-converted/test_Tanh")),
            Map.entry("MaxPool", List.of("node/test_maxpool_2d_default", "node/test_maxpool_2d_pads",
                    "node/test_maxpool_2d_strides", "pytorch-converted/test_MaxPool2d", "node/test_maxpool_2d_ceil",
                    "node/test_maxpool_2d_same_upper", "node/test_maxpool_2d_same_lower")),
            Map.entry("HardSigmoid", List.of("node/test_hardsigmoid", "node/test_hardsigmoid_default")),
            Map.entry("HardSwish", List.of("node/test_hardswish")),
            Map.entry("GlobalMaxPool", List.of("node/test_globalmaxpool")),
            Map.entry("Pad", List.of("node/test_constant_pad", "pytorch-converted/test_ConstantPad2d",
                    "pytorch-converted/test_ZeroPad2d")),
            Map.entry("AveragePool", List.of("node/test_averagepool_2d_default", "node/test_averagepool_2d_pads",
                    "node/test_averagepool_2d_pads_count_include_pad", "node/test_averagepool_2d_strides")),
            Map.entry("GlobalAveragePool", List.of("node/test_globalaveragepool")),
            Map.entry("Flatten", List.of("node/test_flatten_axis1", "node/test_flatten_default_axis")),
            Map.entry("Reshape", List.of()),
            Map.entry("Gemm", List.of("node/test_gemm_default_vector_bias", "node/test_gemm_transposeB",
                    "node/test_gemm_alpha", "node/test_gemm_beta")),
            Map.entry("MatMul", List.of("node/test_matmul_2d")),
            Map.entry("Add", List.of("node/test_add")),
            Map.entry("Mul", List.of("node/test_mul")),
            Map.entry("Concat", List.of("node/test_concat_2d_axis_1", "node/test_concat_3d_axis_1")),
            Map.entry("Dropout", List.of("node/test_dropout_default")),
            Map.entry("Identity", List.of("node/test_identity")),
            Map.entry("Softmax", List.of("node/test_softmax_example", "node/test_softmax_large_number",
                    "pytorch-converted/test_Softmax", "node/test_softmax_axis_2")),
            Map.entry("Transpose", List.of("node/test_transpose_all_permutations_1")),
            Map.entry("Erf", List.of("node/test_erf")),
            Map.entry("Gather", List.of("node/test_gather_1")),
            Map.entry("Slice", List.of("node/test_slice_negative_axes", "node/test_slice_end_out_of_bounds")),
            Map.entry("Split", List.of("node/test_split_equal_parts_2d")),
            Map.entry("Unsqueeze", List.of("node/test_unsqueeze_axis_1")),
            Map.entry("Squeeze", List.of("node/test_squeeze_negative_axes")),
            Map.entry("Sub", List.of("node/test_sub_bcast")),
            Map.entry("Div", List.of("node/test_div_bcast")),
            Map.entry("Sqrt", List.of("node/test_sqrt")),
            Map.entry("Exp", List.of("node/test_exp")),
            Map.entry("Neg", List.of("node/test_neg")),
            Map.entry("Reciprocal", List.of("node/test_reciprocal")),
            Map.entry("ReduceSum", List.of("node/test_reduce_sum_keepdims_random"))));

    static List<Path> cases;

    @BeforeAll
    static void findCases() throws IOException {
        assertThat(DATA).as("ONNX backend test data; install the Debian package libonnx-testdata (.ci/run does)")
                .isDirectory();
        cases = new ArrayList<>();
        for (String family : FAMILIES) {
            Path dir = DATA.resolve(family).getParent();
            String prefix = DATA.resolve(family).getFileName().toString();
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().startsWith(prefix))
                        .filter(p -> !p.getFileName().toString().endsWith("_expanded")).sorted().forEach(cases::add);
            }
        }
    }

    /** What became of one case. */
    record Outcome(String name, boolean matched, String refusal, double error) {
    }

    @Test
    void everyCaseMatchesOrIsRefusedBeforeRunning() throws Exception {
        Map<String, Outcome> outcomes = new TreeMap<>();
        for (Path c : cases) {
            Outcome o = run(c);
            outcomes.put(o.name(), o);
        }
        long matched = outcomes.values().stream().filter(Outcome::matched).count();
        System.out.printf("ONNX backend cases: %d run, %d matched, %d refused%n", outcomes.size(), matched,
                outcomes.size() - matched);
        outcomes.values().stream().filter(o -> !o.matched()).forEach(o -> System.out.println("  refused "
                + o.name() + ": " + o.refusal()));
        List<String> wrong = outcomes.values().stream().filter(o -> !o.matched() && o.refusal().startsWith("WRONG"))
                .map(o -> o.name() + " " + o.refusal()).toList();
        assertThat(wrong).as("cases translated but answering wrongly").isEmpty();
        for (var e : MUST_PASS.entrySet()) {
            for (String name : e.getValue()) {
                assertThat(outcomes).as(e.getKey() + " case " + name).containsKey(name);
                assertThat(outcomes.get(name).matched()).as(e.getKey() + " case " + name + ": "
                        + outcomes.get(name).refusal()).isTrue();
            }
        }
        assertThat(matched).isGreaterThanOrEqualTo(142);
    }

    static Outcome run(Path dir) throws IOException {
        String name = DATA.relativize(dir).toString();
        OnnxModel model = OnnxModel.load(dir.resolve("model.onnx"));
        Path data = dir.resolve("test_data_set_0");
        List<OnnxMl.ValueInfoProto> graphInputs = model.graph().getInputList().stream()
                .filter(v -> !model.initializerNames().contains(v.getName())).toList();
        if (Stream.concat(graphInputs.stream(), model.graph().getOutputList().stream())
                .anyMatch(v -> !v.getType().hasTensorType())) {
            return new Outcome(name, false, "sequence or optional values, not tensors", 0);
        }
        List<OnnxMl.TensorProto> inputs = new ArrayList<>();
        for (int i = 0; i < graphInputs.size(); i++) {
            inputs.add(OnnxMl.TensorProto.parseFrom(Files.readAllBytes(data.resolve("input_" + i + ".pb"))));
        }
        // Weights are graph inputs in these cases; the translator takes them as constants, so fold every input
        // that no node reads as data (input 0, or any input of Add, Mul and Concat).
        Set<String> dataInputs = new HashSet<>();
        for (OnnxMl.NodeProto n : model.graph().getNodeList()) {
            boolean allData = Set.of("Add", "Mul", "Concat").contains(n.getOpType());
            for (int i = 0; i < n.getInputCount(); i++) {
                if (i == 0 || allData) {
                    dataInputs.add(n.getInput(i));
                }
            }
        }
        for (int i = 0; i < graphInputs.size(); i++) {
            boolean floats = inputs.get(i).getDataType() == OnnxMl.TensorProto.DataType.FLOAT_VALUE;
            if (dataInputs.contains(graphInputs.get(i).getName()) && !floats
                    || expected(data).getDataType() != OnnxMl.TensorProto.DataType.FLOAT_VALUE) {
                return new Outcome(name, false, "not float32", 0);
            }
        }
        OnnxMl.GraphProto.Builder g = model.graph().toBuilder().clearInput();
        List<String> dynamic = new ArrayList<>();
        List<INDArray> feed = new ArrayList<>();
        for (int i = 0; i < graphInputs.size(); i++) {
            String in = graphInputs.get(i).getName();
            TensorData v = TensorData.of(inputs.get(i));
            if (dataInputs.contains(in)) {
                g.addInput(withShape(graphInputs.get(i), v.dims()));
                dynamic.add(in);
                feed.add(Nd4j.create(v.values(), v.dims(), 'c'));
            } else {
                g.addInitializer(inputs.get(i).toBuilder().setName(in));
            }
        }
        OnnxModel folded = OnnxModel.parse(model.proto().toBuilder().setGraph(g).build().toByteArray(), name);
        String output = model.graph().getOutput(0).getName();
        TensorData want = TensorData.of(expected(data));
        Translation t;
        try {
            t = OnnxTranslator.translate(folded, ModelInspector.shapes(folded), dynamic, output,
                    TranslationOptions.DEFAULT);
        } catch (TranslationException e) {
            return new Outcome(name, false, e.getMessage(), 0);
        }
        try {
            ComputationGraph net = t.build();
            INDArray out = net.output(false, feed.toArray(INDArray[]::new))[0];
            float[] got = out.castTo(DataType.FLOAT).dup('c').data().asFloat();
            if (got.length != want.size()) {
                return new Outcome(name, false, "WRONG shape " + java.util.Arrays.toString(out.shape()), 0);
            }
            double err = TranslationCheck.relativeError(got, want.values());
            return err <= TranslationCheck.TOLERANCE ? new Outcome(name, true, null, err)
                    : new Outcome(name, false, "WRONG relative error " + err, err);
        } catch (RuntimeException e) {
            return new Outcome(name, false, "WRONG: failed at run time: " + e, 0);
        }
    }

    /** The input with the test data's dims (some old exports leave shapes out, so shapes could not be inferred). */
    private static OnnxMl.ValueInfoProto withShape(OnnxMl.ValueInfoProto v, long[] dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return v.toBuilder().setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                .setElemType(OnnxMl.TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    private static OnnxMl.TensorProto expected(Path data) throws IOException {
        return OnnxMl.TensorProto.parseFrom(Files.readAllBytes(data.resolve("output_0.pb")));
    }
}
