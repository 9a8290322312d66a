package io.transferpool.learning;

import io.transferpool.features.Rows;
import io.transferpool.kernels.BatchStep;
import io.transferpool.kernels.DenseHeadStep;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A DL4J network being trained on feature rows: a new head (MultiLayerNetwork on [N, D] features) or a fine-tuned
 * top of the base (ComputationGraph whose input is the freeze boundary's activations, reshaped from the rows).
 */
public sealed interface Network {
    /** One update on rows {@code order[from..to)} of {@code rows}. */
    BatchStep fit(Rows rows, int[] order, int from, int to);

    /** Class probabilities for rows of features [N, D]. */
    INDArray output(INDArray features);

    INDArray params();

    void setParams(INDArray params);

    /** DL4J's own zip format (no updater state). */
    void save(OutputStream out) throws IOException;

    /** The optimizer's state (momentum, Adam's moments), or null when it keeps none (plain SGD). */
    INDArray updaterState();

    void setUpdaterState(INDArray state);

    /** Minibatches trained so far: the learning-rate schedule's clock. */
    int iterations();

    void setIterations(int iterations);

    /**
     * @param accuracy counts each step's right answers when DL4J's fit trains the head (then added to the
     *                 network's listeners by the constructor)
     * @param inPlace  the in-place step that trains every head a job can describe; null for a network it cannot
     *                 train, which DL4J's own fit trains instead
     */
    record Head(MultiLayerNetwork net, StepAccuracy accuracy, DenseHeadStep inPlace) implements Network {
        public Head(MultiLayerNetwork net) {
            this(net, new StepAccuracy(), DenseHeadStep.of(net).orElse(null));
            if (inPlace == null) {
                net.addListeners(accuracy);
            }
        }

        @Override
        public BatchStep fit(Rows rows, int[] order, int from, int to) {
            if (inPlace != null) {
                return inPlace.fit(rows, order, from, to);
            }
            DataSet batch = rows.batch(order, from, to);
            accuracy.expect(batch.getLabels());
            net.fit(batch);
            return new BatchStep(net.score(), accuracy.take());
        }

        @Override
        public INDArray output(INDArray features) {
            return net.output(features, false);
        }

        @Override
        public INDArray params() {
            return net.params();
        }

        @Override
        public void setParams(INDArray params) {
            net.setParams(params);
        }

        @Override
        public void save(OutputStream out) throws IOException {
            ModelSerializer.writeModel(net, out, false);
        }

        @Override
        public INDArray updaterState() {
            return net.getUpdater(true).getStateViewArray();
        }

        @Override
        public void setUpdaterState(INDArray state) {
            net.getUpdater(true).getStateViewArray().assign(state);
        }

        @Override
        public int iterations() {
            return net.getIterationCount();
        }

        @Override
        public void setIterations(int iterations) {
            net.setIterationCount(iterations);
        }
    }

    /**
     * @param inputShape the boundary tensor's shape (batch first; only the rest is used)
     * @param accuracy   counts each step's right answers (added to the graph's listeners by the constructor)
     */
    record Graph(ComputationGraph graph, long[] inputShape, StepAccuracy accuracy) implements Network {
        public Graph(ComputationGraph graph, long[] inputShape) {
            this(graph, inputShape, new StepAccuracy());
            graph.addListeners(accuracy);
        }

        INDArray shaped(INDArray rows) {
            if (inputShape.length == 2) {
                return rows;
            }
            long[] s = inputShape.clone();
            s[0] = rows.size(0);
            return rows.reshape('c', s);
        }

        @Override
        public BatchStep fit(Rows rows, int[] order, int from, int to) {
            DataSet batch = rows.batch(order, from, to);
            accuracy.expect(batch.getLabels());
            graph.fit(new DataSet(shaped(batch.getFeatures()), batch.getLabels()));
            return new BatchStep(graph.score(), accuracy.take());
        }

        @Override
        public INDArray output(INDArray features) {
            return graph.output(false, shaped(features))[0];
        }

        @Override
        public INDArray params() {
            return graph.params();
        }

        @Override
        public void setParams(INDArray params) {
            graph.setParams(params);
        }

        @Override
        public void save(OutputStream out) throws IOException {
            ModelSerializer.writeModel(graph, out, false);
        }

        @Override
        public INDArray updaterState() {
            return graph.getUpdater(true).getStateViewArray();
        }

        @Override
        public void setUpdaterState(INDArray state) {
            graph.getUpdater(true).getStateViewArray().assign(state);
        }

        @Override
        public int iterations() {
            return graph.getConfiguration().getIterationCount();
        }

        @Override
        public void setIterations(int iterations) {
            graph.getConfiguration().setIterationCount(iterations);
        }
    }
}
