package io.transferpool.translate;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.transferpool.model.GraphCut;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.TensorData;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Changed DL4J parameters written back into the ONNX graph (Conv incl. depthwise, Gemm, BatchNormalization when
 * it is updated) give an ONNX model that computes what the changed DL4J network computes.
 */
class WeightWriteBackTest {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theWrittenModelComputesWhatTheChangedNetworkComputes(boolean updateBatchNorm) throws Exception {
        OnnxModel model = OnnxModel.load(Path.of("src/test/resources/models/mobilenetv2_tiny.onnx"));
        Translation t = OnnxTranslator.translate(model, List.of("input"), "output",
                new TranslationOptions(updateBatchNorm));
        ComputationGraph graph = t.build();
        // Stand-in for training: shift every parameter that is written back (variances stay positive).
        for (ParamBinding b : t.bindings()) {
            INDArray p = graph.getLayer(b.vertex()).getParam(b.key());
            p.addi(Nd4j.rand(DataType.FLOAT, p.shape()).muli(0.05));
        }
        OnnxModel written = OnnxModel.parse(WeightWriteBack.apply(model, t, graph).toByteArray(), "written");

        float[] x = new float[2 * 3 * 32 * 32];
        Random rnd = new Random(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        float[] dl4j = graph.output(false, Nd4j.create(x, new long[]{2, 3, 32, 32}, 'c'))[0]
                .castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] ort = runOrt(written, x);
        assertThat(TranslationCheck.relativeError(dl4j, ort)).isLessThan(TranslationCheck.TOLERANCE);
        float[] before = runOrt(model, x);
        assertThat(TranslationCheck.relativeError(before, ort)).as("the weights did change").isGreaterThan(1e-3);

        String bnMean = "features.0.1.running_mean";
        assertThat(initializer(written, bnMean)).as("BatchNormalization statistics written back only when updated")
                .matches(v -> updateBatchNorm != java.util.Arrays.equals(v, initializer(model, bnMean)));
    }

    private static float[] runOrt(OnnxModel m, float[] x) throws Exception {
        byte[] bytes = GraphCut.between(m, "input", new long[]{1, 3, 32, 32}, List.of("output")).toByteArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(bytes, new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[]{2, 3, 32, 32});
             OrtSession.Result r = s.run(Map.of("input", in))) {
            FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }

    private static float[] initializer(OnnxModel m, String name) {
        return m.graph().getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst()
                .map(t -> TensorData.of(t).values()).orElseThrow(() -> new AssertionError("no initializer " + name));
    }
}
