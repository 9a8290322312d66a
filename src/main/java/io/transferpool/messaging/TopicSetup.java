package io.transferpool.messaging;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;

/**
 * Creates the pool's topics that do not exist yet, with the configured partition counts (unless creation is off:
 * on a cluster where an operator owns the topics, such as Strimzi's KafkaTopics), and checks that this process
 * may use the topics its roles need, failing with a message that names each missing topic or permission.
 */
public final class TopicSetup {
    private static final Logger LOG = Logger.getLogger(TopicSetup.class);

    private TopicSetup() {
    }

    /**
     * Creates missing topics when the configuration says so (tp.jobs, tp.status, tp.results and tp.dlq with one
     * partition: each job's records stay in order, and there are few), then checks that every topic in {@code needs} exists and
     * that this process's Kafka user may do the listed operations on it (where the broker has an authorizer).
     *
     * @param needs topic -> operations the roles of this process perform on it (Read, Write)
     */
    public static void ensure(KafkaClients clients, TopicsConfig layout, Map<String, Set<AclOperation>> needs)
            throws InterruptedException {
        if (layout.create()) {
            create(clients, layout);
        }
        check(clients, needs, layout.create());
    }

    private static void create(KafkaClients clients, TopicsConfig layout) throws InterruptedException {
        Map<String, String> large = Map.of("max.message.bytes", String.valueOf(KafkaClients.MAX_RECORD_BYTES));
        List<NewTopic> topics = List.of(
                new NewTopic(Topics.JOBS, 1, layout.replication()),
                new NewTopic(Topics.EXTRACT, layout.extractPartitions(), layout.replication()).configs(large),
                new NewTopic(Topics.FEATURES, layout.featuresPartitions(), layout.replication()).configs(large),
                new NewTopic(Topics.STATUS, 1, layout.replication())
                        .configs(Map.of("cleanup.policy", "compact,delete")),
                new NewTopic(Topics.RESULTS, 1, layout.replication()).configs(large),
                new NewTopic(Topics.DLQ, 1, layout.replication()).configs(large),
                // One record per job id, kept for good: ids stay in use after any retention period.
                new NewTopic(Topics.JOB_IDS, 1, layout.replication()).configs(Map.of("cleanup.policy", "compact")),
                // One record per cancelled run; small, read whole by every worker when it starts.
                new NewTopic(Topics.CANCELS, 1, layout.replication()).configs(Map.of("cleanup.policy", "compact")),
                // One record per trainer, its load; read whole by every trainer.
                new NewTopic(Topics.TRAINERS, 1, layout.replication()).configs(Map.of("cleanup.policy", "compact")));
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
                    throw new IllegalStateException("cannot create topics " + missing.stream().map(NewTopic::name)
                            .toList() + " (set tp.topics.create=false where an operator owns the topics): "
                            + e.getCause().getMessage(), e.getCause());
                }
            }
            LOG.infof("Created topics %s", missing.stream().map(t -> t.name() + "(" + t.numPartitions() + ")").toList());
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot list topics at " + clients.bootstrapServers() + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    private static void check(KafkaClients clients, Map<String, Set<AclOperation>> needs, boolean created)
            throws InterruptedException {
        List<String> problems = new ArrayList<>();
        try (Admin admin = clients.admin()) {
            var described = admin.describeTopics(needs.keySet(),
                    new DescribeTopicsOptions().includeAuthorizedOperations(true)).topicNameValues();
            for (Map.Entry<String, Set<AclOperation>> need : new TreeMap<>(needs).entrySet()) {
                String topic = need.getKey();
                try {
                    TopicDescription d = described.get(topic).get();
                    Set<AclOperation> allowed = d.authorizedOperations();
                    if (allowed == null || allowed.contains(AclOperation.ALL)) {
                        continue; // no authorizer, or everything allowed
                    }
                    for (AclOperation op : need.getValue()) {
                        if (!allowed.contains(op)) {
                            problems.add("not allowed to " + op + " topic " + topic);
                        }
                    }
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                        problems.add("topic " + topic + " does not exist" + (created ? ""
                                : " (tp.topics.create is false: the cluster's operator must create it)"));
                    } else if (e.getCause() instanceof TopicAuthorizationException) {
                        problems.add("not allowed to DESCRIBE topic " + topic);
                    } else {
                        problems.add("cannot describe topic " + topic + ": " + e.getCause().getMessage());
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("The Kafka user of this process cannot use the topics its roles need ("
                    + clients.bootstrapServers() + "): " + String.join("; ", problems)
                    + ". Grant what is missing (k8s/base/users.yaml lists each role's ACLs).");
        }
    }
}
