package io.transferpool.pool;

import io.transferpool.messaging.Topics;
import org.apache.kafka.common.acl.AclOperation;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;

/**
 * The roles one process can run; a deployment picks some with {@code tp.roles}. Each names the topics it reads and
 * writes: what its Kafka user needs (k8s/base/users.yaml grants exactly this, plus Describe, and Read on its
 * consumer group), checked when the process starts.
 */
public enum Role {
    COORDINATOR(Map.of(Topics.JOBS, Set.of(READ), Topics.EXTRACT, Set.of(WRITE), Topics.FEATURES, Set.of(WRITE),
            Topics.STATUS, Set.of(WRITE), Topics.RESULTS, Set.of(WRITE), Topics.DLQ, Set.of(WRITE),
            Topics.JOB_IDS, Set.of(READ, WRITE), Topics.CANCELS, Set.of(WRITE))),
    EXTRACTOR(Map.of(Topics.EXTRACT, Set.of(READ), Topics.FEATURES, Set.of(WRITE), Topics.DLQ, Set.of(WRITE),
            Topics.CANCELS, Set.of(READ))),
    // Write on tp.features: a trainer hands a waiting job to an idle one with a plan on that one's partition.
    TRAINER(Map.of(Topics.FEATURES, Set.of(READ, WRITE), Topics.STATUS, Set.of(WRITE), Topics.RESULTS, Set.of(WRITE),
            Topics.DLQ, Set.of(WRITE), Topics.CANCELS, Set.of(READ), Topics.TRAINERS, Set.of(READ, WRITE)));

    private final Map<String, Set<AclOperation>> topics;

    Role(Map<String, Set<AclOperation>> topics) {
        this.topics = topics;
    }

    /** Topic -> the operations this role performs on it. */
    public Map<String, Set<AclOperation>> topics() {
        return topics;
    }

    /** What a process running {@code roles} needs, topic by topic. */
    public static Map<String, Set<AclOperation>> needs(Collection<Role> roles) {
        Map<String, Set<AclOperation>> out = new HashMap<>();
        for (Role r : roles) {
            r.topics.forEach((topic, ops) -> out.computeIfAbsent(topic, t -> new HashSet<>()).addAll(ops));
        }
        return out;
    }
}
