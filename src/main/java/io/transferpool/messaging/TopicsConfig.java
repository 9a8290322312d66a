package io.transferpool.messaging;

import io.smallrye.config.WithDefault;

/** How the pool's topics are laid out ({@code tp.topics.*}); see {@link TopicSetup}. */
public interface TopicsConfig {
    /** Partitions of tp.extract: the most extractors that can work at once. */
    @WithDefault("4")
    int extractPartitions();

    /** Partitions of tp.features: the most trainers that can work at once. */
    @WithDefault("4")
    int featuresPartitions();

    /** Replication factor of topics the pool creates (1 for the embedded broker). */
    @WithDefault("1")
    short replication();

    /**
     * Whether the pool creates missing topics (needs the Create permission). Off where an operator owns the topics
     * (Strimzi's KafkaTopics in k8s/): the pool then only checks that its roles may use them.
     */
    @WithDefault("true")
    boolean create();
}
