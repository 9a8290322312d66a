package io.transferpool.model;

import ai.onnx.proto.OnnxMl;

import java.util.Optional;

/** Typed reads of a node's attributes with ONNX's defaults. */
public record NodeAttributes(OnnxMl.NodeProto node) {

    private Optional<OnnxMl.AttributeProto> find(String name) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst();
    }

    public boolean has(String name) {
        return find(name).isPresent();
    }

    public long i(String name, long dflt) {
        return find(name).map(OnnxMl.AttributeProto::getI).orElse(dflt);
    }

    public float f(String name, float dflt) {
        return find(name).map(OnnxMl.AttributeProto::getF).orElse(dflt);
    }

    public String s(String name, String dflt) {
        return find(name).map(a -> a.getS().toStringUtf8()).orElse(dflt);
    }

    public long[] ints(String name, long[] dflt) {
        return find(name).map(a -> a.getIntsList().stream().mapToLong(Long::longValue).toArray()).orElse(dflt);
    }

    public float[] floats(String name) {
        return find(name).map(a -> {
            float[] v = new float[a.getFloatsCount()];
            for (int i = 0; i < v.length; i++) {
                v[i] = a.getFloats(i);
            }
            return v;
        }).orElse(null);
    }

    public Optional<OnnxMl.TensorProto> tensor(String name) {
        return find(name).filter(OnnxMl.AttributeProto::hasT).map(OnnxMl.AttributeProto::getT);
    }
}
