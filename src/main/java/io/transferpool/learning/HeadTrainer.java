package io.transferpool.learning;

import io.transferpool.features.Rows;
import io.transferpool.job.JobSpec;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;


/**
 * Trains the seed's new classifier head ({@link HeadLayers}) in DL4J as a network of its own, on feature rows. The
 * epochs run in {@link EpochLoop}.
 */
public final class HeadTrainer {

    public MultiLayerNetwork build(int inputs, int classes, JobSpec spec) {
        JobSpec.Training t = spec.training();
        var list = new NeuralNetConfiguration.Builder()
                .seed(t.seed())
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .updater(HeadLayers.updater(t.optimizer()))
                .list();
        HeadLayers.of(inputs, classes, spec.head()).forEach(list::layer);
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
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
