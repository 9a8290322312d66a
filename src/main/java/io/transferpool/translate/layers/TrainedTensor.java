package io.transferpool.translate.layers;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A trained tensor of the base that is not a layer's weight in DL4J's sense: a MatMul's weight matrix or bias on
 * tokens, a LayerNorm's scale and shift, ViT's class token and positional embedding, a layer scale, Swin's relative
 * position table. Its output is the tensor itself, in its ONNX dimensions (no batch); the vertices that read it
 * broadcast it and send its gradient back. Its input is the {@link BatchProbeVertex}, which it does not read.
 */
public class TrainedTensor extends BaseLayer {
    public static final String KEY = "W";
    private long[] dims;

    /** For deserialisation. */
    public TrainedTensor() {
    }

    public TrainedTensor(long[] dims) {
        this.dims = dims.clone();
    }

    public long[] getDims() {
        return dims.clone();
    }

    public void setDims(long[] dims) {
        this.dims = dims.clone();
    }

    /** The parameter's shape as DL4J holds it (the ONNX dimensions; a scalar as one value). */
    public long[] paramShape() {
        return dims.length == 0 ? new long[]{1} : dims.clone();
    }

    long size() {
        return TensorVertex.product(dims);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> listeners, int layerIndex,
                                                       INDArray paramsView, boolean initializeParams,
                                                       DataType dataType) {
        return Instances.wired(new TrainedTensorLayer(conf, dataType), conf, initializer(), listeners, layerIndex,
                paramsView, initializeParams);
    }

    @Override
    public ParamInitializer initializer() {
        return Params.INSTANCE;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        long[] s = new long[dims.length + 1];
        s[0] = 1;
        System.arraycopy(dims, 0, s, 1, dims.length);
        return TensorTypes.of(dims.length >= 2 ? dims : s);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // reads no input
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        return new LayerMemoryReport.Builder(layerName, TrainedTensor.class, inputType, getOutputType(-1, inputType))
                .standardMemory(size(), size()).workingMemory(0, 0, MemoryReport.CACHE_MODE_ALL_ZEROS,
                        MemoryReport.CACHE_MODE_ALL_ZEROS).cacheMemory(0, 0).build();
    }

    @Override
    public TrainedTensor clone() {
        TrainedTensor t = (TrainedTensor) super.clone();
        t.dims = dims.clone();
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainedTensor t && super.equals(o) && java.util.Arrays.equals(dims, t.dims);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + java.util.Arrays.hashCode(dims);
    }

    /** One parameter, {@link #KEY}, the whole tensor. */
    static final class Params implements ParamInitializer {
        static final Params INSTANCE = new Params();

        @Override
        public long numParams(NeuralNetConfiguration conf) {
            return numParams(conf.getLayer());
        }

        @Override
        public long numParams(org.deeplearning4j.nn.conf.layers.Layer layer) {
            return ((TrainedTensor) layer).size();
        }

        @Override
        public List<String> paramKeys(org.deeplearning4j.nn.conf.layers.Layer layer) {
            return List.of(KEY);
        }

        @Override
        public List<String> weightKeys(org.deeplearning4j.nn.conf.layers.Layer layer) {
            return List.of(KEY);
        }

        @Override
        public List<String> biasKeys(org.deeplearning4j.nn.conf.layers.Layer layer) {
            return List.of();
        }

        @Override
        public boolean isWeightParam(org.deeplearning4j.nn.conf.layers.Layer layer, String key) {
            return KEY.equals(key);
        }

        @Override
        public boolean isBiasParam(org.deeplearning4j.nn.conf.layers.Layer layer, String key) {
            return false;
        }

        @Override
        public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initialize) {
            if (initialize) {
                paramsView.assign(0); // the base's values are assigned after the graph is built
            }
            return new java.util.LinkedHashMap<>(Map.of(KEY, view(conf, paramsView)));
        }

        @Override
        public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
            return new java.util.LinkedHashMap<>(Map.of(KEY, view(conf, gradientView)));
        }

        private static INDArray view(NeuralNetConfiguration conf, INDArray flat) {
            return flat.reshape('c', ((TrainedTensor) conf.getLayer()).paramShape());
        }
    }
}
