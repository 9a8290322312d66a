package io.transferpool.translate.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@link TrainedTensor} in a running network: outputs a copy of its parameter, takes its gradient as is. */
public class TrainedTensorLayer extends BaseLayer<TrainedTensor> {

    public TrainedTensorLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private long[] dims() {
        return layerConf().getDims();
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        // a copy: the vertices downstream may work in place on what they are given
        return workspaceMgr.dup(ArrayType.ACTIVATIONS, getParam(TrainedTensor.KEY)).reshape('c', dims());
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray view = gradientViews.get(TrainedTensor.KEY);
        view.assign(epsilon.reshape('c', view.shape()));
        Gradient g = new DefaultGradient();
        g.setGradientFor(TrainedTensor.KEY, view);
        // nothing flows back to the batch probe this layer is attached to
        return new Pair<>(g, workspaceMgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape()));
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public boolean hasBias() {
        return false;
    }

    @Override
    public boolean hasLayerNorm() {
        return false;
    }
}
