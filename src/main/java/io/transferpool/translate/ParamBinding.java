package io.transferpool.translate;

/**
 * Where a trained DL4J parameter goes back to in the ONNX graph: parameter {@code key} of vertex {@code vertex}
 * holds initializer {@code initializer} (dims {@code onnxDims}) in {@code layout}, multiplied by {@code scale}
 * (Gemm's alpha or beta, folded into the weights).
 */
public record ParamBinding(String vertex, String key, String initializer, long[] onnxDims, ParamLayout layout,
                           double scale) {
}
