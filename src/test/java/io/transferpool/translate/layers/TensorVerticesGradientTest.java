package io.transferpool.translate.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
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
import static org.assertj.core.api.Assertions.within;

/**
 * The vertices for tensors of any rank (transformer blocks, NHWC blocks, channel shuffles) and the trained tensors
 * they read: gradients against finite differences (DL4J's GradientCheckUtil, double precision) through every
 * trained tensor, forward passes against their ONNX definitions, and networks holding them through DL4J's model
 * files.
 */
@ExtendWith(DoublePrecision.class)
class TensorVerticesGradientTest {
    private static long[] s(long... d) {
        return d;
    }

    /** A trained tensor read by the vertex {@code name}: random values (its parameter starts at zero). */
    private static void tensor(ComputationGraphConfiguration.GraphBuilder b, String name, long... dims) {
        b.addLayer(name, new TrainedTensor(dims), "batch");
    }

    private static ComputationGraph built(ComputationGraphConfiguration.GraphBuilder b, String from, int classes) {
        b.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                .activation(Activation.SOFTMAX).build(), from).setOutputs("out");
        ComputationGraph net = new ComputationGraph(b.build());
        net.init();
        Nd4j.getRandom().setSeed(5);
        for (var layer : net.getLayers()) {
            if (layer.conf().getLayer() instanceof TrainedTensor) {
                INDArray p = layer.getParam(TrainedTensor.KEY);
                p.assign(Nd4j.randn(DataType.DOUBLE, p.shape()).muli(0.7));
            }
        }
        return net;
    }

    private static NeuralNetConfiguration.Builder conf() {
        return new NeuralNetConfiguration.Builder().seed(12).dataType(DataType.DOUBLE).updater(new NoOp())
                .weightInit(WeightInit.XAVIER);
    }

    private static INDArray oneHot(int n, int classes) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, n, classes);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % classes, 1.0);
        }
        return y;
    }

    private static boolean gradientsMatch(ComputationGraph net, INDArray input, INDArray labels) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                .inputs(new INDArray[]{input}).labels(new INDArray[]{labels}).epsilon(1e-6).maxRelError(1e-3)
                .minAbsoluteError(1e-8));
    }

    /**
     * A transformer encoder block as torch exports it, on tokens [N, 3, 4]: a class token expanded over the batch
     * and concatenated, a positional embedding, two-head attention (projections by trained matrices, reshape and
     * transpose into heads, the value's bias added in its product, scaled scores, softmax, weights times values,
     * back), a residual, LayerNorm (normalise, scale, shift), GELU, and the class token gathered.
     */
    static ComputationGraph encoderBlock() {
        ComputationGraphConfiguration.GraphBuilder b = conf().graphBuilder().addInputs("x")
                .setInputTypes(InputType.recurrent(3, 4)).addVertex("batch", new BatchProbeVertex(), "x");
        tensor(b, "cls", 1, 1, 4);
        tensor(b, "pos", 1, 4, 4);
        tensor(b, "wq", 4, 4);
        tensor(b, "wk", 4, 4);
        tensor(b, "wv", 4, 4);
        tensor(b, "bq", 4);
        tensor(b, "bv", 4);
        tensor(b, "gamma", 4);
        tensor(b, "beta", 4);
        b.addVertex("clsN", new ExpandVertex(s(1, 1, 4), 0), "cls", "batch");
        b.addVertex("tokens", new ConcatVertex(s(1, 4, 4), 1), "clsN", "x");
        b.addVertex("t", new BinaryVertex(s(1, 4, 4), BinaryVertex.Op.ADD), "tokens", "pos");
        b.addVertex("q0", new MatMulVertex(s(1, 4, 4)), "t", "wq");
        b.addVertex("q1", new BinaryVertex(s(1, 4, 4), BinaryVertex.Op.ADD), "q0", "bq");
        b.addVertex("q2", new ReshapeVertex(s(1, 4, 2, 2), 0), "q1");
        b.addVertex("q", new PermuteVertex(s(1, 2, 4, 2), new int[]{0, 2, 1, 3}), "q2");
        b.addVertex("k0", new MatMulVertex(s(1, 4, 4)), "t", "wk");
        b.addVertex("k1", new ReshapeVertex(s(1, 4, 2, 2), 0), "k0");
        b.addVertex("kT", new PermuteVertex(s(1, 2, 2, 4), new int[]{0, 2, 3, 1}), "k1");
        b.addVertex("v0", new MatMulVertex(s(1, 4, 4), true), "t", "wv", "bv"); // the bias added in the product
        b.addVertex("v1", new ReshapeVertex(s(1, 4, 2, 2), 0), "v0");
        b.addVertex("v", new PermuteVertex(s(1, 2, 4, 2), new int[]{0, 2, 1, 3}), "v1");
        b.addVertex("scores", new MatMulVertex(s(1, 2, 4, 4)), "q", "kT");
        b.addVertex("scaled", new BinaryVertex(s(1, 2, 4, 4), BinaryVertex.Op.DIV, new double[]{1.41}, s(), false),
                "scores");
        b.addVertex("attn", new SoftmaxVertex(s(1, 2, 4, 4)), "scaled");
        b.addVertex("mixed", new MatMulVertex(s(1, 2, 4, 2)), "attn", "v");
        b.addVertex("m1", new PermuteVertex(s(1, 4, 2, 2), new int[]{0, 2, 1, 3}), "mixed");
        b.addVertex("m2", new ReshapeVertex(s(1, 4, 4), 0), "m1");
        b.addVertex("res", new BinaryVertex(s(1, 4, 4), BinaryVertex.Op.ADD), "m2", "t");
        b.addVertex("norm", new NormalizeVertex(s(1, 4, 4), 2, 1e-5), "res");
        b.addVertex("scaledNorm", new BinaryVertex(s(1, 4, 4), BinaryVertex.Op.MUL), "norm", "gamma");
        b.addVertex("ln", new BinaryVertex(s(1, 4, 4), BinaryVertex.Op.ADD), "scaledNorm", "beta");
        b.addVertex("gelu", new UnaryVertex(s(1, 4, 4), UnaryVertex.Op.GELU, 0), "ln");
        b.addVertex("first", new GatherVertex(s(1, 4), 1, new int[]{0}, s()), "gelu");
        return built(b, "first", 3);
    }

    @Test
    void anEncoderBlockHasTheRightGradientsForEveryTrainedTensor() {
        ComputationGraph net = encoderBlock();
        INDArray x = Nd4j.randn(DataType.DOUBLE, 5, 3, 4);
        assertThat(gradientsMatch(net, x, oneHot(5, 3))).isTrue();
    }

    /**
     * In float, the encoder block runs the Java kernels (GELU and its gradient, the softmax's gradient from its kept
     * output, bias sums by GEMM) where the double network runs ND4J's ops: the same gradients to float precision.
     */
    @Test
    void anEncoderBlockInFloatHasTheGradientsOfTheDoubleOne() {
        ComputationGraph net = encoderBlock();
        ComputationGraph single = net.convertDataType(DataType.FLOAT);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 5, 3, 4);
        INDArray y = oneHot(5, 3);
        net.setInputs(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        single.setInputs(x.castTo(DataType.FLOAT));
        single.setLabels(y.castTo(DataType.FLOAT));
        single.computeGradientAndScore();
        INDArray expected = net.gradient().gradient();
        INDArray got = single.gradient().gradient().castTo(DataType.DOUBLE);
        double scale = expected.amaxNumber().doubleValue();
        assertThat(scale).isGreaterThan(1e-3);
        assertThat(got.sub(expected).amaxNumber().doubleValue() / scale).isLessThan(1e-4);
    }

    /**
     * The opset-13 LayerNorm expansion and the other pieces on an NHWC map [N, 3, 3, 4] (ConvNeXt's block between
     * its transposes) and a channel split: ReduceMean, Sub, Pow, Add of a constant, Sqrt, Div, the exported GELU
     * (Div, Erf, Add, Mul), slices (one strided), a gather of a trained table by an index table, Squeeze by reshape.
     */
    static ComputationGraph expandedPieces() {
        ComputationGraphConfiguration.GraphBuilder b = conf().graphBuilder().addInputs("x")
                .setInputTypes(InputType.convolutional(3, 4, 3)).addVertex("batch", new BatchProbeVertex(), "x");
        tensor(b, "table", 5, 4);
        b.addVertex("nhwc", new PermuteVertex(s(1, 3, 4, 3), new int[]{0, 2, 3, 1}), "x");
        b.addVertex("mean", new ReduceVertex(s(1, 3, 4, 1), ReduceVertex.Op.MEAN, new int[]{3}, true), "nhwc");
        b.addVertex("d", new BinaryVertex(s(1, 3, 4, 3), BinaryVertex.Op.SUB), "nhwc", "mean");
        b.addVertex("d2", new UnaryVertex(s(1, 3, 4, 3), UnaryVertex.Op.POW, 2), "d");
        b.addVertex("var", new ReduceVertex(s(1, 3, 4, 1), ReduceVertex.Op.MEAN, new int[]{3}, true), "d2");
        b.addVertex("ve", new BinaryVertex(s(1, 3, 4, 1), BinaryVertex.Op.ADD, new double[]{1e-5}, s(), false), "var");
        b.addVertex("sd", new UnaryVertex(s(1, 3, 4, 1), UnaryVertex.Op.SQRT, 0), "ve");
        b.addVertex("n", new BinaryVertex(s(1, 3, 4, 3), BinaryVertex.Op.DIV), "d", "sd");
        b.addVertex("half", new BinaryVertex(s(1, 3, 4, 3), BinaryVertex.Op.DIV, new double[]{1.4142}, s(), false),
                "n");
        b.addVertex("erf", new UnaryVertex(s(1, 3, 4, 3), UnaryVertex.Op.ERF, 0), "half");
        b.addVertex("erf1", new BinaryVertex(s(1, 3, 4, 3), BinaryVertex.Op.ADD, new double[]{1}, s(), true), "erf");
        b.addVertex("g", new BinaryVertex(s(1, 3, 4, 3), BinaryVertex.Op.MUL), "n", "erf1");
        b.addVertex("strided", new SliceVertex(s(1, 2, 2, 3), s(0, 0, 1, 0), s(-1, 3, 4, 3), s(1, 2, 2, 1)), "g");
        b.addVertex("flat", new ReshapeVertex(s(1, 12), 0), "strided");
        b.addVertex("bias", new GatherVertex(s(2, 3, 4), 0, new int[]{4, 0, 2, 2, 1, 3}, s(2, 3)), "table");
        b.addVertex("biasFlat", new ReshapeVertex(s(1, 24), 0), "bias");
        b.addVertex("half1", new SliceVertex(s(1, 12), s(0, 0), s(-1, 12), s(1, 1)), "biasFlat");
        b.addVertex("sum", new BinaryVertex(s(1, 12), BinaryVertex.Op.ADD), "flat", "half1");
        b.addVertex("neg", new UnaryVertex(s(1, 12), UnaryVertex.Op.NEG, 0), "sum");
        b.addVertex("recip", new BinaryVertex(s(1, 12), BinaryVertex.Op.SUB, new double[]{3}, s(), true), "neg");
        b.addVertex("r", new UnaryVertex(s(1, 12), UnaryVertex.Op.RECIPROCAL, 0), "recip");
        return built(b, "r", 3);
    }

    @Test
    void theExpandedPiecesHaveTheRightGradients() {
        ComputationGraph net = expandedPieces();
        INDArray x = Nd4j.randn(DataType.DOUBLE, 4, 3, 3, 4).muli(0.5);
        assertThat(gradientsMatch(net, x, oneHot(4, 3))).isTrue();
    }

    /** Gelu's tanh form (opset 20), Exp, a sum over tokens, a sequence padded on both ends and a channel split. */
    @Test
    void theRemainingPiecesHaveTheRightGradients() {
        ComputationGraphConfiguration.GraphBuilder b = conf().graphBuilder().addInputs("x")
                .setInputTypes(InputType.recurrent(3, 4)).addVertex("batch", new BatchProbeVertex(), "x");
        tensor(b, "scale", 3, 1);
        b.addVertex("tanh", new UnaryVertex(s(1, 3, 4), UnaryVertex.Op.GELU_TANH, 0), "x");
        b.addVertex("padded", new PadVertex(s(1, 3, 7), s(0, 0, 2), s(0, 0, 1), 0.5), "tanh");
        b.addVertex("exp", new UnaryVertex(s(1, 3, 7), UnaryVertex.Op.EXP, 0), "padded");
        b.addVertex("scaled", new BinaryVertex(s(1, 3, 7), BinaryVertex.Op.MUL), "exp", "scale");
        b.addVertex("left", new SliceVertex(s(1, 2, 7), s(0, 0, 0), s(-1, 2, 7), s(1, 1, 1)), "scaled");
        b.addVertex("right", new SliceVertex(s(1, 1, 7), s(0, 2, 0), s(-1, 3, 7), s(1, 1, 1)), "scaled");
        b.addVertex("diff", new BinaryVertex(s(1, 2, 7), BinaryVertex.Op.SUB), "left", "right");
        b.addVertex("sum", new ReduceVertex(s(1, 7), ReduceVertex.Op.SUM, new int[]{1}, false), "diff");
        ComputationGraph net = built(b, "sum", 3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 4, 3, 4).muli(0.5);
        assertThat(gradientsMatch(net, x, oneHot(4, 3))).isTrue();
        // Gelu's tanh form at 1: 0.5 (1 + tanh(sqrt(2/pi) (1 + 0.044715)))
        INDArray one = Nd4j.ones(DataType.DOUBLE, 1, 1, 1);
        assertThat(new UnaryVertex(s(1, 1, 1), UnaryVertex.Op.GELU_TANH, 0).forward(new INDArray[]{one})
                .getDouble(0)).isCloseTo(0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * 1.044715)), within(1e-12));
    }

    @Test
    void normalizeMatchesLayerNormalizationAndGeluMatchesItsDefinition() {
        INDArray x = Nd4j.createFromArray(new double[][]{{1, 2, 3, 6}, {-1, 0, 0, 1}}).reshape(1, 2, 4);
        INDArray n = new NormalizeVertex(s(1, 2, 4), 2, 0).forward(new INDArray[]{x});
        // row 1: mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5
        assertThat(n.getDouble(0, 0, 0)).isCloseTo(-2 / Math.sqrt(3.5), within(1e-9));
        assertThat(n.getDouble(0, 1, 3)).isCloseTo(1 / Math.sqrt(0.5), within(1e-9));
        INDArray g = new UnaryVertex(s(1, 2, 4), UnaryVertex.Op.GELU, 0).forward(new INDArray[]{x});
        assertThat(g.getDouble(0, 0, 0)).isCloseTo(0.8413447460685429, within(1e-7)); // 1 * Phi(1)
        assertThat(g.getDouble(0, 1, 0)).isCloseTo(-0.15865525393145707, within(1e-7));
        INDArray sm = new SoftmaxVertex(s(1, 2, 4)).forward(new INDArray[]{x});
        assertThat(sm.sum(2).getDouble(0, 0)).isCloseTo(1, within(1e-12));
        assertThat(sm.getDouble(0, 0, 3) / sm.getDouble(0, 0, 2)).isCloseTo(Math.exp(3), within(1e-9));
    }

    @Test
    void networksOfTheseVerticesSurviveDl4jModelFiles() throws Exception {
        ComputationGraph net = encoderBlock();
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 3, 4);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, false);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()),
                false);
        var vs = net.getConfiguration().getVertices();
        vs.forEach((k, v) -> assertThat(back.getConfiguration().getVertices().get(k)).as(k).isEqualTo(v));
        assertThat(back.getConfiguration()).isEqualTo(net.getConfiguration());
        assertThat(back.output(x)[0]).isEqualTo(net.output(x)[0]);
        ComputationGraph expanded = expandedPieces();
        bytes.reset();
        ModelSerializer.writeModel(expanded, bytes, false);
        assertThat(ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), false)
                .getConfiguration()).isEqualTo(expanded.getConfiguration());
    }
}
