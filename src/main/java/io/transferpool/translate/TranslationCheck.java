package io.transferpool.translate;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.transferpool.model.GraphCut;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.SessionFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Runs a translation and ONNX Runtime on the same random inputs and compares every tensor of the translated part,
 * in graph order, so a mismatch names the first tensor where they part. The error of a tensor is
 * max |dl4j - ort| / max |ort| (relative to the tensor's scale, so values near zero do not inflate it).
 */
public final class TranslationCheck {
    /** Largest relative error accepted between DL4J and ONNX Runtime in float32. */
    public static final double TOLERANCE = 1e-4;

    /** @param firstDiffering the first tensor (graph order) above the tolerance, or null when all are within it */
    public record Report(double maxRelativeError, String worstTensor, String firstDiffering, int tensorsCompared,
                         Map<String, Double> errors) {
        public boolean passed() {
            return firstDiffering == null;
        }
    }

    private TranslationCheck() {
    }

    public static Report run(OnnxModel model, Translation t, long seed, int batch) throws OrtException {
        if (t.inputs().size() != 1) {
            throw new IllegalArgumentException("the check takes translations with one input");
        }
        String from = t.inputs().get(0);
        long[] shape = t.inputShapes().get(0).clone();
        shape[0] = batch;
        float[] x = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        Random rnd = new Random(seed);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        List<String> tensors = new ArrayList<>(t.tensorVertex().keySet());
        tensors.remove(from);
        tensors.remove(t.output());
        tensors.add(t.output());
        Map<String, float[]> expected = runOrt(model, from, shape, tensors, x);
        INDArray input = Nd4j.create(x, shape, 'c');
        Map<String, Double> errors = new LinkedHashMap<>();
        double outErr = error(t, input, expected.get(t.output()));
        errors.put(t.output(), outErr);
        if (outErr <= TOLERANCE) {
            return new Report(outErr, t.output(), null, 1, errors);
        }
        // Locate: DL4J activation layers work in place, so inner activations cannot be read from one forward
        // pass; run the translation cut at each tensor in graph order instead (only when the output differs).
        double max = outErr;
        String worst = t.output();
        String first = null;
        for (String tensor : tensors) {
            double err = error(t.truncatedAt(tensor), input, expected.get(tensor));
            errors.put(tensor, err);
            if (err > max) {
                max = err;
                worst = tensor;
            }
            if (first == null && !(err <= TOLERANCE)) {
                first = tensor;
            }
        }
        return new Report(max, worst, first == null ? t.output() : first, errors.size(), errors);
    }

    private static double error(Translation t, INDArray input, float[] expected) {
        INDArray a = t.build().output(false, input)[0];
        if (expected == null || a.length() != expected.length) {
            return Double.POSITIVE_INFINITY;
        }
        return relativeError(a.castTo(DataType.FLOAT).dup('c').data().asFloat(), expected);
    }

    public static double relativeError(float[] actual, float[] expected) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs((double) actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }

    private static Map<String, float[]> runOrt(OnnxModel model, String from, long[] shape, List<String> outputs,
                                               float[] x) throws OrtException {
        byte[] part = GraphCut.between(model, from, shape, outputs).toByteArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, float[]> out = new LinkedHashMap<>();
        try (OrtSession session = SessionFactory.inspect(part, model.folder());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
             OrtSession.Result r = session.run(Map.of(from, in))) {
            for (Map.Entry<String, OnnxValue> e : r) {
                if (e.getValue() instanceof OnnxTensor tensor) {
                    FloatBuffer fb = tensor.getFloatBuffer();
                    float[] v = new float[fb.remaining()];
                    fb.get(v);
                    out.put(e.getKey(), v);
                }
            }
        }
        return out;
    }
}
