package io.transferpool.messaging;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Makes the pool's Kafka clients for one cluster. Keys are strings (job ids), values bytes (JSON or binary
 * feature batches). {@code extra} carries any other client settings (security, for example) unchanged.
 */
public record KafkaClients(String bootstrapServers, String compression, Map<String, String> extra) {

    /** Largest record the pool sends; the broker and topics must allow it. */
    public static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

    public KafkaClients {
        extra = Map.copyOf(extra);
    }

    private Properties base() {
        Properties p = new Properties();
        p.putAll(extra);
        p.put("bootstrap.servers", bootstrapServers);
        return p;
    }

    /** Idempotent, acks=all: at-least-once without duplicates from producer retries. */
    public KafkaProducer<String, byte[]> producer(String clientId) {
        return new KafkaProducer<>(producerConfig(clientId), new StringSerializer(), new ByteArraySerializer());
    }

    /** The producer's settings: {@code extra} first, then the pool's own, which win. */
    Properties producerConfig(String clientId) {
        Properties p = base();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(MAX_RECORD_BYTES));
        return p;
    }

    /** Session timeout of the pool's consumers unless configured: a dead worker's partitions move within it. */
    public static final int SESSION_TIMEOUT_MS = 10_000;
    /** Heartbeat interval of the pool's consumers unless configured (a third of the session timeout). */
    public static final int HEARTBEAT_INTERVAL_MS = 3_000;

    /** A group member with manual commits: offsets move only after a record's work is done. */
    public KafkaConsumer<String, byte[]> consumer(String groupId, String clientId, int maxPollRecords) {
        return consumer(groupId, clientId, maxPollRecords, Map.of());
    }

    /** @param overrides consumer settings of this role (e.g. its max.poll.interval.ms), over {@code extra} */
    public KafkaConsumer<String, byte[]> consumer(String groupId, String clientId, int maxPollRecords,
                                                 Map<String, String> overrides) {
        return new KafkaConsumer<>(consumerConfig(groupId, clientId, maxPollRecords, overrides),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    Properties consumerConfig(String groupId, String clientId, int maxPollRecords) {
        return consumerConfig(groupId, clientId, maxPollRecords, Map.of());
    }

    /**
     * A group consumer's settings: {@code extra}, then the role's overrides, then the failover defaults where
     * neither set them, then the pool's own delivery settings, which always win.
     */
    Properties consumerConfig(String groupId, String clientId, int maxPollRecords, Map<String, String> overrides) {
        Properties p = base();
        p.putAll(overrides);
        p.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(SESSION_TIMEOUT_MS));
        p.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, String.valueOf(HEARTBEAT_INTERVAL_MS));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(maxPollRecords));
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MAX_RECORD_BYTES));
        return p;
    }

    /** A consumer outside any group, for clients that read results and status by assignment. */
    public KafkaConsumer<String, byte[]> reader(String clientId) {
        return new KafkaConsumer<>(readerConfig(clientId), new StringDeserializer(), new ByteArrayDeserializer());
    }

    Properties readerConfig(String clientId) {
        Properties p = base();
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // A reader follows status and results as they come: with the default 500 ms wait a result written just
        // after a status event reached its reader half a second late (a small job took 1.5 s instead of 1.0).
        p.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        return p;
    }

    public Admin admin() {
        Map<String, Object> p = new HashMap<>();
        extra.forEach(p::put);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return Admin.create(p);
    }
}
