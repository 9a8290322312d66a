package io.transferpool.translate;

/** The part of the graph asked for cannot be turned into a DL4J network; the message says where and why. */
public class TranslationException extends IllegalArgumentException {
    public TranslationException(String message) {
        super(message);
    }
}
