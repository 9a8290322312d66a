package io.transferpool.messaging;

import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The sends that handling one record causes. {@link WorkerLoop} opens a scope on its consumer thread around each
 * record; every {@link Publisher} send made on that thread while it is open is registered, and the record counts
 * as done (its offset may be committed) only once all of them are acknowledged. The producer retries what can be
 * retried (idempotently, until {@code delivery.timeout.ms}); what still fails is reported here. Sends from other
 * threads (a trainer's epoch progress) are best-effort and not tracked.
 */
public final class SendScope implements AutoCloseable {
    private static final ThreadLocal<SendScope> CURRENT = new ThreadLocal<>();

    private record Pending(String topic, Future<RecordMetadata> future) {
    }

    private final List<Pending> pending = new ArrayList<>();
    private final SendScope outer;

    private SendScope() {
        this.outer = CURRENT.get();
    }

    /** Opens a scope on this thread (scopes nest; the innermost collects). */
    public static SendScope open() {
        SendScope s = new SendScope();
        CURRENT.set(s);
        return s;
    }

    static void register(String topic, Future<RecordMetadata> future) {
        SendScope s = CURRENT.get();
        if (s != null) {
            s.pending.add(new Pending(topic, future));
        }
    }

    /** Waits for every registered send; throws on the first that failed, naming its topic. */
    public void awaitAll() throws SendFailedException, InterruptedException {
        try {
            for (Pending p : pending) {
                try {
                    p.future().get();
                } catch (ExecutionException e) {
                    throw new SendFailedException(p.topic(), e.getCause());
                }
            }
        } finally {
            pending.clear();
        }
    }

    @Override
    public void close() {
        if (outer == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(outer);
        }
    }

    /** A send the producer gave up on (after its own retries): authorization, a record too large, a timeout. */
    public static final class SendFailedException extends Exception {
        private final String topic;

        public SendFailedException(String topic, Throwable cause) {
            super("send to " + topic + " failed: " + cause.getClass().getSimpleName() + ": " + cause.getMessage(),
                    cause);
            this.topic = topic;
        }

        public String topic() {
            return topic;
        }
    }
}
