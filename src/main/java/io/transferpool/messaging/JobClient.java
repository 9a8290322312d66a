package io.transferpool.messaging;

import io.transferpool.job.JobResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A user's side of the pool: publishes a job to {@code tp.jobs} and follows its status events and result. It
 * starts reading {@code tp.status} and {@code tp.results} at their ends before submitting, and takes only the
 * result that answers its own submission, so a result of another run of the same id (a rerun while an earlier run
 * still trains) is never taken for this one.
 */
public final class JobClient implements AutoCloseable {
    /** Results of other jobs read while waiting for one, kept for their own {@link #await} (bounded). */
    private static final int KEPT_RESULTS = 1000;

    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> reader;
    /** Job id -> the submission this client made of it last (its results are matched against it). */
    private final Map<String, String> submissions = new java.util.HashMap<>();
    private final Map<String, JobResult> otherResults = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JobResult> eldest) {
            return size() > KEPT_RESULTS;
        }
    };

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
        RecordMetadata m = producer.send(new ProducerRecord<>(Topics.JOBS, jobId,
                jobJson.getBytes(StandardCharsets.UTF_8))).get();
        submissions.put(jobId, Topics.submission(m.topic(), m.partition(), m.offset(), m.timestamp()));
    }

    /**
     * Asks the pool to cancel the job (its latest accepted run): a {@link CancelRequest} on tp.jobs behind the
     * job's submission. Its result, CANCELLED, comes as any result does.
     */
    public void cancel(String jobId, String reason) throws Exception {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.JOBS, jobId,
                Json.bytes(new CancelRequest(reason, System.currentTimeMillis())));
        RecordType.CANCEL_REQUEST.addTo(r.headers());
        producer.send(r).get();
    }

    /** True when {@code r} answers this client's latest submission of its job (or carries no submission). */
    private boolean answers(JobResult r) {
        String mine = submissions.get(r.jobId());
        return mine == null || r.submission() == null || mine.equals(r.submission());
    }

    /**
     * Waits for the job's result, passing each of its status events to {@code onStatus} on the way. Jobs submitted
     * together can be awaited one after the other: results of other jobs read meanwhile are kept for them (their
     * status events are not).
     */
    public JobResult await(String jobId, Duration timeout, Consumer<StatusEvent> onStatus) throws TimeoutException {
        JobResult early = otherResults.remove(jobId);
        if (early != null) {
            return early;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JobResult result = null;
            // Status events of a poll are passed on before its result is returned, whatever the record order.
            for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(200))) {
                boolean mine = jobId.equals(r.key());
                if (r.topic().equals(Topics.STATUS)) {
                    if (mine) {
                        onStatus.accept(Json.read(r.value(), StatusEvent.class));
                    }
                } else if (mine && result == null) {
                    JobResult read = Json.read(r.value(), JobResult.class);
                    result = answers(read) ? read : null;
                } else if (!mine && r.key() != null) {
                    keep(r);
                }
            }
            if (result != null) {
                return result;
            }
        }
        throw new TimeoutException("no result for job " + jobId + " within " + timeout);
    }

    private void keep(ConsumerRecord<String, byte[]> r) {
        try {
            JobResult read = Json.read(r.value(), JobResult.class);
            if (answers(read)) {
                otherResults.putIfAbsent(r.key(), read);
            }
        } catch (RuntimeException e) {
            // Not a result (a record written there by mistake): nobody waits for it.
        }
    }

    @Override
    public void close() {
        producer.close();
        reader.close();
    }
}
