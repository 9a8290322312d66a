package io.transferpool.extract;

/**
 * Where a shard's batches start and end. Batches hold {@code batchSize} samples, except the last one per stream:
 * those share what is left equally, so the streams finish together instead of one running a full last batch on
 * its share of the cores while the others wait (on MobileNetV2 a batch of 64 takes about 0.4 s on one core). A
 * shard smaller than a batch per stream is split over the streams too.
 */
final class BatchBounds {
    private BatchBounds() {
    }

    /** Batch b holds samples {@code [bounds[b], bounds[b + 1])}; {@code bounds.length - 1} batches, none empty. */
    static int[] of(int samples, int batchSize, int streams) {
        if (samples <= 0) {
            return new int[]{0};
        }
        // at least one batch per stream, so a small shard uses every stream
        int batches = Math.max((samples + batchSize - 1) / batchSize, Math.min(Math.max(1, streams), samples));
        int last = Math.min(Math.max(1, streams), batches); // batches that share the tail
        int tailStart = (batches - last) * batchSize;
        int tail = samples - tailStart;
        int[] bounds = new int[batches + 1];
        for (int b = 0; b < batches - last; b++) {
            bounds[b + 1] = (b + 1) * batchSize;
        }
        for (int i = 0; i < last; i++) {
            // the first tail % last of them get one sample more
            int size = tail / last + (i < tail % last ? 1 : 0);
            bounds[batches - last + i + 1] = bounds[batches - last + i] + size;
        }
        return bounds;
    }
}
