package io.transferpool.train;

import io.transferpool.job.JobResult.EpochMetrics;
import io.transferpool.job.JobSpec;
import io.transferpool.job.JobSpec.Mode;
import io.transferpool.job.JobSpec.Monitor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.InverseSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Trains the seed's new classifier head in DL4J: Dense layers (the job's sizes and activation), then a softmax
 * output with cross-entropy on one-hot labels. Keras semantics where the seed relies on them: learning-rate decay
 * lr / (1 + decay * iteration), early stopping with patience on the monitored metric, and the best checkpoint (by
 * its own monitor) restored at the end.
 */
public final class HeadTrainer {

    public MultiLayerNetwork build(int inputs, int classes, JobSpec spec) {
        JobSpec.Training t = spec.training();
        JobSpec.Head head = spec.head();
        var list = new NeuralNetConfiguration.Builder()
                .seed(t.seed())
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .updater(updater(t.optimizer()))
                .list();
        int in = inputs;
        for (int size : head.hidden()) {
            list.layer(new DenseLayer.Builder().nIn(in).nOut(size).activation(activation(head.activation())).build());
            in = size;
        }
        OutputLayer.Builder out = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nIn(in).nOut(classes).activation(Activation.SOFTMAX);
        if (head.dropout() > 0) {
            out.dropOut(1.0 - head.dropout()); // DL4J takes the probability of keeping a unit
        }
        list.layer(out.build());
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }

    static IUpdater updater(JobSpec.Optimizer o) {
        ISchedule lr = new InverseSchedule(ScheduleType.ITERATION, o.learningRate(), o.decay(), 1.0);
        if ("adam".equals(o.type())) {
            return Adam.builder().learningRateSchedule(lr).beta1(o.beta1()).beta2(o.beta2()).epsilon(o.epsilon())
                    .build();
        }
        return o.momentum() > 0 ? new Nesterovs(lr, o.momentum()) : new Sgd(lr);
    }

    static Activation activation(String name) {
        return switch (name) {
            case "tanh" -> Activation.TANH;
            case "sigmoid" -> Activation.SIGMOID;
            default -> Activation.RELU;
        };
    }

    public TrainedHead train(Rows train, Rows validation, JobSpec spec, EpochListener listener) {
        JobSpec.Training t = spec.training();
        MultiLayerNetwork net = build(train.store().dimension(), train.classes(), spec);
        boolean hasVal = validation.size() > 0;
        Random shuffle = new Random(t.seed());
        int[] order = train.identityOrder();
        List<EpochMetrics> epochs = new ArrayList<>();
        INDArray bestParams = null;
        double bestCheckpoint = Double.NaN;
        int bestEpoch = 0;
        double bestStop = Double.NaN;
        int wait = 0;
        String stopReason = "reached the maximum of " + t.epochs() + " epochs";
        long t0 = System.nanoTime();
        long seen = 0;
        for (int epoch = 1; epoch <= t.epochs(); epoch++) {
            shuffle(order, shuffle);
            for (int from = 0; from < order.length; from += t.batchSize()) {
                int to = Math.min(order.length, from + t.batchSize());
                net.fit(train.batch(order, from, to));
                seen += to - from;
            }
            Evaluation.LossAccuracy tr = evaluate(net, train);
            Evaluation.LossAccuracy va = hasVal ? evaluate(net, validation) : tr;
            EpochMetrics m = new EpochMetrics(epoch, tr.loss(), tr.accuracy(), hasVal ? va.loss() : Double.NaN,
                    hasVal ? va.accuracy() : Double.NaN);
            epochs.add(m);
            listener.epochDone(m, t.epochs());

            double cp = value(t.checkpoint().monitor(), tr, va);
            if (bestParams == null || improved(cp, bestCheckpoint, t.checkpoint().mode())) {
                bestCheckpoint = cp;
                bestEpoch = epoch;
                bestParams = net.params().dup();
            }
            JobSpec.EarlyStopping es = t.earlyStopping();
            if (es.enabled()) {
                double v = value(es.monitor(), tr, va);
                if (Double.isNaN(bestStop) || improved(v, bestStop, es.mode())) {
                    bestStop = v;
                    wait = 0;
                } else if (++wait >= es.patience()) {
                    stopReason = "early stopping: " + es.monitor().wire() + " did not improve for " + es.patience()
                            + " epochs (best " + String.format("%.4f", bestStop) + ")";
                    break;
                }
            }
        }
        net.setParams(bestParams);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new TrainedHead(net, List.copyOf(epochs), bestEpoch, stopReason, seconds, seen / seconds);
    }

    private static boolean improved(double value, double best, Mode mode) {
        return mode == Mode.MAX ? value > best : value < best;
    }

    private static double value(Monitor monitor, Evaluation.LossAccuracy train, Evaluation.LossAccuracy val) {
        return switch (monitor) {
            case VAL_LOSS -> val.loss();
            case VAL_ACCURACY -> val.accuracy();
            case LOSS -> train.loss();
            case ACCURACY -> train.accuracy();
        };
    }

    private static void shuffle(int[] a, Random rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Loss and accuracy of the network (inference mode) on some rows. */
    public static Evaluation.LossAccuracy evaluate(MultiLayerNetwork net, Rows rows) {
        float[] probs = predict(net, rows);
        return Evaluation.lossAccuracy(probs, rows.labels(), rows.classes());
    }

    /** Class probabilities, row-major, for the rows in index order. */
    public static float[] predict(MultiLayerNetwork net, Rows rows) {
        int k = rows.classes();
        float[] probs = new float[rows.size() * k];
        int[] order = rows.identityOrder();
        for (int from = 0; from < rows.size(); from += 512) {
            int to = Math.min(rows.size(), from + 512);
            DataSet b = rows.batch(order, from, to);
            float[] p = net.output(b.getFeatures(), false).castTo(DataType.FLOAT).dup('c').data().asFloat();
            System.arraycopy(p, 0, probs, from * k, p.length);
        }
        return probs;
    }
}
