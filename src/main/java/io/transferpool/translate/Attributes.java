package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;

import java.util.Optional;

/** Typed reads of a node's attributes with ONNX's defaults. */
record Attributes(OnnxMl.NodeProto node) {

    private Optional<OnnxMl.AttributeProto> find(String name) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst();
    }

    boolean has(String name) {
        return find(name).isPresent();
    }

    long i(String name, long dflt) {
        return find(name).map(OnnxMl.AttributeProto::getI).orElse(dflt);
    }

    float f(String name, float dflt) {
        return find(name).map(OnnxMl.AttributeProto::getF).orElse(dflt);
    }

    String s(String name, String dflt) {
        return find(name).map(a -> a.getS().toStringUtf8()).orElse(dflt);
    }

    long[] ints(String name, long[] dflt) {
        return find(name).map(a -> a.getIntsList().stream().mapToLong(Long::longValue).toArray()).orElse(dflt);
    }

    Optional<OnnxMl.TensorProto> tensor(String name) {
        return find(name).filter(OnnxMl.AttributeProto::hasT).map(OnnxMl.AttributeProto::getT);
    }
}
