package io.transferpool.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.transferpool.messaging.StatusEvent;

import java.time.Instant;
import java.util.Map;

/** A job as GET /jobs and GET /jobs/{id} show it: state, latest progress, test accuracy, links. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(String jobId, JobState state, Integer run, Instant submittedAt, Instant updatedAt,
                      StatusEvent progress, Double testAccuracy, Map<String, String> links) {

    static JobView of(JobEntry e) {
        String self = "/jobs/" + e.jobId();
        Map<String, String> links = e.result() == null
                ? Map.of("self", self, "events", self + "/events")
                : Map.of("self", self, "events", self + "/events", "result", self + "/result",
                "report", self + "/report");
        return new JobView(e.jobId(), e.state(), e.run(), Instant.ofEpochMilli(e.submittedAtMillis()),
                Instant.ofEpochMilli(e.updatedAtMillis()), e.latest(), e.testAccuracy(), links);
    }
}
