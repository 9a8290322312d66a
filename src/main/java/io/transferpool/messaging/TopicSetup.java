package io.transferpool.messaging;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

/** Creates the pool's topics that do not exist yet, with the configured partition counts. */
public final class TopicSetup {
    private static final Logger LOG = Logger.getLogger(TopicSetup.class);

    private TopicSetup() {
    }

    /** Partition counts for the topics; replication factor applies to all. */
    public record Layout(int jobs, int extract, int features, int status, int results, int dlq, short replication) {
        public static Layout singleNode() {
            return new Layout(1, 4, 4, 1, 1, 1, (short) 1);
        }
    }

    public static void ensure(KafkaClients clients, Layout layout) throws InterruptedException {
        Map<String, String> large = Map.of("max.message.bytes", String.valueOf(KafkaClients.MAX_RECORD_BYTES));
        List<NewTopic> topics = List.of(
                new NewTopic(Topics.JOBS, layout.jobs(), layout.replication()),
                new NewTopic(Topics.EXTRACT, layout.extract(), layout.replication()),
                new NewTopic(Topics.FEATURES, layout.features(), layout.replication()).configs(large),
                new NewTopic(Topics.STATUS, layout.status(), layout.replication())
                        .configs(Map.of("cleanup.policy", "compact,delete")),
                new NewTopic(Topics.RESULTS, layout.results(), layout.replication()),
                new NewTopic(Topics.DLQ, layout.dlq(), layout.replication()).configs(large));
        try (Admin admin = clients.admin()) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = new ArrayList<>(topics.stream().filter(t -> !existing.contains(t.name())).toList());
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topics: " + e.getCause().getMessage(), e.getCause());
                }
            }
            LOG.infof("Created topics %s", missing.stream().map(t -> t.name() + "(" + t.numPartitions() + ")").toList());
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list topics at " + clients.bootstrapServers() + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }
}
