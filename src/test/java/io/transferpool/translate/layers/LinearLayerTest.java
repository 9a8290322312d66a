package io.transferpool.translate.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The dense layer of translated Gemms: DenseLayer's function and gradients, without recomputing its output. */
@ExtendWith(DoublePrecision.class)
class LinearLayerTest {
    /** Two linear layers (one without a bias) between a ReLU layer and a softmax output, in double precision. */
    private static ComputationGraph net(Layer first, Layer second) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("x").setInputTypes(InputType.feedForward(5))
                .addLayer("relu", new DenseLayer.Builder().nIn(5).nOut(6).activation(Activation.RELU).build(), "x")
                .addLayer("a", first, "relu")
                .addLayer("b", second, "a")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "b")
                .setOutputs("out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        return g;
    }

    private static ComputationGraph linear() {
        return net(LinearLayer.of(6, 7, true), LinearLayer.of(7, 4, false));
    }

    private static INDArray labels() {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 8, 3);
        for (int i = 0; i < 8; i++) {
            y.putScalar(i, i % 3, 1.0);
        }
        return y;
    }

    @Test
    void itsGradientsMatchFiniteDifferences() {
        ComputationGraph g = linear();
        assertThat(g.getLayer("a")).isInstanceOf(LinearLayer.Running.class);
        g.getLayer("a").getParam("b").assign(Nd4j.randn(DataType.DOUBLE, 1, 7)); // a bias that is not zero
        assertThat(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(g)
                .inputs(new INDArray[]{Nd4j.randn(DataType.DOUBLE, 8, 5)}).labels(new INDArray[]{labels()})
                .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8))).isTrue();
    }

    @Test
    void itComputesWhatDl4jsDenseLayerDoesWithTheSameParameters() {
        ComputationGraph ours = linear();
        ComputationGraph theirs = net(new DenseLayer.Builder().nIn(6).nOut(7).activation(Activation.IDENTITY)
                .build(), new DenseLayer.Builder().nIn(7).nOut(4).activation(Activation.IDENTITY).hasBias(false)
                .build());
        theirs.setParams(Nd4j.randn(DataType.DOUBLE, 1, theirs.numParams()));
        ours.setParams(theirs.params().dup());
        INDArray x = Nd4j.randn(DataType.DOUBLE, 8, 5);
        for (ComputationGraph g : new ComputationGraph[]{ours, theirs}) {
            g.setInputs(x);
            g.setLabels(labels());
            g.computeGradientAndScore();
        }
        assertThat(ours.output(x)[0].equalsWithEps(theirs.output(x)[0], 1e-12)).isTrue();
        assertThat(ours.gradient().gradient().equalsWithEps(theirs.gradient().gradient(), 1e-10)).isTrue();
        assertThat(ours.score()).isEqualTo(theirs.score(), org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void aSavedNetworkComesBackWithItsLinearLayers() throws Exception {
        ComputationGraph g = linear();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(g, bytes, false);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()),
                false);
        assertThat(back.getLayer("a")).isInstanceOf(LinearLayer.Running.class);
        assertThat(((DenseLayer) back.getLayer("b").conf().getLayer()).hasBias()).isFalse();
        INDArray x = Nd4j.randn(DataType.DOUBLE, 4, 5);
        assertThat(back.output(x)[0].equalsWithEps(g.output(x)[0], 1e-12)).isTrue();
    }
}
