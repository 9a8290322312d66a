package io.transferpool.messaging;

import io.transferpool.job.JobResult;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Typed sends on the pool's topics over one shared (thread-safe) producer. Every send made inside a
 * {@link SendScope} (a worker handling a record) is awaited before that record counts as done.
 */
public record Publisher(KafkaProducer<String, byte[]> producer) {

    /** @param type what the record is ({@link RecordType}), or null for the topics whose records have no type */
    public Future<RecordMetadata> send(String topic, String key, byte[] value, RecordType type) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, key, value);
        if (type != null) {
            type.addTo(r.headers());
        }
        Future<RecordMetadata> f = producer.send(r);
        SendScope.register(topic, f);
        return f;
    }

    /** Sends and waits for the acknowledgement: for records others must see before what follows (a plan). */
    public void sendAndWait(String topic, String key, byte[] value, RecordType type)
            throws SendScope.SendFailedException, InterruptedException {
        try {
            send(topic, key, value, type).get();
        } catch (ExecutionException e) {
            throw new SendScope.SendFailedException(topic, e.getCause());
        }
    }

    /** Sends to one partition, whatever the key says (a mark behind a job's records, a job handed to a trainer). */
    public Future<RecordMetadata> send(String topic, int partition, String key, byte[] value, RecordType type) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, partition, key, value);
        type.addTo(r.headers());
        Future<RecordMetadata> f = producer.send(r);
        SendScope.register(topic, f);
        return f;
    }

    /** As {@link #send(String, int, String, byte[], RecordType)}, and waits for the acknowledgement. */
    public void sendAndWait(String topic, int partition, String key, byte[] value, RecordType type)
            throws SendScope.SendFailedException, InterruptedException {
        try {
            send(topic, partition, key, value, type).get();
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
}
