import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;

/**
 * Runs a job's combined model.onnx in ONNX Runtime from its file on a batch of random images and checks that its
 * only output, "probabilities", holds one row per image that sums to 1. Used by run-matrix.sh:
 *     java -cp 'target/quarkus-app/lib/main/*' scripts/torchvision/CheckCombined.java MODEL.onnx SIZE
 */
public class CheckCombined {
    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[1]);
        int n = 3;
        float[] x = new float[n * 3 * size * size];
        Random rnd = new Random(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(args[0], new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[]{n, 3, size, size});
             OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), in))) {
            if (!s.getOutputNames().equals(java.util.Set.of("probabilities"))) {
                throw new AssertionError("outputs " + s.getOutputNames());
            }
            long[] shape = ((OnnxTensor) r.get(0)).getInfo().getShape();
            FloatBuffer p = ((OnnxTensor) r.get(0)).getFloatBuffer();
            int k = (int) shape[1];
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    sum += p.get(i * k + j);
                }
                if (shape[0] != n || Math.abs(sum - 1) > 1e-4) {
                    throw new AssertionError("row " + i + " of " + java.util.Arrays.toString(shape) + " sums to " + sum);
                }
            }
            System.out.println("probabilities " + java.util.Arrays.toString(shape) + ", rows sum to 1");
        }
    }
}
