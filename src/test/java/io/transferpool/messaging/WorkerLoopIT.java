package io.transferpool.messaging;

import io.transferpool.Await;
import io.transferpool.broker.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker loop on a real broker: a record whose sends fail goes to tp.dlq with the reason and the loop carries
 * on; a record that cannot even be dead-lettered stops the loop without committing past it; a member joining the
 * group takes partitions away, and the loop that loses them commits first and tells its role.
 */
class WorkerLoopIT {
    /** Topics whose records must stay small: a larger send fails for good (RecordTooLargeException). */
    static final int SMALL = 2_000;
    @TempDir
    static Path dir;
    static EmbeddedKafka broker;
    static KafkaClients clients;
    static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedKafka.start(dir, true);
        clients = new KafkaClients(broker.bootstrapServers(), "none", Map.of());
        try (Admin admin = clients.admin()) {
            Map<String, String> small = Map.of("max.message.bytes", String.valueOf(SMALL));
            admin.createTopics(List.of(new NewTopic(Topics.DLQ, 1, (short) 1).configs(small),
                    new NewTopic("small", 1, (short) 1).configs(small),
                    new NewTopic("in-send", 1, (short) 1), new NewTopic("in-dlq", 1, (short) 1),
                    new NewTopic("in-rebalance", 4, (short) 1), new NewTopic("in-ahead", 1, (short) 1)))
                    .all().get();
        }
        producer = clients.producer("test");
    }

    @AfterAll
    static void stop() throws Exception {
        producer.close();
        broker.close();
    }

    static void produce(String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    static long committed(String group, TopicPartition tp) {
        try (Admin admin = clients.admin()) {
            OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(tp);
            return o == null ? -1 : o.offset();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        try (KafkaConsumer<String, byte[]> c = clients.reader("reader")) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    static void await(String what, Await.Probe<Boolean> condition) throws Exception {
        Await.until(what, Duration.ofSeconds(30), condition);
    }

    @Test
    void aRecordWhoseSendsFailIsDeadLetteredWithTheReasonAndTheLoopGoesOn() throws Exception {
        Publisher out = new Publisher(producer);
        List<String> handled = new CopyOnWriteArrayList<>();
        WorkerLoop.Role role = r -> {
            handled.add(r.key());
            // "big" makes a send the broker refuses; the others a send it takes.
            int size = r.key().equals("big") ? 5 * SMALL : 10;
            out.send("small", r.key(), new byte[size], null);
        };
        produce("in-send", "ok-1", "a".getBytes(StandardCharsets.UTF_8));
        produce("in-send", "big", "b".getBytes(StandardCharsets.UTF_8));
        produce("in-send", "ok-2", "c".getBytes(StandardCharsets.UTF_8));
        TopicPartition in = new TopicPartition("in-send", 0);
        try (WorkerLoop loop = new WorkerLoop("sender", clients.consumer("g-send", "sender", 10), List.of("in-send"),
                producer, role).start()) {
            await("three records handled and committed", () -> committed("g-send", in) == 3);
            assertThat(loop.alive()).isTrue();
        }
        assertThat(readAll(Topics.DLQ)).filteredOn(r -> r.key().equals("big")).singleElement().satisfies(r -> {
            assertThat(new String(r.headers().lastHeader(Topics.ERROR_HEADER).value(), StandardCharsets.UTF_8))
                    .contains("send to small failed", "RecordTooLarge");
            assertThat(new String(r.headers().lastHeader(Topics.SOURCE_TOPIC_HEADER).value(),
                    StandardCharsets.UTF_8)).isEqualTo("in-send");
        });
        assertThat(readAll("small")).extracting(ConsumerRecord::key).containsExactly("ok-1", "ok-2");
    }

    @Test
    void readAheadWorkIsDoneBetweenPollsHeldBackWhenFullAndAFailedOneIsDeadLettered() throws Exception {
        Publisher out = new Publisher(producer);
        java.util.Deque<ConsumerRecord<String, byte[]>> ahead = new java.util.concurrent.ConcurrentLinkedDeque<>();
        List<String> done = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger mostAhead = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicLong lowestUndone = new java.util.concurrent.atomic.AtomicLong(-1);
        WorkerLoop.Role role = new WorkerLoop.Role() {
            @Override
            public void handle(ConsumerRecord<String, byte[]> r) {
                ahead.addLast(r);
                mostAhead.accumulateAndGet(ahead.size(), Math::max);
            }

            @Override
            public void afterPoll() {
                ConsumerRecord<String, byte[]> r = ahead.pollLast(); // the newest first: out of order
                if (r == null) {
                    return;
                }
                try (SendScope sends = SendScope.open()) {
                    out.send("small", r.key(), new byte[r.key().equals("too-big") ? 5 * SMALL : 10], null);
                    sends.awaitAll();
                } catch (SendScope.SendFailedException e) {
                    throw new WorkerLoop.RecordFailed(r, e, () -> done.add(r.key()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                done.add(r.key());
            }

            @Override
            public Map<TopicPartition, OffsetAndMetadata> committable(Map<TopicPartition, Long> positions) {
                Map<TopicPartition, OffsetAndMetadata> c = new java.util.HashMap<>();
                long first = ahead.stream().mapToLong(ConsumerRecord::offset).min().orElse(Long.MAX_VALUE);
                positions.forEach((tp, p) -> c.put(tp, new OffsetAndMetadata(Math.min(p, first))));
                return c;
            }

            @Override
            public boolean hasWork() {
                return !ahead.isEmpty();
            }

            @Override
            public boolean readAheadFull() {
                return ahead.size() >= 3;
            }
        };
        for (int i = 0; i < 40; i++) {
            produce("in-ahead", i == 5 ? "too-big" : "r" + i, new byte[1]);
        }
        TopicPartition in = new TopicPartition("in-ahead", 0);
        try (WorkerLoop loop = new WorkerLoop("ahead", clients.consumer("g-ahead", "ahead", 10), List.of("in-ahead"),
                producer, role).start()) {
            await("every record done and committed", () -> committed("g-ahead", in) == 40);
            assertThat(loop.alive()).isTrue();
        }
        assertThat(done).hasSize(40).contains("too-big");
        // Full at 3: fetching resumes with 2 in hand, and a poll brings 10 at most (without the pause: dozens).
        assertThat(mostAhead.get()).as("fetching stops while the role is full").isLessThanOrEqualTo(12);
        assertThat(readAll(Topics.DLQ)).filteredOn(r -> r.key().equals("too-big")).singleElement().satisfies(r ->
                assertThat(new String(r.headers().lastHeader(Topics.SOURCE_TOPIC_HEADER).value(),
                        StandardCharsets.UTF_8)).isEqualTo("in-ahead"));
    }

    @Test
    void aRecordThatCannotBeDeadLetteredStopsTheLoopWithoutCommittingPastIt() throws Exception {
        WorkerLoop.Role role = r -> {
            throw new IllegalArgumentException("cannot handle " + r.key());
        };
        produce("in-dlq", "small", new byte[10]);
        produce("in-dlq", "huge", new byte[5 * SMALL]); // its dead letter is too large for tp.dlq
        produce("in-dlq", "after", new byte[10]);
        TopicPartition in = new TopicPartition("in-dlq", 0);
        WorkerLoop loop = new WorkerLoop("stuck", clients.consumer("g-dlq", "stuck", 10), List.of("in-dlq"),
                producer, role).start();
        await("the loop stops", () -> !loop.alive());
        loop.close();

        assertThat(committed("g-dlq", in)).as("the first record done, the second not").isEqualTo(1);
        assertThat(readAll(Topics.DLQ)).extracting(ConsumerRecord::key).contains("small").doesNotContain("after");
    }

    /** Records partitions taken away and commits everything it handled. */
    static final class Recording implements WorkerLoop.Role {
        final List<TopicPartition> revoked = new CopyOnWriteArrayList<>();
        final Set<String> handled = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public void handle(ConsumerRecord<String, byte[]> r) {
            handled.add(r.key());
        }

        @Override
        public void revoked(Collection<TopicPartition> partitions) {
            revoked.addAll(partitions);
        }
    }

    @Test
    void aMemberJoiningTakesPartitionsAwayAndTheLoserCommitsThenLetsGo() throws Exception {
        Recording first = new Recording();
        Recording second = new Recording();
        try (WorkerLoop a = new WorkerLoop("a", clients.consumer("g-rb", "a", 10), List.of("in-rebalance"), producer,
                first).start()) {
            for (int i = 0; i < 8; i++) {
                producer.send(new ProducerRecord<>("in-rebalance", i % 4, "r" + i, new byte[1])).get();
            }
            await("the first member handled everything", () -> first.handled.size() == 8);
            try (WorkerLoop b = new WorkerLoop("b", clients.consumer("g-rb", "b", 10), List.of("in-rebalance"),
                    producer, second).start()) {
                await("the first member lost partitions", () -> !first.revoked.isEmpty());
                for (TopicPartition tp : first.revoked) {
                    assertThat(committed("g-rb", tp)).as("committed before handing %s over", tp).isEqualTo(2);
                }
                for (int i = 8; i < 16; i++) {
                    producer.send(new ProducerRecord<>("in-rebalance", i % 4, "r" + i, new byte[1])).get();
                }
                await("the new records handled once between them",
                        () -> first.handled.size() + second.handled.size() == 16);
                assertThat(second.handled).as("nothing redone").allMatch(k -> Integer.parseInt(k.substring(1)) >= 8);
            }
        }
    }
}
