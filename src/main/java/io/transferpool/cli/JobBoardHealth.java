package io.transferpool.cli;

import io.transferpool.messaging.TopicHistory;
import io.transferpool.messaging.Topics;
import io.transferpool.web.ApiConfig;
import io.transferpool.web.BoardProgress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Readiness of the job service: not ready until its board has read tp.jobids, tp.status and tp.results up to
 * where they ended when it first asked, so a restarted coordinator gets no traffic while it would list fewer jobs
 * or let an id in use through. Always ready where the job service is off.
 */
@ApplicationScoped
public class JobBoardHealth {
    private static final Logger LOG = Logger.getLogger(JobBoardHealth.class);

    @Inject
    ApiConfig api;

    @Inject
    BoardProgress progress;

    @Inject
    KafkaCluster cluster;

    // Read once, on the first probe; probes run on HTTP threads.
    private volatile Map<TopicPartition, Long> ends;

    @Readiness
    HealthCheck boardLoaded() {
        return () -> {
            boolean up = !api.enabled() || loaded();
            return HealthCheckResponse.named("transferpool-job-board").status(up).build();
        };
    }

    private boolean loaded() {
        Map<TopicPartition, Long> e = ends;
        if (e == null) {
            try {
                e = endOffsets();
            } catch (Exception ex) {
                LOG.debugf("End offsets of the job board's topics not read yet: %s", ex.getMessage());
                return false;
            }
            ends = e;
        }
        return progress.caughtUp(e);
    }

    private Map<TopicPartition, Long> endOffsets() throws Exception {
        try (var reader = cluster.clients().reader("tp-job-board-health")) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.JOB_IDS, Topics.STATUS, Topics.RESULTS)) {
                partitions.addAll(TopicHistory.partitions(reader, topic, Duration.ofSeconds(10)));
            }
            return Map.copyOf(reader.endOffsets(partitions, Duration.ofSeconds(10)));
        }
    }
}
