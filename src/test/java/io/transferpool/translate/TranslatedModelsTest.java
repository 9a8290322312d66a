package io.transferpool.translate;

import io.transferpool.model.OnnxModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PyTorch-exported models (made by src/test/resources/models/make_test_models.py) translated from a boundary to
 * their output reproduce ONNX Runtime on random inputs, tensor by tensor.
 */
class TranslatedModelsTest {
    static OnnxModel model(String name) throws Exception {
        return OnnxModel.load(Path.of("src/test/resources/models", name));
    }

    @ParameterizedTest
    @CsvSource({
            "resnet_tiny.onnx, input, false",
            "resnet_tiny.onnx, input, true",
            "resnet_tiny.onnx, /layer1/relu/Relu_output_0, false",
            "mobilenetv2_tiny.onnx, input, false",
            "mobilenetv2_tiny.onnx, input, true",
            "mixed_tiny.onnx, input, false",
            "mobilenetv2_tiny_opset11.onnx, input, false",
            "resnet_tiny_opset17.onnx, input, true"})
    void translationReproducesOnnxRuntime(String file, String boundary, boolean updateBatchNorm) throws Exception {
        OnnxModel model = model(file);
        Translation t = OnnxTranslator.translate(model, List.of(boundary), "output",
                new TranslationOptions(updateBatchNorm));
        TranslationCheck.Report r = TranslationCheck.run(model, t, 3, 4);
        assertThat(r.firstDiffering()).as("first differing tensor, max error %s at %s", r.maxRelativeError(),
                r.worstTensor()).isNull();
        assertThat(r.maxRelativeError()).isLessThanOrEqualTo(TranslationCheck.TOLERANCE);
    }

    @Test
    void aWrongWeightIsReportedAtTheFirstTensorItChanges() throws Exception {
        OnnxModel model = model("resnet_tiny.onnx");
        Translation t = OnnxTranslator.translate(model, List.of("input"), "output", TranslationOptions.DEFAULT);
        ParamBinding conv = t.bindings().stream().filter(b -> b.vertex().startsWith("/layer2/conv2")).findFirst()
                .orElseThrow();
        t.params().get(conv.vertex()).get(conv.key()).addi(0.5);

        TranslationCheck.Report r = TranslationCheck.run(model, t, 3, 2);

        assertThat(r.passed()).isFalse();
        assertThat(r.firstDiffering()).isEqualTo(conv.vertex());
    }

    @Test
    void aBoundaryThatDoesNotSeparateTheGraphIsRefused() throws Exception {
        OnnxModel model = model("resnet_tiny.onnx");
        // Inside the first residual block: the shortcut still reads the block's input.
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> OnnxTranslator.translate(model,
                List.of("/layer1/conv1/conv1.1/BatchNormalization_output_0"), "output", TranslationOptions.DEFAULT)))
                .isInstanceOf(TranslationException.class).hasMessageContaining("boundary");
    }
}
