package io.transferpool.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.transferpool.extract.CutSession;
import io.transferpool.model.ExecutionProvider;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Says which ONNX Runtime execution provider the extractor's sessions run on: {@code tp_extract_provider} is 1 for
 * the provider in use and 0 for the others, tagged with the provider requested, so an alert can catch a GPU
 * extractor that fell back to CPU.
 */
public final class ExtractionMetrics {
    private final Map<ExecutionProvider, AtomicInteger> inUse = new EnumMap<>(ExecutionProvider.class);
    private final MeterRegistry registry;

    public ExtractionMetrics(MeterRegistry registry, ExecutionProvider requested) {
        this.registry = registry;
        for (ExecutionProvider p : ExecutionProvider.values()) {
            AtomicInteger v = new AtomicInteger(p == requested ? 1 : 0);
            inUse.put(p, v);
            Gauge.builder("tp.extract.provider", v, AtomicInteger::get)
                    .tag("provider", p.name().toLowerCase()).tag("requested", requested.name().toLowerCase())
                    .description("1 for the execution provider extractor sessions run on").register(registry);
        }
    }

    public void sessionOpened(CutSession session) {
        inUse.forEach((p, v) -> v.set(p == session.provider() ? 1 : 0));
        if (session.fallbackReason() != null) {
            registry.counter("tp.extract.provider.fallbacks").increment();
        }
    }
}
