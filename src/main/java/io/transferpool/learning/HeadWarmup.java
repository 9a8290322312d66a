package io.transferpool.learning;

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
 * The frozen translated layers run once over every row in inference mode, and the head trains on what they make
 * of it with the in-place head step (as method 1 does), not through the graph.
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
        JobSpec warm = spec.withTraining(training(spec));
        try (FeatureStore inputs = train.store().sibling()) {
            int nTrain = add(net, headInput, train, inputs);
            add(net, headInput, validation, inputs);
            Rows headTrain = new Rows(inputs, range(0, nTrain), train.classes());
            Rows headVal = new Rows(inputs, range(nTrain, inputs.size()), train.classes());
            MultiLayerNetwork head = new HeadTrainer().build(inputs.dimension(), train.classes(), warm);
            Trained t = EpochLoop.train(new Network.Head(head), headTrain, headVal, warm.training(), listener);
            copyInto(head, net.graph(), spec.head().hidden().size());
            return t;
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
