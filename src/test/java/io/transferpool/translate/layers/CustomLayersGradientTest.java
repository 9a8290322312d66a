package io.transferpool.translate.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The DL4J pieces written for ONNX operators DL4J lacks: their gradients agree with finite differences (DL4J's
 * GradientCheckUtil, in double precision), their forward pass with the ONNX definition, and networks holding them
 * survive DL4J's JSON configuration and model files.
 */
@ExtendWith(DoublePrecision.class)
class CustomLayersGradientTest {
    private static NeuralNetConfiguration.Builder conf() {
        return new NeuralNetConfiguration.Builder().seed(12).dataType(DataType.DOUBLE).updater(new NoOp())
                .weightInit(WeightInit.XAVIER);
    }

    private static boolean gradientsMatch(ComputationGraph net, INDArray input, INDArray labels) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                .inputs(new INDArray[]{input}).labels(new INDArray[]{labels}).epsilon(1e-6).maxRelError(1e-3)
                .minAbsoluteError(1e-8));
    }

    private static INDArray oneHot(int n, int classes) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, classes);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % classes, 1.0);
        }
        return y;
    }

    /** The graph so far, then a softmax classifier on {@code from}, initialised. */
    private static ComputationGraph classified(ComputationGraphConfiguration.GraphBuilder b, String from,
                                               int classes) {
        b.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                .activation(Activation.SOFTMAX).build(), from).setOutputs("out");
        ComputationGraph net = new ComputationGraph(b.build());
        net.init();
        return net;
    }

    private static ComputationGraph denseWith(IActivation activation) {
        ComputationGraphConfiguration.GraphBuilder b = conf().graphBuilder().addInputs("x")
                .setInputTypes(InputType.feedForward(4))
                .addLayer("h", new DenseLayer.Builder().nOut(6).activation(activation).build(), "x");
        return classified(b, "h", 3);
    }

    @Test
    void hardSigmoidHasTheNodesSlopeAndTheRightGradient() {
        HardSigmoidActivation hs = new HardSigmoidActivation(1.0 / 6, 0.5);
        INDArray x = Nd4j.createFromArray(-4.0, -3.0, 0.0, 1.5, 3.0, 5.0);
        assertThat(hs.getActivation(x.dup(), false).toDoubleVector())
                .containsExactly(new double[]{0, 0, 0.5, 0.75, 1, 1}, within(1e-12));
        ComputationGraph net = denseWith(hs);
        INDArray in = Nd4j.rand(DataType.DOUBLE, 5, 4).subi(0.5).muli(8);
        assertThat(gradientsMatch(net, in, oneHot(5, 3))).isTrue();
    }

    @Test
    void hardSwishIsXTimesItsHardSigmoidAndHasTheRightGradient() {
        INDArray x = Nd4j.createFromArray(-4.0, -1.5, 0.0, 1.5, 4.0);
        assertThat(new HardSwishActivation().getActivation(x.dup(), false).toDoubleVector())
                .containsExactly(new double[]{0, -1.5 * 0.25, 0, 1.5 * 0.75, 4}, within(1e-12));
        ComputationGraph net = denseWith(new HardSwishActivation());
        INDArray in = Nd4j.rand(DataType.DOUBLE, 5, 4).subi(0.5).muli(8);
        assertThat(gradientsMatch(net, in, oneHot(5, 3))).isTrue();
    }

    /** A squeeze-and-excitation block: a per-channel gate from the pooled map, broadcast over the map. */
    private static ComputationGraph gated(BroadcastVertex.Op op, boolean gateFirst) {
        ComputationGraphConfiguration.GraphBuilder b = conf().graphBuilder().addInputs("x")
                .setInputTypes(InputType.convolutional(5, 4, 3))
                .addLayer("map", new ConvolutionLayer.Builder(1, 1).nOut(4).activation(new ActivationTanH()).build(),
                        "x")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(false).build(),
                        "map")
                .addLayer("gate", new ConvolutionLayer.Builder(1, 1).nOut(4)
                        .activation(new HardSigmoidActivation(1.0 / 6, 0.5)).build(), "pool")
                .addVertex("se", new BroadcastVertex(op), gateFirst ? "gate" : "map", gateFirst ? "map" : "gate")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "se");
        return classified(b, "gap", 2);
    }

    @ParameterizedTest
    @EnumSource(BroadcastVertex.Op.class)
    void broadcastingGatesHaveTheRightGradientInEitherOrder(BroadcastVertex.Op op) {
        INDArray in = Nd4j.rand(DataType.DOUBLE, 3, 3, 5, 4).subi(0.5);
        assertThat(gradientsMatch(gated(op, false), in, oneHot(3, 2))).isTrue();
        assertThat(gradientsMatch(gated(op, true), in, oneHot(3, 2))).isTrue();
    }

    @Test
    void broadcastMulScalesEveryPixelOfAChannelByItsGate() {
        ComputationGraph net = new ComputationGraph(conf().graphBuilder().addInputs("map", "gate")
                .setInputTypes(InputType.convolutional(2, 2, 2), InputType.convolutional(1, 1, 2))
                .addVertex("se", new BroadcastVertex(BroadcastVertex.Op.MUL), "map", "gate").setOutputs("se").build());
        net.init();
        INDArray map = Nd4j.ones(DataType.DOUBLE, 1, 2, 2, 2);
        INDArray gate = Nd4j.createFromArray(2.0, 3.0).reshape(1, 2, 1, 1);
        INDArray out = net.output(map, gate)[0];
        assertThat(out.get(NDArrayIndex.point(0), NDArrayIndex.point(1)).dup().ravel().toDoubleVector())
                .containsOnly(3.0);
        assertThat(out.sumNumber().doubleValue()).isEqualTo(4 * 2 + 4 * 3);
    }

    private static ComputationGraph padded(double value, PoolingType pooling) {
        ComputationGraphConfiguration.GraphBuilder b = conf().graphBuilder().addInputs("x")
                .setInputTypes(InputType.convolutional(5, 5, 2))
                .addLayer("map", new ConvolutionLayer.Builder(1, 1).nOut(3).activation(new ActivationTanH()).build(),
                        "x")
                .addVertex("pad", new ConstantPadVertex(1, 2, 0, 1, value), "map")
                .addLayer("pool", new SubsamplingLayer.Builder(pooling).kernelSize(3, 3).stride(2, 2).build(), "pad")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "pool");
        return classified(b, "gap", 2);
    }

    @Test
    void constantPaddingHasTheRightGradientAndShape() {
        INDArray in = Nd4j.rand(DataType.DOUBLE, 2, 2, 5, 5).subi(0.5);
        assertThat(gradientsMatch(padded(0.25, PoolingType.AVG), in, oneHot(2, 2))).isTrue();
        assertThat(gradientsMatch(padded(ConstantPadVertex.LOWEST, PoolingType.MAX), in, oneHot(2, 2))).isTrue();
        ComputationGraph net = padded(ConstantPadVertex.LOWEST, PoolingType.MAX);
        assertThat(net.feedForward(in, false).get("pad").shape()).containsExactly(2, 3, 8, 6);
    }

    @Test
    void networksWithTheseLayersSurviveJsonAndModelFiles() throws Exception {
        ComputationGraph net = gated(BroadcastVertex.Op.MUL, true);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(net.getConfiguration().toJson());
        assertThat(back).isEqualTo(net.getConfiguration());
        ComputationGraph padded = padded(ConstantPadVertex.LOWEST, PoolingType.MAX);
        INDArray in = Nd4j.rand(DataType.DOUBLE, 2, 2, 5, 5);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        ModelSerializer.writeModel(padded, file, false);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(
                file.toByteArray()), false);
        assertThat(restored.output(in)[0]).isEqualTo(padded.output(in)[0]);
        ComputationGraphConfiguration grouped = conf().graphBuilder().addInputs("x")
                .setInputTypes(InputType.convolutional(4, 4, 6))
                .addVertex("g1", new ChannelRangeVertex(2, 5), "x")
                .addLayer("conv", new ConvolutionLayer.Builder(1, 1).nOut(2).build(), "g1").setOutputs("conv").build();
        assertThat(((ConvolutionLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) grouped.getVertices()
                .get("conv")).getLayerConf().getLayer()).getNIn()).as("channels 2..5").isEqualTo(4);
        assertThat(ComputationGraphConfiguration.fromJson(grouped.toJson())).isEqualTo(grouped);
        ComputationGraph swish = denseWith(new HardSwishActivation());
        assertThat(ComputationGraphConfiguration.fromJson(swish.getConfiguration().toJson()))
                .isEqualTo(swish.getConfiguration());
    }
}
