package io.transferpool.model;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.transferpool.TestFiles;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withPrecision;

class GraphCutTest {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    /** The full, uncut graph with {@code tensor} added as a second output: what the cut must reproduce. */
    private static float[] fromFullGraph(OnnxModel model, String tensor, float[] input, int n) throws Exception {
        OnnxMl.GraphProto g = model.graph().toBuilder()
                .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(tensor)).build();
        return run(model.proto().toBuilder().setGraph(g).build(), tensor, input, n);
    }

    private static float[] run(OnnxMl.ModelProto proto, String output, float[] input, int n) throws Exception {
        try (OrtSession s = ENV.createSession(proto.toByteArray(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(input), new long[]{n, 1, 28, 28});
             OrtSession.Result r = s.run(Map.of("input", in), java.util.Set.of(output))) {
            FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }

    /** n random 28x28 grey images. */
    private static float[] images(int n, long seed) {
        float[] input = new float[n * 28 * 28];
        Random rnd = new Random(seed);
        for (int i = 0; i < input.length; i++) {
            input[i] = rnd.nextFloat();
        }
        return input;
    }

    @Test
    void cutGraphOutputEqualsTheSameTensorInTheFullGraph() throws Exception {
        OnnxModel model = OnnxModel.load(TestFiles.BASE_MODEL);
        float[] input = images(4, 1);
        for (String tensor : new String[]{TestFiles.CUT, "/features/features.9/MaxPool_output_0"}) {
            OnnxMl.ModelProto cut = GraphCut.cut(model, tensor);
            float[] expected = fromFullGraph(model, tensor, input, 4);
            float[] actual = run(cut, GraphCut.outputName(cut), input, 4);
            assertThat(actual).hasSameSizeAs(expected).containsExactly(expected, withPrecision(1e-5f));
        }
    }

    /** Several tensors in one cut (the advisor's one pass): each output equals the tensor in the full graph. */
    @Test
    void oneCutAtSeveralTensorsOutputsEachOfThem() throws Exception {
        OnnxModel model = OnnxModel.load(TestFiles.BASE_MODEL);
        float[] input = images(3, 2);
        String output = model.graph().getOutput(0).getName();
        java.util.List<String> tensors = java.util.List.of(TestFiles.CUT, "/features/features.9/MaxPool_output_0",
                output, "input");
        OnnxMl.ModelProto cut = GraphCut.cut(model, tensors);
        assertThat(GraphCut.outputNames(cut)).containsExactly(TestFiles.CUT, "/features/features.9/MaxPool_output_0",
                output, "input__cut");
        for (String tensor : tensors.subList(0, 3)) {
            assertThat(run(cut, tensor, input, 3)).as(tensor)
                    .containsExactly(fromFullGraph(model, tensor, input, 3), withPrecision(1e-5f));
        }
        assertThat(run(cut, "input__cut", input, 3)).containsExactly(input);
        assertThatThrownBy(() -> GraphCut.cut(model, java.util.List.of(TestFiles.CUT, TestFiles.CUT)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cutPrunesEverythingAfterTheTensor() throws Exception {
        OnnxModel model = OnnxModel.load(TestFiles.BASE_MODEL);
        OnnxMl.ModelProto cut = GraphCut.cut(model, TestFiles.CUT);
        assertThat(cut.getGraph().getNodeList()).extracting(OnnxMl.NodeProto::getOpType).doesNotContain("Gemm")
                .endsWith("Flatten");
        assertThat(cut.getGraph().getInitializerList()).extracting(OnnxMl.TensorProto::getName)
                .noneMatch(n -> n.contains("classifier"));
        assertThat(cut.getGraph().getOutputList()).extracting(OnnxMl.ValueInfoProto::getName)
                .containsExactly(TestFiles.CUT);
    }

    @Test
    void cutAtTheInputPassesItThrough() throws Exception {
        OnnxModel model = OnnxModel.load(TestFiles.BASE_MODEL);
        OnnxMl.ModelProto cut = GraphCut.cut(model, "input");
        float[] input = new float[28 * 28];
        input[5] = 0.5f;
        assertThat(run(cut, GraphCut.outputName(cut), input, 1)).containsExactly(input);
    }

    @Test
    void unknownTensorListsNearestNames() throws Exception {
        OnnxModel model = OnnxModel.load(TestFiles.BASE_MODEL);
        assertThatThrownBy(() -> GraphCut.cut(model, "flatten"))
                .isInstanceOf(GraphCut.UnknownTensorException.class)
                .hasMessageContaining("no tensor named \"flatten\"")
                .satisfies(e -> assertThat(((GraphCut.UnknownTensorException) e).nearest()).hasSize(5));
    }
}
