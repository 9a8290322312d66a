package io.transferpool.learning;

import io.transferpool.job.JobSpec;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.Activation;
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

/**
 * The seed's new classifier head as DL4J layers, the one place it is built: Dense layers (the job's sizes and
 * activation), then a softmax output with cross-entropy on one-hot labels (dropout before it when the job asks).
 * {@link HeadTrainer} stacks them as a network of their own; {@link FineTuner} appends them to the translated
 * graph under {@link #name} names. Also the job's optimizer, with Keras' learning-rate decay
 * {@code lr / (1 + decay * iteration)}.
 */
public final class HeadLayers {
    /** Prefix of the head's layer names in a fine-tuned graph. */
    static final String PREFIX = "tp_head_";

    private HeadLayers() {
    }

    /** Hidden layers then the output layer, for {@code inputs} features and {@code classes} classes. */
    static List<Layer> of(long inputs, int classes, JobSpec.Head head) {
        List<Layer> out = new ArrayList<>();
        long in = inputs;
        for (int size : head.hidden()) {
            out.add(new DenseLayer.Builder().nIn(in).nOut(size).activation(activation(head.activation())).build());
            in = size;
        }
        OutputLayer.Builder last = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nIn(in).nOut(classes).activation(Activation.SOFTMAX);
        if (head.dropout() > 0) {
            last.dropOut(1.0 - head.dropout()); // DL4J takes the probability of keeping a unit
        }
        out.add(last.build());
        return out;
    }

    /**
     * The name of head layer {@code i} of {@code count} in a fine-tuned graph: {@code tp_head_0, 1, ...} for the
     * hidden layers, {@code tp_head_out} for the output.
     */
    public static String name(int i, int count) {
        return PREFIX + (i == count - 1 ? "out" : String.valueOf(i));
    }

    /** The job's optimizer at its own learning rate. */
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
}
