package io.transferpool.kernels;

import io.transferpool.features.FeatureStore;
import io.transferpool.features.Rows;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobSpec;
import io.transferpool.learning.HeadTrainer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The in-place step against DL4J's own {@code MultiLayerNetwork.fit}: two networks built alike (same initial
 * weights), fed the same shuffled batches for 5 epochs (the last batch of each epoch smaller), with the same random
 * stream for dropout, must report the same loss at every step and end with the same weights and optimizer state
 * within float tolerance.
 */
class DenseHeadStepTest {
    private static final int EPOCHS = 5;

    @TempDir
    Path spill;

    private Rows rows(int n, int d, int classes, long seed) {
        FeatureStore store = new FeatureStore(1 << 24, spill);
        Random rnd = new Random(seed);
        for (int i = 0; i < n; i++) {
            int label = i % classes;
            float[] x = new float[d];
            for (int j = 0; j < d; j++) {
                x[j] = (float) (rnd.nextGaussian() + (j % classes == label ? 1.0 : 0.0));
            }
            store.add(new int[]{i}, new int[]{label}, x, d);
        }
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return new Rows(store, idx, classes);
    }

    private static JobSpec spec(String hidden, String activation, double dropout, String optimizer) {
        return JobParser.parse("""
                {"jobId": "j", "baseModel": {"uri": "m", "cut": "c"}, "data": {"train": {"uri": "d"}},
                 "preprocess": {"width": 1, "height": 1, "channels": 1},
                 "head": {"hidden": %s, "activation": "%s", "dropout": %s},
                 "training": {"optimizer": %s, "batchSize": 16, "seed": 11}}""".formatted(hidden, activation,
                dropout, optimizer)).orThrow();
    }

    /** Losses of every step, for DL4J's fit (in place = false) or the in-place step. */
    private static List<Double> train(MultiLayerNetwork net, Rows rows, int batch, boolean inPlace) {
        DenseHeadStep step = inPlace ? DenseHeadStep.of(net).orElseThrow() : null;
        Random shuffle = new Random(3);
        int[] order = rows.identityOrder();
        List<Double> losses = new ArrayList<>();
        for (int epoch = 1; epoch <= EPOCHS; epoch++) {
            Nd4j.getRandom().setSeed(1000 + epoch);
            for (int i = order.length - 1; i > 0; i--) {
                int j = shuffle.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int from = 0; from < order.length; from += batch) {
                int to = Math.min(order.length, from + batch);
                if (inPlace) {
                    losses.add(step.fit(rows, order, from, to).loss());
                } else {
                    net.fit(rows.batch(order, from, to));
                    losses.add(net.score());
                }
            }
        }
        return losses;
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertThat(diff / scale).as(what + ": largest difference relative to the largest value").isLessThan(2e-4);
    }

    @ParameterizedTest(name = "{0} {1} dropout {2} {3}")
    @CsvSource(delimiter = '|', value = {
            "[32]|relu|0|{\"type\": \"sgd\", \"learningRate\": 0.01, \"decay\": 0.01, \"momentum\": 0.9}",
            "[32]|relu|0|{\"type\": \"adam\", \"learningRate\": 0.003, \"decay\": 0.001}",
            "[16, 8]|relu|0|{\"type\": \"sgd\", \"learningRate\": 0.02, \"momentum\": 0.9, \"nesterov\": true}",
            "[24, 12]|tanh|0.5|{\"type\": \"adam\", \"learningRate\": 0.01}",
            "[20, 10, 6]|sigmoid|0.3|{\"type\": \"sgd\", \"learningRate\": 0.1, \"momentum\": 0.9}",
            "[]|relu|0|{\"type\": \"sgd\", \"learningRate\": 0.05, \"momentum\": 0}"})
    void trainsAsDl4jsFitDoes(String hidden, String activation, double dropout, String optimizer) {
        JobSpec spec = spec(hidden, activation, dropout, optimizer);
        Rows rows = rows(100, 40, 3, 7); // 100 rows in batches of 16: the last batch of each epoch has 4
        MultiLayerNetwork reference = new HeadTrainer().build(40, 3, spec);
        MultiLayerNetwork inPlace = new HeadTrainer().build(40, 3, spec);
        assertThat(inPlace.params()).isEqualTo(reference.params());

        List<Double> expected = train(reference, rows, 16, false);
        List<Double> actual = train(inPlace, rows, 16, true);

        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i)).as("loss of step %d", i).isCloseTo(expected.get(i), within(1e-4));
        }
        assertThat(expected.get(expected.size() - 1)).as("training moved the loss").isNotCloseTo(expected.get(0),
                within(1e-3));
        assertThat(inPlace.getIterationCount()).isEqualTo(reference.getIterationCount()).isEqualTo(35);
        assertClose(reference.params(), inPlace.params(), "weights");
        INDArray state = reference.getUpdater(true).getStateViewArray();
        if (state != null) {
            assertClose(state, inPlace.getUpdater(true).getStateViewArray(), "optimizer state");
        }
    }

    @Test
    void stepCountsTheRowsItsForwardPassClassifiesRight() {
        JobSpec spec = spec("[8]", "relu", 0, "{\"type\": \"sgd\", \"learningRate\": 0.0, \"momentum\": 0}");
        Rows rows = rows(30, 6, 2, 2);
        MultiLayerNetwork net = new HeadTrainer().build(6, 2, spec);
        INDArray probs = net.output(rows.batch(rows.identityOrder(), 0, 30).getFeatures());
        int right = 0;
        int[] labels = rows.labels();
        for (int i = 0; i < 30; i++) {
            right += probs.getRow(i).argMax().getInt(0) == labels[i] ? 1 : 0;
        }
        BatchStep step = DenseHeadStep.of(net).orElseThrow().fit(rows, rows.identityOrder(), 0, 30);
        assertThat(step.correct()).isEqualTo(right);
    }

    @Test
    void networksItCannotTrainAreLeftToDl4j() {
        var conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).updater(new Sgd(0.1))
                .l2(1e-4).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork regularized = new MultiLayerNetwork(conf);
        regularized.init();
        assertThat(DenseHeadStep.of(regularized)).isEmpty();

        var mse = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).updater(new Sgd(0.1)).list()
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork other = new MultiLayerNetwork(mse);
        other.init();
        assertThat(DenseHeadStep.of(other)).isEmpty();
    }
}
