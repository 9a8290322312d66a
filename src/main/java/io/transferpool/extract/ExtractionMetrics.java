package io.transferpool.extract;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.transferpool.model.CutSession;
import io.transferpool.model.ExecutionProvider;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The extractor's meters: images decoded, ONNX Runtime batch durations (histogram), and which execution provider
 * the sessions run on: {@code tp_extract_provider} is 1 for the provider in use and 0 for the others, tagged with
 * the provider requested, so an alert can catch a GPU extractor that fell back to CPU.
 */
public final class ExtractionMetrics implements ShardExtractor.Observer {
    private final Map<ExecutionProvider, AtomicInteger> inUse = new EnumMap<>(ExecutionProvider.class);
    private final MeterRegistry registry;
    private final Counter decoded;
    private final Timer inference;

    public ExtractionMetrics(MeterRegistry registry, ExecutionProvider requested) {
        this.registry = registry;
        this.decoded = Counter.builder("tp.extract.images.decoded").description("Images decoded and preprocessed")
                .register(registry);
        this.inference = Timer.builder("tp.extract.inference.batch").description("ONNX Runtime run of one batch")
                .publishPercentileHistogram().register(registry);
        for (ExecutionProvider p : ExecutionProvider.values()) {
            AtomicInteger v = new AtomicInteger(p == requested ? 1 : 0);
            inUse.put(p, v);
            Gauge.builder("tp.extract.provider", v, AtomicInteger::get)
                    .tag("provider", p.name().toLowerCase()).tag("requested", requested.name().toLowerCase())
                    .description("1 for the execution provider extractor sessions run on").register(registry);
        }
    }

    @Override
    public void decoded(int images, long nanos) {
        decoded.increment(images);
    }

    @Override
    public void inferred(int images, long nanos) {
        inference.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public void sessionOpened(CutSession session) {
        inUse.forEach((p, v) -> v.set(p == session.provider() ? 1 : 0));
        if (session.fallbackReason() != null) {
            registry.counter("tp.extract.provider.fallbacks").increment();
        }
    }
}
