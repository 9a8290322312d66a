package io.transferpool.kernels;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.InverseSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The host-side update against DL4J's own updater ops on the same gradients, on a network large enough to be split
 * across threads (about 300k parameters), for every optimizer a job can name; other optimizers are left to DL4J.
 */
class HostUpdateTest {

    private static MultiLayerNetwork net(IUpdater updater) {
        var conf = new NeuralNetConfiguration.Builder().seed(4).dataType(DataType.FLOAT).updater(updater).list()
                .layer(new DenseLayer.Builder().nIn(600).nOut(500).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(500).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        net.initGradientsView();
        return net;
    }

    private static IUpdater updater(String name) {
        var lr = new InverseSchedule(ScheduleType.ITERATION, 0.01, 0.05, 1.0);
        return switch (name) {
            case "sgd" -> new Sgd(lr);
            case "nesterovs" -> new Nesterovs(lr, 0.9);
            default -> Adam.builder().learningRateSchedule(lr).beta1(0.8).beta2(0.99).epsilon(1e-7).build();
        };
    }

    private static List<UpdaterBlock> blocks(MultiLayerNetwork net) {
        return ((MultiLayerUpdater) net.getUpdater(true)).getUpdaterBlocks();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sgd", "nesterovs", "adam"})
    void updatesAsDl4jsUpdaterDoes(String optimizer) {
        MultiLayerNetwork reference = net(updater(optimizer));
        MultiLayerNetwork host = net(updater(optimizer));
        assertThat(host.params()).isEqualTo(reference.params());
        long n = reference.params().length();
        assertThat(n).isGreaterThan(2L << 17); // split across threads where there are two cores
        List<UpdaterBlock> blocks = blocks(host);
        INDArray flatParams = host.params().reshape(n);
        INDArray flatGradients = host.getGradientsViewArray().reshape(n);
        var updates = blocks.stream()
                .map(b -> HostUpdate.of(b, flatParams, flatGradients).orElseThrow())
                .toList();

        Nd4j.getRandom().setSeed(9);
        for (int iteration = 0; iteration < 5; iteration++) {
            INDArray g = Nd4j.randn(DataType.FLOAT, n).muli(0.1);
            reference.getGradientsViewArray().reshape(n).assign(g);
            flatGradients.assign(g);
            INDArray refParams = reference.params().reshape(n);
            INDArray refGradients = reference.getGradientsViewArray().reshape(n);
            for (UpdaterBlock b : blocks(reference)) {
                var range = NDArrayIndex.interval(b.getParamOffsetStart(), b.getParamOffsetEnd());
                INDArray blockGradient = refGradients.get(range);
                b.getGradientUpdater().applyUpdater(blockGradient, iteration, 0);
                refParams.get(range).subi(blockGradient);
            }
            for (var u : updates) {
                u.apply(iteration, 0);
            }
        }
        INDArray moved = reference.params().sub(net(updater(optimizer)).params());
        assertThat(moved.amaxNumber().doubleValue()).as("the updates moved the parameters").isGreaterThan(1e-3);
        double diff = reference.params().sub(host.params()).amaxNumber().doubleValue();
        assertThat(diff).as("largest parameter difference").isLessThan(1e-6);
        INDArray state = reference.getUpdater(true).getStateViewArray();
        if (state != null) {
            double stateDiff = state.sub(host.getUpdater(true).getStateViewArray()).amaxNumber().doubleValue();
            assertThat(stateDiff).as("largest optimizer state difference").isLessThan(1e-6);
            assertThat(state.amaxNumber().doubleValue()).isGreaterThan(1e-4);
        }
    }

    @Test
    void otherOptimizersAreLeftToDl4j() {
        MultiLayerNetwork net = net(new RmsProp(0.01));
        long n = net.params().length();
        assertThat(HostUpdate.of(blocks(net).get(0), net.params().reshape(n), net.getGradientsViewArray().reshape(n)))
                .isEmpty();
    }
}
