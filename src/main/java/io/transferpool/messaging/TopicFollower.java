package io.transferpool.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * A small topic every worker reads whole, outside any group: read from its beginning to where it ends before the
 * caller goes on, then followed on a thread of its own (a role's loop may be busy for minutes). What tp.cancels
 * and tp.trainers need.
 */
public final class TopicFollower implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TopicFollower.class);

    private final String topic;
    private final KafkaConsumer<String, byte[]> reader;
    private final Consumer<ConsumerRecord<String, byte[]>> each;
    private final Thread thread;
    private volatile boolean running = true;

    private TopicFollower(String topic, KafkaConsumer<String, byte[]> reader,
                          Consumer<ConsumerRecord<String, byte[]>> each) {
        this.topic = topic;
        this.reader = reader;
        this.each = each;
        this.thread = new Thread(this::follow, "tp-follow-" + topic);
        this.thread.setDaemon(true);
    }

    /**
     * Hands every record now on {@code topic} to {@code each}, then, once {@code caughtUp} ran, each new one as it
     * comes (on the follower's thread).
     */
    public static TopicFollower start(KafkaClients clients, String topic, Consumer<ConsumerRecord<String, byte[]>> each,
                                      Runnable caughtUp) {
        KafkaConsumer<String, byte[]> reader = clients.reader("tp-follow-" + topic + "-" + ProcessHandle.current().pid());
        TopicFollower f = new TopicFollower(topic, reader, each);
        try {
            TopicHistory.replay(reader, topic, Duration.ofSeconds(30), each::accept);
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
        caughtUp.run();
        f.thread.start();
        return f;
    }

    private void follow() {
        try {
            while (running) {
                reader.poll(Duration.ofMillis(500)).forEach(each);
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.errorf(e, "Following %s stopped: records written to it from now on are not seen here", topic);
        } finally {
            reader.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        reader.wakeup();
        thread.join(10_000);
    }
}
