package io.transferpool.translate;

/**
 * Choices that change the network built, not its inference output.
 *
 * @param updateBatchNorm false (default): BatchNormalization keeps its pretrained statistics, scale and shift and
 *                        becomes a fixed per-channel affine map; true: a DL4J BatchNormalization layer that uses
 *                        batch statistics while training, updates its running averages and trains scale and shift
 */
public record TranslationOptions(boolean updateBatchNorm) {
    public static final TranslationOptions DEFAULT = new TranslationOptions(false);
}
