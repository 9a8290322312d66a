package io.transferpool.translate;

/**
 * A node the translator cannot express in DL4J: an operator it does not know, or a known operator with attributes
 * or operands it does not cover. Names the operator, the node and the reason.
 */
public final class UnsupportedOperatorException extends TranslationException {
    private final String op;
    private final String node;

    public UnsupportedOperatorException(String op, String node, String reason) {
        super("operator " + op + " (node \"" + node + "\") is not supported by the fine-tuning translator: " + reason);
        this.op = op;
        this.node = node;
    }

    public String op() {
        return op;
    }

    public String node() {
        return node;
    }
}
