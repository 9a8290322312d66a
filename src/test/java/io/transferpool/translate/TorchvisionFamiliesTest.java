package io.transferpool.translate;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.transferpool.FamilyModel;
import io.transferpool.model.GraphCut;
import io.transferpool.model.ModelInspector;
import io.transferpool.model.OnnxModel;
import io.transferpool.translate.layers.MatMulVertex;
import io.transferpool.translate.layers.NormalizeVertex;
import io.transferpool.translate.layers.UnaryVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conformance matrix: one small model per torchvision family (ResNet-18/50, MobileNetV2/V3, EfficientNet,
 * DenseNet, SqueezeNet, RegNet, ViT, Swin, ConvNeXt, ShuffleNetV2, and a hand-written view-flatten net), each
 * exported at opset 13 with a dynamic batch and at opset 17 with torch.onnx.export's defaults
 * (src/test/resources/models/make_family_models.py). From the input of the last stage and from the image itself, the
 * translation reproduces ONNX Runtime tensor by tensor, and trained weights written back change the fine-tuned part
 * only.
 */
class TorchvisionFamiliesTest {
    static List<FamilyModel> families() throws IOException {
        return FamilyModel.all();
    }

    @Test
    void theMatrixCoversEveryFamilyAtBothOpsets() throws IOException {
        assertThat(families()).extracting(f -> f.family() + "@" + f.opset()).contains("resnet18@13", "resnet18@17",
                "resnet50@13", "resnet50@17", "mobilenet_v2@13", "mobilenet_v2@17", "mobilenet_v3_small@13",
                "mobilenet_v3_small@17", "efficientnet_b0@13", "efficientnet_b0@17", "densenet121@13",
                "densenet121@17", "squeezenet1_1@13", "squeezenet1_1@17", "regnet_x_400mf@13", "regnet_x_400mf@17",
                "vit_b_16@13", "vit_b_16@17", "swin_t@13", "swin_t@17", "convnext_tiny@13", "convnext_tiny@17",
                "shufflenet_v2_x1_0@13", "shufflenet_v2_x1_0@17");
    }

    @ParameterizedTest
    @MethodSource("families")
    void fromTheLastStageAndFromTheImageTheTranslationReproducesOnnxRuntime(FamilyModel f) throws Exception {
        OnnxModel model = f.load();
        Map<String, List<Long>> shapes = ModelInspector.shapes(model);
        for (String boundary : List.of(f.freezeAt(), f.input())) {
            Translation t = OnnxTranslator.translate(model, shapes, List.of(boundary), f.cut(),
                    TranslationOptions.DEFAULT);
            TranslationCheck.Report r = TranslationCheck.run(model, t, 5, 3);
            assertThat(r.firstDiffering()).as("%s from %s: max error %s at %s", f, boundary, r.maxRelativeError(),
                    r.worstTensor()).isNull();
        }
        assertThat(Boundaries.fineTunable(model, shapes, f.cut())).contains(f.input(), f.freezeAt());
    }

