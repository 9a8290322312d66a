package io.transferpool.translate;

/**
 * Where a trained DL4J parameter goes back to in the ONNX graph: parameter {@code key} of vertex {@code vertex}
 * holds input {@code input} of node number {@code node} (the tensor {@code tensor} of dims {@code tensorDims}), or
 * the part of it starting at element {@code offset} with dims {@code onnxDims} (one group of a grouped
 * convolution), in {@code layout}, multiplied by {@code scale} (Gemm's alpha or beta, folded into the weights).
 */
public record ParamBinding(String vertex, String key, int node, int input, String tensor, long[] tensorDims,
                           long offset, long[] onnxDims, ParamLayout layout, double scale) {

    /** True when the parameter holds the whole tensor, not a part of it. */
    public boolean whole() {
        return offset == 0 && java.util.Arrays.equals(tensorDims, onnxDims);
    }
}
