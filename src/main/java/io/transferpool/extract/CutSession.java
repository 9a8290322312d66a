package io.transferpool.extract;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.transferpool.job.JobSpec;
import io.transferpool.model.ExecutionProvider;
import io.transferpool.model.GraphCut;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.SessionFactory;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * A base model cut at one tensor, open in ONNX Runtime, turning a batch of preprocessed images into one flat
 * feature row per image. Thread-safe: ONNX Runtime sessions may be run concurrently.
 */
public final class CutSession implements AutoCloseable {
    private final SessionFactory.Opened opened;
    private final String input;
    private final String output;

    private CutSession(SessionFactory.Opened opened, String input, String output) {
        this.opened = opened;
        this.input = input;
        this.output = output;
    }

    public static CutSession open(OnnxModel model, String input, String cut, SessionFactory.Settings settings)
            throws OrtException {
        var cutModel = GraphCut.cut(model, cut);
        return new CutSession(SessionFactory.open(cutModel.toByteArray(), model.folder(), settings), input,
                GraphCut.outputName(cutModel));
    }

    public ExecutionProvider provider() {
        return opened.provider();
    }

    public String fallbackReason() {
        return opened.fallbackReason();
    }

    /** Features and their per-row dimension for {@code n} images laid out one after another in {@code inputs}. */
    public record Features(float[] values, int dimension) {
    }

    public Features run(float[] inputs, int n, JobSpec.Preprocess p) throws OrtException {
        long[] shape = p.layout() == JobSpec.Layout.NCHW
                ? new long[]{n, p.channels(), p.height(), p.width()}
                : new long[]{n, p.height(), p.width(), p.channels()};
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int perImage = p.channels() * p.height() * p.width();
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(inputs, 0, n * perImage), shape);
             OrtSession.Result result = opened.session().run(Map.of(input, in))) {
            OnnxTensor out = (OnnxTensor) result.get(0);
            long[] outShape = out.getInfo().getShape();
            long dim = 1;
            for (int i = 1; i < outShape.length; i++) {
                dim *= outShape[i];
            }
            FloatBuffer fb = out.getFloatBuffer();
            float[] values = new float[fb.remaining()];
            fb.get(values);
            return new Features(values, (int) dim);
        }
    }

    @Override
    public void close() throws OrtException {
        opened.close();
    }
}
