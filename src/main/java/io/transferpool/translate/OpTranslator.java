package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;

import java.util.Set;

/** Turns ONNX nodes of some operators into DL4J layers or vertices of the network being built. */
interface OpTranslator {
    /** The ONNX operators (op_type, default domain) this translator takes. */
    Set<String> ops();

    /**
     * Adds what the node computes to {@code ctx} under the node's first output name; throws
     * {@link UnsupportedOperatorException} when the attributes or operands are outside what DL4J can express.
     */
    void translate(OnnxMl.NodeProto node, TranslationContext ctx);
}
