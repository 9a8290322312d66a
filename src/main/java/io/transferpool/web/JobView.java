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
        Map<String, String> links = new java.util.LinkedHashMap<>();
        links.put("self", self);
        links.put("events", self + "/events");
        if (e.result() != null) {
            links.put("result", self + "/result");
            links.put("report", self + "/report");
            // a strategy "extract" job's output: the folder of <split>.npy and <split>.jsonl
            if (e.result().artifacts() != null && e.result().artifacts().features() != null) {
                links.put("features", e.result().artifacts().features().uri());
            }
        }
        return new JobView(e.jobId(), e.state(), e.run(), Instant.ofEpochMilli(e.submittedAtMillis()),
                Instant.ofEpochMilli(e.updatedAtMillis()), e.latest(), e.testAccuracy(), Map.copyOf(links));
    }
}
