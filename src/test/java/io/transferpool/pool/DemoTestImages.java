package io.transferpool.pool;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.transferpool.TestFiles;
import io.transferpool.data.Dataset;
import io.transferpool.data.DatasetLister;
import io.transferpool.data.ImageDecoder;
import io.transferpool.data.Preprocessor;
import io.transferpool.data.Sample;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobResult;
import io.transferpool.job.JobSpec;
import io.transferpool.model.OnnxModel;
import io.transferpool.paths.PathResolver;

import java.net.URI;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code test/} images of a demo-task root, preprocessed as the demo jobs do, and a job's combined ONNX model
 * run on them: what the pipeline tests compare with the trainer.
 */
record DemoTestImages(float[] inputs, int[] labels, int count, JobSpec.Preprocess spec) {

    static DemoTestImages load(Path root) throws Exception {
        return load(root, preprocess());
    }

    /** The images of {@code root/test}, preprocessed as {@code p} says. */
    static DemoTestImages load(Path root, JobSpec.Preprocess p) throws Exception {
        Dataset test = DatasetLister.list(new PathResolver(root), "data.test",
                new JobSpec.Source("test", JobSpec.Format.IMAGE_FOLDER, null, List.of()), List.of());
        Preprocessor pre = new Preprocessor(p);
        ImageDecoder decoder = new ImageDecoder(root);
        int n = test.samples().size();
        float[] inputs = new float[n * pre.inputSize()];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            Sample s = test.samples().get(i);
            pre.apply(decoder.decode(s.ref()), inputs, i * pre.inputSize());
            labels[i] = s.label();
        }
        return new DemoTestImages(inputs, labels, n, p);
    }

    static JobSpec.Preprocess preprocess() {
        return JobParser.parse(TestFiles.job("x", "m", "t", null, 1)).orThrow().preprocess();
    }

    /** Class probabilities of the job's combined ONNX model (checked against its digest) on these images. */
    float[] runCombined(JobResult r) throws Exception {
        return runCombined(Path.of(URI.create(r.artifacts().onnx().uri())), r.artifacts().onnx().sha256());
    }

    /** Class probabilities of a combined ONNX model file (checked against {@code sha256}) on these images. */
    float[] runCombined(Path onnx, String sha256) throws Exception {
        assertThat(OnnxModel.sha256(onnx)).isEqualTo(sha256);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = {count, spec.channels(), spec.height(), spec.width()};
        try (OrtSession session = env.createSession(onnx.toString());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(inputs), shape);
             OrtSession.Result out = session.run(Map.of(session.getInputNames().iterator().next(), in))) {
            assertThat(session.getOutputNames()).containsExactly("probabilities");
            FloatBuffer fb = ((OnnxTensor) out.get(0)).getFloatBuffer();
            float[] p = new float[fb.remaining()];
            fb.get(p);
            return p;
        }
    }
}
