package io.transferpool.messaging;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaClientsTest {
    private final KafkaClients clients = new KafkaClients("b:9092", "zstd", Map.of(
            "security.protocol", "SASL_SSL", "acks", "0", "enable.auto.commit", "true", "linger.ms", "20"));

    @Test
    void extraSettingsReachTheClientsButTheDeliveryGuaranteesStay() {
        var producer = clients.producerConfig("p");
        assertThat(producer).containsEntry("security.protocol", "SASL_SSL").containsEntry("bootstrap.servers", "b:9092")
                .containsEntry("acks", "all").containsEntry("enable.idempotence", "true")
                .containsEntry("compression.type", "zstd").containsEntry("linger.ms", "20");
        var consumer = clients.consumerConfig("g", "c", 7);
        assertThat(consumer).containsEntry("security.protocol", "SASL_SSL").containsEntry("enable.auto.commit", "false")
                .containsEntry("group.id", "g").containsEntry("max.poll.records", "7");
    }

    @Test
    void consumersNoticeADeadWorkerWithinTenSecondsUnlessARoleSaysOtherwise() {
        assertThat(clients.consumerConfig("g", "c", 1)).containsEntry("session.timeout.ms", "10000")
                .containsEntry("heartbeat.interval.ms", "3000");
        var slow = clients.consumerConfig("g", "c", 1, Map.of("session.timeout.ms", "30000",
                "max.poll.interval.ms", "900000", "enable.auto.commit", "true"));
        assertThat(slow).containsEntry("session.timeout.ms", "30000").containsEntry("max.poll.interval.ms", "900000")
                .as("the delivery settings still win").containsEntry("enable.auto.commit", "false");
    }

    @Test
    void readersAskTheBrokerNotToHoldTheirFetchesLong() {
        // a result written just after a status event otherwise reaches a waiting client half a second late
        assertThat(clients.readerConfig("r")).containsEntry("fetch.max.wait.ms", "50")
                .containsEntry("enable.auto.commit", "false").doesNotContainKey("group.id");
    }
}
