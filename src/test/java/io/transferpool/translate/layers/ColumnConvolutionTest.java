package io.transferpool.translate.layers;

import io.transferpool.kernels.NativeThreads;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A convolution on the freeze boundary trains exactly as DL4J's own (same weights after several steps, with the
 * im2col columns kept or made again), skips only the input gradient, and is saved and restored with the network.
 */
class ColumnConvolutionTest {
    private static ComputationGraph graph(boolean boundary, CacheMode cache) {
        ConvolutionLayer conv = new ConvolutionLayer.Builder(3, 3).stride(1, 1).padding(1, 1).nIn(8).nOut(12)
                .activation(Activation.RELU).build();
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(4)
                .dataType(DataType.FLOAT).updater(new Nesterovs(0.05, 0.9)).cacheMode(cache).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(6, 6, 8))
                .addLayer("conv", boundary ? ColumnConvolution.atBoundary(conv) : conv, "in")
                .addLayer("pool", new SubsamplingLayer.Builder(2, 2).stride(2, 2).build(), "conv")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        return g;
    }

    private static DataSet batch() {
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 8, 6, 6);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 3);
        for (int i = 0; i < 16; i++) {
            y.putScalar(i, i % 3, 1);
        }
        return new DataSet(x, y);
    }

    @ParameterizedTest
    @EnumSource(value = CacheMode.class, names = {"NONE", "HOST"})
    void trainsExactlyAsDl4jsConvolution(CacheMode cache) {
        NativeThreads.configure();
        ComputationGraph plain = graph(false, cache);
        ComputationGraph boundary = graph(true, cache);
        boundary.setParams(plain.params().dup());
        assertThat(boundary.getLayer("conv")).isInstanceOf(ColumnConvolutionLayer.class);
        DataSet ds = batch();
        for (int i = 0; i < 6; i++) {
            plain.fit(ds);
            boundary.fit(ds);
        }
        INDArray a = plain.params();
        INDArray b = boundary.params();
        assertThat(a.sub(b).amaxNumber().doubleValue()).as("largest weight difference after 6 steps")
                .isLessThan(1e-6);
        assertThat(a.sub(graph(false, cache).params()).amaxNumber().doubleValue()).as("the steps changed weights")
                .isGreaterThan(1e-3);
    }

    @ParameterizedTest
    @EnumSource(value = CacheMode.class, names = {"NONE", "HOST"})
    void aDeeperConvolutionPassesTheSameGradientToItsInputAsDl4js(CacheMode cache) {
        NativeThreads.configure();
        ComputationGraph[] graphs = new ComputationGraph[2];
        for (int i = 0; i < 2; i++) {
            ConvolutionLayer first = new ConvolutionLayer.Builder(3, 3).stride(1, 1).padding(1, 1).nIn(8).nOut(6)
                    .activation(Activation.RELU).build();
            ConvolutionLayer second = new ConvolutionLayer.Builder(3, 2).stride(2, 1).padding(1, 0).dilation(1, 2)
                    .nIn(6).nOut(5).activation(Activation.TANH).build();
            ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(4)
                    .dataType(DataType.FLOAT).updater(new Nesterovs(0.05, 0.9)).cacheMode(cache).graphBuilder()
                    .addInputs("in").setInputTypes(InputType.convolutional(6, 6, 8))
                    .addLayer("c1", i == 0 ? first : ColumnConvolution.atBoundary(first), "in")
                    .addLayer("c2", i == 0 ? second : ColumnConvolution.of(second), "c1")
                    .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                            .activation(Activation.SOFTMAX).build(), "c2")
                    .setOutputs("out").build());
            g.init();
            graphs[i] = g;
        }
        graphs[1].setParams(graphs[0].params().dup());
        INDArray start = graphs[0].getLayer("c1").params().dup();
        DataSet ds = batch();
        for (int i = 0; i < 6; i++) {
            graphs[0].fit(ds);
            graphs[1].fit(ds);
        }
        // the first layer learns only through the second's input gradient
        INDArray firstA = graphs[0].getLayer("c1").params();
        INDArray firstB = graphs[1].getLayer("c1").params();
        assertThat(firstA.sub(firstB).amaxNumber().doubleValue()).isLessThan(1e-6);
        assertThat(graphs[0].params().sub(graphs[1].params()).amaxNumber().doubleValue()).isLessThan(1e-6);
        assertThat(firstA.sub(start).amaxNumber().doubleValue()).as("the first layer trained").isGreaterThan(1e-4);
    }

    @Test
    void computesWhatDl4jsConvolutionComputesWithStrideDilationAndPadding() {
        NativeThreads.configure();
        ConvolutionLayer conv = new ConvolutionLayer.Builder(3, 2).stride(2, 1).padding(1, 2).dilation(2, 1)
                .nIn(5).nOut(7).activation(Activation.TANH).build();
        ComputationGraph[] graphs = new ComputationGraph[2];
        for (int i = 0; i < 2; i++) {
            ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(4)
                    .dataType(DataType.FLOAT).graphBuilder().addInputs("in")
                    .setInputTypes(InputType.convolutional(9, 8, 5))
                    .addLayer("conv", i == 0 ? conv.clone() : ColumnConvolution.of(conv), "in")
                    .setOutputs("conv").build());
            g.init();
            graphs[i] = g;
        }
        graphs[1].setParams(graphs[0].params());
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 5, 9, 8).subi(0.5);
        INDArray a = graphs[0].outputSingle(x);
        INDArray b = graphs[1].outputSingle(x);
        assertThat(b.shape()).isEqualTo(a.shape());
        assertThat(a.sub(b).amaxNumber().doubleValue()).isLessThan(1e-6);
    }

    @Test
    void isSavedAndRestoredWithTheNetwork() throws Exception {
        ComputationGraph g = graph(true, CacheMode.NONE);
        g.fit(batch());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelSerializer.writeModel(g, out, false);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(out.toByteArray()),
                false);
        assertThat(back.getLayer("conv")).isInstanceOf(ColumnConvolutionLayer.class);
        INDArray x = batch().getFeatures();
        assertThat(back.outputSingle(x)).isEqualTo(g.outputSingle(x));
    }
}
