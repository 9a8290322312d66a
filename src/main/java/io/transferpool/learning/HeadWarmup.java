package io.transferpool.learning;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.transferpool.model.GraphCut;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.SessionFactory;
import java.nio.FloatBuffer;
import java.util.List;

import io.transferpool.features.FeatureStore;
import io.transferpool.features.Rows;
import io.transferpool.job.JobSpec;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The first stage of a fine-tune: the new head trained alone, everything before it frozen, then copied into the
 * graph's head layers. The seed fine-tunes from the head its method 1 trained; a random head trained at the small
 * rate meant for pretrained layers drags those layers around (issue 13 measured 0.831 against method 1's 0.86).
 * The frozen layers between the boundary and the cut run once over every row, in ONNX Runtime (the part of the
 * base between them, {@link GraphCut#between}): the head trains on the very features method 1's extraction makes,
 * with the in-place head step and the same settings, so the warm-up is method 1 (same split, seed and features: the
 * same head), and a fine-tune that falls back to it ({@link StageChoice}) gives method 1's result. Run through the
 * DL4J translation instead, features differing in the last float bits led training to other epochs and the test
 * accuracy 0.0005-0.001 away from method 1's on a third of the subsets tried (QualityBenchmark).
 */
final class HeadWarmup {
    /** Rows run through the frozen layers at a time. */
    private static final int BATCH = 256;

    private HeadWarmup() {
    }

    /** The warm-up's training settings: the warm-up's rate and epochs, early stopping always on. */
    static JobSpec.Training training(JobSpec spec) {
        JobSpec.Training t = spec.training();
        JobSpec.FineTune ft = spec.fineTune();
        JobSpec.EarlyStopping es = t.earlyStopping();
        return new JobSpec.Training(t.optimizer().withLearningRate(ft.warmupLearningRate()), ft.warmupEpochs(),
                t.batchSize(), new JobSpec.EarlyStopping(true, es.monitor(), es.patience(), es.mode()),
                t.checkpoint(), t.seed());
    }

    /**
     * Trains the head of {@code net} (layers {@link HeadLayers#name}, attached after vertex
     * {@code headInput}) and leaves its best weights in the graph.
     */
    static Trained train(Network.Graph net, String headInput, Rows train, Rows validation, JobSpec spec,
                         EpochListener listener) {
        return train(net, headInput, null, train, validation, spec, listener);
    }

    /**
     * @param frozen the base's part from the boundary to the cut, run in ONNX Runtime for the head's inputs; null:
     *               the graph's translated layers make them
     */
    static Trained train(Network.Graph net, String headInput, FrozenPart frozen, Rows train, Rows validation,
                         JobSpec spec, EpochListener listener) {
        JobSpec warm = spec.withTraining(training(spec));
        try (FeatureStore inputs = train.store().sibling()) {
            int nTrain = train.size();
            if (frozen == null) {
                add(net, headInput, train, inputs);
                add(net, headInput, validation, inputs);
            } else {
                frozen.add(List.of(train, validation), inputs);
            }
            Rows headTrain = new Rows(inputs, range(0, nTrain), train.classes());
            Rows headVal = new Rows(inputs, range(nTrain, inputs.size()), train.classes());
            MultiLayerNetwork head = new HeadTrainer().build(inputs.dimension(), train.classes(), warm);
            Trained t = EpochLoop.train(new Network.Head(head), headTrain, headVal, warm.training(), listener);
            copyInto(head, net.graph(), spec.head().hidden().size());
            return t;
        }
    }

    /** The base from the boundary to the cut, in ONNX Runtime: the head's inputs exactly as method 1 extracts them. */
    record FrozenPart(OnnxModel model, String boundary, long[] boundaryShape, String cut) {
        /** Adds what the part makes of each of {@code splits}' rows, in order, through one session. */
        void add(List<Rows> splits, FeatureStore into) {
            byte[] part = GraphCut.between(model, boundary, boundaryShape, List.of(cut)).toByteArray();
            try (SessionFactory.Opened session = SessionFactory.open(part, model.folder(),
                    SessionFactory.Settings.cpu(0))) {
                for (Rows rows : splits) {
                    add(session.session(), rows, into);
                }
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime could not run the base from " + boundary + " to " + cut
                        + ": " + e.getMessage(), e);
            }
        }

        private void add(OrtSession session, Rows rows, FeatureStore into) throws OrtException {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            int[] order = rows.identityOrder();
            int[] labels = rows.labels();
            for (int from = 0; from < rows.size(); from += BATCH) {
                int to = Math.min(rows.size(), from + BATCH);
                int n = to - from;
                float[] x = rows.batch(order, from, to).getFeatures().castTo(DataType.FLOAT).dup('c').data()
                        .asFloat();
                long[] shape = boundaryShape.clone();
                shape[0] = n;
                try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                     OrtSession.Result r = session.run(Map.of(boundary, in))) {
                    FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
                    float[] values = new float[out.remaining()];
                    out.get(values);
                    int[] ids = new int[n];
                    int[] ls = new int[n];
                    for (int i = 0; i < n; i++) {
                        ids[i] = rows.indices()[from + i];
                        ls[i] = labels[from + i];
                    }
                    into.add(ids, ls, values, values.length / n);
                }
            }
        }
    }

    /** The head's weights into the graph's head layers (the same DL4J layer types, so the same layout). */
    static void copyInto(MultiLayerNetwork head, ComputationGraph graph, int hidden) {
        for (int i = 0; i <= hidden; i++) {
            INDArray from = head.getLayer(i).params();
            INDArray to = graph.getLayer(HeadLayers.name(i, hidden + 1)).params();
            if (to.length() != from.length()) {
                throw new IllegalStateException("head layer " + i + " has " + from.length() + " parameters, the "
                        + "graph's " + to.length());
            }
            to.assign(from.reshape(to.shape()));
        }
    }

    /** Adds what the frozen layers make of {@code rows} (flattened as DL4J flattens it for a dense layer). */
    private static int add(Network.Graph net, String vertex, Rows rows, FeatureStore into) {
        int[] order = rows.identityOrder();
        int[] labels = rows.labels();
        for (int from = 0; from < rows.size(); from += BATCH) {
            int to = Math.min(rows.size(), from + BATCH);
            int n = to - from;
            INDArray x = net.shaped(rows.batch(order, from, to).getFeatures());
            Map<String, INDArray> acts = net.graph().feedForward(new INDArray[]{x}, false);
            INDArray a = acts.get(vertex).castTo(DataType.FLOAT).dup('c');
            int dim = (int) (a.length() / n);
            int[] ids = new int[n];
            int[] ls = new int[n];
            for (int i = 0; i < n; i++) {
                ids[i] = rows.indices()[from + i];
                ls[i] = labels[from + i];
            }
            into.add(ids, ls, a.reshape('c', n, dim).data().asFloat(), dim);
        }
        return rows.size();
    }

    private static int[] range(int from, int to) {
        int[] out = new int[to - from];
        for (int i = 0; i < out.length; i++) {
            out[i] = from + i;
        }
        return out;
    }
}