    @Test
    void everyStageOutputOfAResNetIsAFreezeBoundary() throws Exception {
        FamilyModel resnet = families().stream().filter(f -> f.file().equals("resnet18_opset13.onnx")).findFirst()
                .orElseThrow();
        OnnxModel model = resnet.load();
        List<String> boundaries = Boundaries.fineTunable(model, ModelInspector.shapes(model), resnet.cut());
        for (int stage = 1; stage <= 4; stage++) {
            String prefix = "/layer" + stage + "/";
            String stageOutput = model.tensorNames().stream().filter(n -> n.startsWith(prefix))
                    .reduce((a, b) -> b).orElseThrow();
            assertThat(boundaries).as("output of stage %d", stage).contains(stageOutput);
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void writtenBackWeightsChangeTheFineTunedPartOnly(FamilyModel f) throws Exception {
        OnnxModel model = f.load();
        Map<String, List<Long>> shapes = ModelInspector.shapes(model);
        Translation t = OnnxTranslator.translate(model, shapes, List.of(f.freezeAt()), f.cut(),
                TranslationOptions.DEFAULT);
        ComputationGraph graph = t.build();
        for (ParamBinding b : t.bindings()) {
            INDArray p = graph.getLayer(b.vertex()).getParam(b.key());
            p.addi(Nd4j.rand(DataType.FLOAT, p.shape()).muli(0.1));
        }
        OnnxModel written = model.derive(WeightWriteBack.apply(model, t, graph));

        long[] inShape = {2, 3, f.size(), f.size()};
        float[] image = random(inShape, 11);
        assertThat(run(written, f.input(), inShape, image, f.freezeAt()))
                .as("the frozen prefix computes what it did").isEqualTo(run(model, f.input(), inShape, image,
                        f.freezeAt()));
        long[] boundaryShape = t.inputShapes().get(0).clone();
        boundaryShape[0] = 2;
        float[] x = random(boundaryShape, 12);
        float[] dl4j = graph.output(false, Nd4j.create(x, boundaryShape, 'c'))[0].castTo(DataType.FLOAT).dup('c')
                .data().asFloat();
        float[] ort = run(written, f.freezeAt(), boundaryShape, x, f.cut());
        assertThat(TranslationCheck.relativeError(dl4j, ort)).as("ONNX Runtime on the written model")
                .isLessThan(TranslationCheck.TOLERANCE);
        assertThat(TranslationCheck.relativeError(run(model, f.freezeAt(), boundaryShape, x, f.cut()), ort))
                .as("the fine-tuned part did change").isGreaterThan(1e-3);
    }

    /**
     * The weights of the transformer families that are not layers' weights are trained and go back where they came
     * from: LayerNorm scales and shifts, ViT's class token and positional embedding (from the image), Swin's relative
     * position table (gathered at run time when exported without folding), ConvNeXt's layer scale.
     */
    @Test
    void transformerWeightsAreBoundToTheirOwnInitializers() throws Exception {
        assertThat(boundTensors("vit_b_16_opset13.onnx", true)).contains("class_token",
                "encoder.pos_embedding", "encoder.layers.encoder_layer_2.ln_1.weight", "encoder.ln.bias");
        assertThat(boundTensors("vit_b_16_opset17.onnx", true)).contains("class_token", "encoder.pos_embedding");
        assertThat(boundTensors("swin_t_unfolded_opset13.onnx", false))
                .contains("features.5.0.attn.relative_position_bias_table", "features.5.1.norm2.weight");
        assertThat(boundTensors("convnext_tiny_opset13.onnx", false)).anyMatch(t -> t.endsWith("layer_scale"));
    }

    /**
     * Opset 13 expands LayerNorm and GELU into seven and five nodes: fused, each is one vertex, and the translation
     * still reproduces ONNX Runtime; unfused, it does too (the reference).
     */
    @Test
    void expandedLayerNormAndGeluAreFusedWithTheSameResult() throws Exception {
        for (String file : List.of("vit_b_16_opset13.onnx", "convnext_tiny_opset13.onnx", "swin_t_opset13.onnx")) {
            FamilyModel f = families().stream().filter(m -> m.file().equals(file)).findFirst().orElseThrow();
            OnnxModel model = f.load();
            Map<String, List<Long>> shapes = ModelInspector.shapes(model);
            Translation fused = OnnxTranslator.translate(model, shapes, List.of(f.freezeAt()), f.cut(),
                    TranslationOptions.DEFAULT);
            Translation plain = OnnxTranslator.translate(model, shapes, List.of(f.freezeAt()), f.cut(),
                    new TranslationOptions(false, false));
            assertThat(fused.vertices()).as(file).anyMatch(v -> v.vertex() instanceof NormalizeVertex)
                    .anyMatch(v -> v.vertex() instanceof UnaryVertex u && u.toString().contains("GELU"))
                    // a Linear's bias Add on tokens is taken into its product (MatMulVertex with a bias input)
                    .anyMatch(v -> v.vertex() instanceof MatMulVertex m && m.toString().equals("MatMulVertex[true]"));
            assertThat(plain.vertices()).as(file).noneMatch(v -> v.vertex() instanceof NormalizeVertex);
            assertThat(fused.vertices().size()).as(file).isLessThan(plain.vertices().size() - 10);
            for (Translation t : List.of(fused, plain)) {
                TranslationCheck.Report r = TranslationCheck.run(model, t, 5, 3);
                assertThat(r.firstDiffering()).as("%s: max error %s at %s", file, r.maxRelativeError(),
                        r.worstTensor()).isNull();
            }
        }
    }

    private static List<String> boundTensors(String file, boolean fromImage) throws Exception {
        FamilyModel f = families().stream().filter(m -> m.file().equals(file)).findFirst().orElseThrow();
        OnnxModel model = f.load();
        Translation t = OnnxTranslator.translate(model, ModelInspector.shapes(model),
                List.of(fromImage ? f.input() : f.freezeAt()), f.cut(), TranslationOptions.DEFAULT);
        return t.bindings().stream().map(ParamBinding::tensor).toList();
    }

    private static float[] random(long[] shape, long seed) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] x = new float[(int) n];
        Random rnd = new Random(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    /** ONNX Runtime on the part of {@code m} from tensor {@code from} to {@code to}. */
    static float[] run(OnnxModel m, String from, long[] shape, float[] x, String to) throws Exception {
        byte[] bytes = GraphCut.between(m, from, shape, List.of(to)).toByteArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(bytes, new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
             OrtSession.Result r = s.run(Map.of(from, in))) {
            FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }
}
