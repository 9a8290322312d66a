package io.transferpool.translate.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/** How a layer configuration of ours hands DL4J a running layer: wired as DL4J's own configurations wire theirs. */
final class Instances {
    private Instances() {
    }

    /** {@code layer} with its listeners, index, parameters (a view of the network's, initialised if asked) and conf. */
    static <L extends org.deeplearning4j.nn.layers.AbstractLayer<?>> Layer wired(L layer, NeuralNetConfiguration conf,
            ParamInitializer params, Collection<TrainingListener> listeners, int index, INDArray paramsView,
            boolean initialize) {
        layer.setListeners(listeners);
        layer.setIndex(index);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(params.init(conf, paramsView, initialize));
        layer.setConf(conf);
        return layer;
    }
}
