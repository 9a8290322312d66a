package io.transferpool.messaging;

/** How feature values travel: float32 exactly, or float16 (half the bytes, about 3 significant digits). */
public enum FeatureType {
    FLOAT32(4), FLOAT16(2);

    private final int bytes;

    FeatureType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }
}
