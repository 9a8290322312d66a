package io.transferpool.model;

/** Where ONNX Runtime runs a session. CPU is the default; CUDA needs the onnxruntime_gpu build and a usable GPU. */
public enum ExecutionProvider {
    CPU, CUDA
}
