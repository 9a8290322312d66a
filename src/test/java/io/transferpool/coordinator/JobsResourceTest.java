package io.transferpool.coordinator;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobResult;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The coordinator's HTTP API over the results it has seen (the board is filled from tp.results in a pool). */
@QuarkusTest
class JobsResourceTest {
    @TestHTTPResource("/jobs")
    URL jobs;

    @Inject
    ResultBoard board;

    @Test
    void servesTheReportAndTheResultOfAKnownJobAnd404Otherwise() throws Exception {
        board.put(JobResult.rejected("web-job", List.of(new FieldError("data.train", "no samples found"))));
        HttpClient http = HttpClient.newHttpClient();

        HttpResponse<String> report = http.send(HttpRequest.newBuilder(URI.create(jobs + "/web-job/report")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).contains("html"));
        assertThat(report.body()).contains("Job web-job", "REJECTED", "no samples found");

        HttpResponse<String> result = http.send(HttpRequest.newBuilder(URI.create(jobs + "/web-job/result")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(result.statusCode()).isEqualTo(200);
        assertThat(result.body()).contains("\"status\":\"REJECTED\"", "\"field\":\"data.train\"");

        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(jobs + "/nope/report")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
    }
}
