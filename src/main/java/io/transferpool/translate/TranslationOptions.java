package io.transferpool.translate;

/**
 * Choices that change the network built, not its inference output.
 *
 * @param updateBatchNorm false (default): BatchNormalization keeps its pretrained statistics, scale and shift and
 *                        becomes a fixed per-channel affine map; true: a DL4J BatchNormalization layer that uses
 *                        batch statistics while training, updates its running averages and trains scale and shift
 * @param fuse            true (default): expanded GELU and LayerNorm become one vertex each ({@link Fusions}); false:
 *                        every node its own vertex (tests compare the two)
 */
public record TranslationOptions(boolean updateBatchNorm, boolean fuse) {
    public static final TranslationOptions DEFAULT = new TranslationOptions(false);

    public TranslationOptions(boolean updateBatchNorm) {
        this(updateBatchNorm, true);
    }
}
