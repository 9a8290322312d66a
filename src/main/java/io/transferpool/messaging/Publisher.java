package io.transferpool.messaging;

import io.transferpool.job.JobResult;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Future;

/** Typed sends on the pool's topics over one shared (thread-safe) producer. */
public record Publisher(KafkaProducer<String, byte[]> producer) {

    public Future<?> send(String topic, String key, byte[] value, String type) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, key, value);
        if (type != null) {
            r.headers().add(Topics.TYPE_HEADER, type.getBytes(StandardCharsets.UTF_8));
        }
        return producer.send(r);
    }

    public void status(StatusEvent e) {
        send(Topics.STATUS, e.jobId(), Json.bytes(e), null);
    }

    public void result(JobResult r) {
        send(Topics.RESULTS, r.jobId() == null ? "unknown" : r.jobId(), Json.bytes(r), null);
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
