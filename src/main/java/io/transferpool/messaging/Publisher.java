package io.transferpool.messaging;

import io.transferpool.job.JobResult;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Typed sends on the pool's topics over one shared (thread-safe) producer. Every send made inside a
 * {@link SendScope} (a worker handling a record) is awaited before that record counts as done.
 */
public record Publisher(KafkaProducer<String, byte[]> producer) {

    public Future<RecordMetadata> send(String topic, String key, byte[] value, String type) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, key, value);
        if (type != null) {
            r.headers().add(Topics.TYPE_HEADER, type.getBytes(StandardCharsets.UTF_8));
        }
        Future<RecordMetadata> f = producer.send(r);
        SendScope.register(topic, f);
        return f;
    }

    /** Sends and waits for the acknowledgement: for records others must see before what follows (a plan). */
    public void sendAndWait(String topic, String key, byte[] value, String type)
            throws SendScope.SendFailedException, InterruptedException {
        try {
            send(topic, key, value, type).get();
        } catch (ExecutionException e) {
            throw new SendScope.SendFailedException(topic, e.getCause());
        }
    }

    public Future<RecordMetadata> status(StatusEvent e) {
        return send(Topics.STATUS, e.jobId(), Json.bytes(e), null);
    }

    public Future<RecordMetadata> result(JobResult r) {
        return send(Topics.RESULTS, r.jobId() == null ? "unknown" : r.jobId(), Json.bytes(r), null);
    }

    public void flush() {
        producer.flush();
    }

    /** The type header of a record, or null. */
    public static String type(org.apache.kafka.common.header.Headers headers) {
        var h = headers.lastHeader(Topics.TYPE_HEADER);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
