package io.transferpool.learning;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

/**
 * Counts the rows of a training batch that the training step's own forward pass classifies right, as Keras reports
 * training accuracy: from the activations DL4J hands its listeners before the update (with dropout as trained), so
 * an epoch's training metrics need no second pass over the training split. DL4J stops that forward pass at the
 * output layer's input; the output layer's logits are one small product away ({@code in W + b}, whose argmax is
 * the softmax's). {@link #take} is -1 when the network's output layer is not a dense layer fed by one 2-d tensor.
 * Used by the training thread only.
 */
final class StepAccuracy extends BaseTrainingListener {
    private int correct = -1;
    private INDArray labels;

    /** The labels of the batch about to be trained (a graph hands its listeners no labels before backprop). */
    void expect(INDArray batchLabels) {
        labels = batchLabels;
        correct = -1;
    }

    /** The count of the last step, and forget it (-1 if the step reported nothing usable). */
    int take() {
        int c = correct;
        correct = -1;
        return c;
    }

    @Override
    public void onForwardPass(Model model, List<INDArray> activations) {
        MultiLayerNetwork net = (MultiLayerNetwork) model;
        correct = activations.isEmpty() ? -1 : count(net.getOutputLayer(), activations.get(activations.size() - 1),
                labels);
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
        ComputationGraph graph = (ComputationGraph) model;
        var conf = graph.getConfiguration();
        correct = -1;
        if (conf.getNetworkOutputs().size() != 1) {
            return;
        }
        String out = conf.getNetworkOutputs().get(0);
        List<String> in = conf.getVertexInputs().get(out);
        if (in == null || in.size() != 1 || !activations.containsKey(in.get(0))) {
            return;
        }
        correct = count(graph.getLayer(out), activations.get(in.get(0)), labels);
    }

    private static int count(Layer output, INDArray in, INDArray labels) {
        if (!(output instanceof BaseOutputLayer<?>) || labels == null || in == null || in.rank() != 2) {
            return -1;
        }
        INDArray w = output.getParam("W");
        INDArray b = output.getParam("b");
        if (w == null || b == null || w.rank() != 2 || w.size(0) != in.size(1) || w.size(1) != labels.size(1)) {
            return -1;
        }
        INDArray logits = in.castTo(w.dataType()).mmul(w).addiRowVector(b);
        INDArray hits = Nd4j.argMax(logits, 1).eq(Nd4j.argMax(labels, 1));
        return hits.castTo(DataType.INT).sumNumber().intValue();
    }
}
