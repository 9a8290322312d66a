package io.transferpool.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.transferpool.features.Rows;
import io.transferpool.model.GraphCut;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.SessionFactory;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * Runs the combined ONNX model in ONNX Runtime from the tensor the trainer was fed (cut or freeze boundary) on the
 * trainer's own rows, and returns the largest gap to the trainer's class probabilities. The prefix before that
 * tensor is the unchanged base the extractors ran, so this checks everything the job changed.
 */
final class OnnxPredictionCheck {
    /** Largest difference in a class probability tolerated between DL4J and ONNX Runtime. */
    static final double TOLERANCE = 1e-4;

    private OnnxPredictionCheck() {
    }

    /** @param model the combined model (its external data, if any, still in the base's folder) */
    static double maxDifference(OnnxModel model, String from, long[] fromShape, Rows rows, float[] expected)
            throws OrtException {
        byte[] part = GraphCut.between(model, from, fromShape, List.of(CombinedModelWriter.OUTPUT)).toByteArray();
        // As a user would serve it: optimised, on the CPU.
        return maxDifference(SessionFactory.open(part, model.folder(), SessionFactory.Settings.cpu(0)).session(),
                from, fromShape, rows, expected);
    }

    private static double maxDifference(OrtSession opened, String from, long[] fromShape, Rows rows,
                                        float[] expected) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int d = rows.store().dimension();
        int k = rows.classes();
        double max = 0;
        try (OrtSession session = opened) {
            int[] order = rows.identityOrder();
            for (int from0 = 0; from0 < rows.size(); from0 += 512) {
                int to = Math.min(rows.size(), from0 + 512);
                float[] x = new float[(to - from0) * d];
                for (int i = from0; i < to; i++) {
                    rows.store().read(rows.indices()[order[i]], x, (i - from0) * d);
                }
                long[] shape = fromShape.clone();
                shape[0] = to - from0;
                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                     OrtSession.Result r = session.run(Map.of(from, in))) {
                    FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
                    for (int i = 0; i < (to - from0) * k; i++) {
                        max = Math.max(max, Math.abs(out.get(i) - expected[from0 * k + i]));
                    }
                }
            }
        }
        return max;
    }
}
