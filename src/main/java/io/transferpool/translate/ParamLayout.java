package io.transferpool.translate;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** How an ONNX weight's layout maps onto the DL4J parameter that holds it, both ways. */
public enum ParamLayout {
    /** Same element order (Conv weights [out, in, kh, kw], biases, BatchNormalization vectors). */
    SAME {
        @Override
        INDArray toDl4j(float[] onnx, long[] onnxDims, long[] dl4jShape) {
            return Nd4j.create(onnx, dl4jShape, 'c');
        }

        @Override
        INDArray toOnnxOrder(INDArray dl4j, long[] onnxDims) {
            return dl4j.dup('c');
        }
    },
    /** ONNX [n, k] (Gemm with transB = 1) held by DL4J as [k, n]. */
    TRANSPOSE {
        @Override
        INDArray toDl4j(float[] onnx, long[] onnxDims, long[] dl4jShape) {
            return Nd4j.create(onnx, onnxDims, 'c').transpose().dup('c');
        }

        @Override
        INDArray toOnnxOrder(INDArray dl4j, long[] onnxDims) {
            return dl4j.transpose().dup('c');
        }
    },
    /** Depthwise Conv weights: ONNX [c * m, 1, kh, kw], DL4J [kh, kw, c, m]. */
    DEPTHWISE {
        @Override
        INDArray toDl4j(float[] onnx, long[] onnxDims, long[] dl4jShape) {
            long kh = dl4jShape[0], kw = dl4jShape[1], c = dl4jShape[2], m = dl4jShape[3];
            return Nd4j.create(onnx, new long[]{c, m, kh, kw}, 'c').permute(2, 3, 0, 1).dup('c');
        }

        @Override
        INDArray toOnnxOrder(INDArray dl4j, long[] onnxDims) {
            return dl4j.permute(2, 3, 0, 1).dup('c');
        }
    };

    abstract INDArray toDl4j(float[] onnx, long[] onnxDims, long[] dl4jShape);

    abstract INDArray toOnnxOrder(INDArray dl4j, long[] onnxDims);

    /** The DL4J parameter's values in ONNX element order, as the initializer stores them. */
    public float[] toOnnx(INDArray dl4j, long[] onnxDims, double scale) {
        INDArray v = toOnnxOrder(dl4j, onnxDims).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
        if (scale != 1.0) {
            v = v.div(scale);
        }
        return v.reshape(v.length()).toFloatVector();
    }
}
