package io.transferpool.export;

import io.transferpool.job.JobSpec;
import io.transferpool.learning.HeadLayers;
import io.transferpool.model.DenseWeights;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/** Reads a trained head's layers out of DL4J for the ONNX writer (DL4J keeps W as [nIn, nOut], as Gemm wants). */
final class HeadExport {
    private HeadExport() {
    }

    static List<DenseWeights> layers(MultiLayerNetwork net, JobSpec.Head head) {
        List<DenseWeights> out = new ArrayList<>();
        int n = net.getnLayers();
        for (int i = 0; i < n; i++) {
            INDArray w = net.getParam(i + "_W").castTo(DataType.FLOAT).dup('c');
            INDArray b = net.getParam(i + "_b").castTo(DataType.FLOAT).dup('c');
            String activation = i == n - 1 ? "softmax" : head.activation();
            out.add(new DenseWeights((int) w.size(0), (int) w.size(1), w.data().asFloat(), b.data().asFloat(),
                    activation));
        }
        return out;
    }

    /** The new head of a fine-tuned graph ({@link HeadLayers#name} layers). */
    static List<DenseWeights> layers(org.deeplearning4j.nn.graph.ComputationGraph graph, JobSpec.Head head) {
        List<DenseWeights> out = new ArrayList<>();
        for (int i = 0; i <= head.hidden().size(); i++) {
            boolean last = i == head.hidden().size();
            var layer = graph.getLayer(HeadLayers.name(i, head.hidden().size() + 1));
            INDArray w = layer.getParam("W").castTo(DataType.FLOAT).dup('c');
            INDArray b = layer.getParam("b").castTo(DataType.FLOAT).dup('c');
            out.add(new DenseWeights((int) w.size(0), (int) w.size(1), w.data().asFloat(), b.data().asFloat(),
                    last ? "softmax" : head.activation()));
        }
        return out;
    }
}
