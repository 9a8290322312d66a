package io.transferpool.train;

import io.transferpool.job.JobSpec;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.InverseSchedule;
import org.nd4j.linalg.schedule.ScheduleType;


/**
 * Trains the seed's new classifier head in DL4J: Dense layers (the job's sizes and activation), then a softmax
 * output with cross-entropy on one-hot labels, learning-rate decay lr / (1 + decay * iteration) as in Keras. The
 * epochs run in {@link EpochLoop}.
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
        return updater(o, o.learningRate());
    }

    /** The job's optimizer at another learning rate (the pretrained layers' rate when fine-tuning). */
    static IUpdater updater(JobSpec.Optimizer o, double learningRate) {
        ISchedule lr = new InverseSchedule(ScheduleType.ITERATION, learningRate, o.decay(), 1.0);
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

    public Trained train(Rows train, Rows validation, JobSpec spec, EpochListener listener) {
        MultiLayerNetwork net = build(train.store().dimension(), train.classes(), spec);
        return EpochLoop.train(new Network.Head(net), train, validation, spec.training(), listener);
    }

    public Trained train(Rows train, Rows validation, JobSpec spec, EpochListener listener, Checkpoints checkpoints)
            throws java.io.IOException {
        MultiLayerNetwork net = build(train.store().dimension(), train.classes(), spec);
        return EpochLoop.train(new Network.Head(net), train, validation, spec.training(), listener, checkpoints);
    }
}
