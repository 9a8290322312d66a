package io.transferpool.extract;

import io.smallrye.config.WithDefault;
import io.transferpool.messaging.FeatureType;
import io.transferpool.model.ExecutionProvider;
import io.transferpool.model.SessionFactory;

/** The extractor's settings ({@code tp.extract.*}). */
public interface ExtractConfig {
    /** Images per ONNX Runtime inference call. */
    @WithDefault("64")
    int batchSize();

    /**
     * Batches extracted at once, each by its own thread: read, decode, preprocess, then the model (0: one per
     * core).
     */
    @WithDefault("0")
    int streams();

    /** Deprecated, read as {@code streams} when that is 0 (it counted the decode threads before streams). */
    @WithDefault("0")
    int decodeThreads();

    /** Execution provider: cpu or cuda (falls back to cpu, with a log line and a metric, when unusable). */
    @WithDefault("cpu")
    ExecutionProvider provider();

    /** CUDA device id when provider is cuda. */
    @WithDefault("0")
    int cudaDevice();

    /** ONNX Runtime intra-op threads per model run (0: the cores shared out among the streams, at least 1). */
    @WithDefault("0")
    int intraOpThreads();

    /** Open sessions kept per extractor (one per model digest and cut). */
    @WithDefault("4")
    int sessionCacheSize();

    /** Feature values on the wire: float32 or float16. */
    @WithDefault("float32")
    FeatureType featureType();

    /** Largest feature record; larger batches are split. Must fit the topic's max.message.bytes. */
    @WithDefault("1000000")
    int maxRecordBytes();

    /**
     * Extract task records an extractor reads ahead, at most (bytes, about), to choose the next task among across
     * owners and jobs; past it, it stops fetching until it has extracted some.
     */
    @WithDefault("67108864")
    long readAheadBytes();

    /** The streams in effect: {@code streams}, else the deprecated {@code decode-threads}, else one per core. */
    default int streamCount() {
        return streams() > 0 ? streams() : decodeThreads() > 0 ? decodeThreads()
                : Runtime.getRuntime().availableProcessors();
    }

    /** How each stream's session is opened. */
    default SessionFactory.Settings session() {
        return new SessionFactory.Settings(provider(), cudaDevice(), intraOpThreads()).sharedBy(streamCount());
    }
}
