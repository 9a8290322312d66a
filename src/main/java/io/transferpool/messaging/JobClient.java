package io.transferpool.messaging;

import io.transferpool.job.JobResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A user's side of the pool: publishes a job to {@code tp.jobs} and follows its status events and result. It
 * starts reading {@code tp.status} and {@code tp.results} at their ends before submitting, so an older result of
 * a job with the same id is never taken for this one.
 */
public final class JobClient implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> reader;

    public JobClient(KafkaClients clients) {
        this.producer = clients.producer("tp-client");
        this.reader = clients.reader("tp-client-reader");
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.STATUS, Topics.RESULTS)) {
            reader.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        reader.assign(partitions);
        reader.seekToEnd(partitions);
        partitions.forEach(reader::position); // resolve the end offsets now, before the job is sent
    }

    public void submit(String jobId, String jobJson) throws Exception {
        producer.send(new ProducerRecord<>(Topics.JOBS, jobId, jobJson.getBytes(StandardCharsets.UTF_8))).get();
    }

    /** Waits for the job's result, passing each of its status events to {@code onStatus} on the way. */
    public JobResult await(String jobId, Duration timeout, Consumer<StatusEvent> onStatus) throws TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JobResult result = null;
            // Status events of a poll are passed on before its result is returned, whatever the record order.
            for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
                if (!jobId.equals(r.key())) {
                    continue;
                }
                if (r.topic().equals(Topics.STATUS)) {
                    onStatus.accept(Json.read(r.value(), StatusEvent.class));
                } else if (result == null) {
                    result = Json.read(r.value(), JobResult.class);
                }
            }
            if (result != null) {
                return result;
            }
        }
        throw new TimeoutException("no result for job " + jobId + " within " + timeout);
    }

    @Override
    public void close() {
        producer.close();
        reader.close();
    }
}
