package io.transferpool.translate.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collection;

/**
 * A DenseLayer with no activation, as an ONNX Gemm (or a MatMul with its bias) on [N, K] translates: the same
 * configuration, parameters and forward pass, and a backward pass that does not compute the output again. DL4J's
 * DenseLayer recomputes x W + b in backprop to take its activation's derivative, which the identity does not need:
 * a GEMM as large as the forward one, for nothing (a ViT block's attention output projection: about 2% of a
 * fine-tuning step, benchmarks/README). The bias's gradient is one GEMM by a row of ones, as in
 * {@link TensorVertex#sumOfRows}. Anything else (an activation, layer normalisation, a mask, dropout, weight noise)
 * takes DenseLayer's own way.
 */
public class LinearLayer extends DenseLayer {

    /** For deserialisation; see {@link #of}. */
    public LinearLayer() {
    }

    /** A layer of {@code nIn} inputs and {@code nOut} outputs, with a bias or not. */
    public static LinearLayer of(long nIn, long nOut, boolean bias) {
        // DenseLayer's builder makes only DenseLayers: its settings are copied from one it built
        DenseLayer d = new DenseLayer.Builder().nIn(nIn).nOut(nOut).activation(Activation.IDENTITY).hasBias(bias)
                .build();
        LinearLayer l = new LinearLayer();
        l.setNIn(d.getNIn());
        l.setNOut(d.getNOut());
        l.setActivationFn(d.getActivationFn());
        l.setHasBias(d.hasBias());
        l.setHasLayerNorm(d.hasLayerNorm());
        l.setWeightInitFn(d.getWeightInitFn());
        l.setBiasInit(d.getBiasInit());
        l.setGainInit(d.getGainInit());
        l.setRegularization(d.getRegularization());
        l.setRegularizationBias(d.getRegularizationBias());
        l.setIUpdater(d.getIUpdater());
        l.setBiasUpdater(d.getBiasUpdater());
        l.setWeightNoise(d.getWeightNoise());
        l.setGradientNormalization(d.getGradientNormalization());
        l.setGradientNormalizationThreshold(d.getGradientNormalizationThreshold());
        l.setIDropout(d.getIDropout());
        l.setConstraints(d.getConstraints());
        l.setLayerName(d.getLayerName());
        l.setTimeDistributedFormat(d.getTimeDistributedFormat());
        return l;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                             INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNInNOutSet("LinearLayer", getLayerName(), index, getNIn(), getNOut());
        return Instances.wired(new Running(conf, networkDataType), conf, initializer(), listeners, index, paramsView,
                initializeParams);
    }

    /** The running layer: DL4J's, with the backward pass above. */
    public static final class Running extends org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer {
        public Running(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
            if (!(layerConf().getActivationFn() instanceof ActivationIdentity) || hasLayerNorm() || maskArray != null
                    || layerConf().getIDropout() != null || layerConf().getWeightNoise() != null) {
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            assertInputSet(true);
            Gradient ret = new DefaultGradient();
            if (hasBias()) {
                INDArray biasGrad = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
                biasGrad.assign(TensorVertex.sumOfRows(epsilon, epsilon.size(0)));
                ret.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGrad);
            }
            INDArray w = getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, true, workspaceMgr);
            INDArray next = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(),
                    new long[]{w.size(0), epsilon.size(0)}, 'f');
            next = w.mmuli(epsilon.transpose(), next).transpose();
            INDArray weightGrad = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
            Nd4j.gemm(input.castTo(weightGrad.dataType()), epsilon, weightGrad, true, false, 1.0, 0.0);
            ret.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGrad);
            weightNoiseParams.clear();
            return new Pair<>(ret, next);
        }
    }
}
