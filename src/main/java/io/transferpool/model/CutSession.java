package io.transferpool.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.transferpool.job.JobSpec;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A base model cut at one tensor (or several, read in one pass), open in ONNX Runtime, turning a batch of
 * preprocessed images into one flat feature row per image. Thread-safe: ONNX Runtime sessions may be run
 * concurrently.
 */
public final class CutSession implements AutoCloseable {
    private final SessionFactory.Opened opened;
    private final String input;
    private final int outputs;

    private CutSession(SessionFactory.Opened opened, String input, int outputs) {
        this.opened = opened;
        this.input = input;
        this.outputs = outputs;
    }

    public static CutSession open(OnnxModel model, String input, String cut, SessionFactory.Settings settings)
            throws OrtException {
        return open(model, input, List.of(cut), settings);
    }

    /** The base cut at every one of {@code tensors}: {@link #runAll} returns their features in this order. */
    public static CutSession open(OnnxModel model, String input, List<String> tensors,
                                  SessionFactory.Settings settings) throws OrtException {
        var cutModel = GraphCut.cut(model, tensors);
        return new CutSession(SessionFactory.open(cutModel.toByteArray(), model.folder(), settings), input,
                tensors.size());
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

    /** The features of the (first) tensor cut at. */
    public Features run(float[] inputs, int n, JobSpec.Preprocess p) throws OrtException {
        return runAll(inputs, n, p, 1).get(0);
    }

    /** The features of every tensor cut at, in the order they were named. */
    public List<Features> runAll(float[] inputs, int n, JobSpec.Preprocess p) throws OrtException {
        return runAll(inputs, n, p, outputs);
    }

    private List<Features> runAll(float[] inputs, int n, JobSpec.Preprocess p, int count) throws OrtException {
        long[] shape = p.layout() == JobSpec.Layout.NCHW
                ? new long[]{n, p.channels(), p.height(), p.width()}
                : new long[]{n, p.height(), p.width(), p.channels()};
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int perImage = p.channels() * p.height() * p.width();
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(inputs, 0, n * perImage), shape);
             OrtSession.Result result = opened.session().run(Map.of(input, in))) {
            List<Features> all = new ArrayList<>(count);
            for (int k = 0; k < count; k++) {
                OnnxTensor out = (OnnxTensor) result.get(k);
                long[] outShape = out.getInfo().getShape();
                long dim = 1;
                for (int i = 1; i < outShape.length; i++) {
                    dim *= outShape[i];
                }
                FloatBuffer fb = out.getFloatBuffer();
                float[] values = new float[fb.remaining()];
                fb.get(values);
                all.add(new Features(values, (int) dim));
            }
            return all;
        }
    }

    @Override
    public void close() throws OrtException {
        opened.close();
    }
}
