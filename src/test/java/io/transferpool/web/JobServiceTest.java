package io.transferpool.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.transferpool.Await;
import io.transferpool.TestConfig;
import io.transferpool.TestFiles;
import io.transferpool.TestTopics;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.KafkaClients;
import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.messaging.Topics;
import io.transferpool.pool.Cluster;
import io.transferpool.pool.Pool;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job service over HTTP against the real embedded broker, with a pool of every role on it: submit, list, show,
 * watch live to the result, the errors of a bad job, an id in use, the board rebuilt from the topics, the token.
 */
@QuarkusTest
@QuarkusTestResource(value = JobServiceBroker.class, restrictToAnnotatedClass = true)
class JobServiceTest {
    static final String TOKEN = "test-token"; // %test.tp.api.token
    static Pool pool;

    @TestHTTPResource("/")
    URL base;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void startPool() throws Exception {
        Path work = Files.createTempDirectory("tp-job-service-pool");
        pool = Pool.start(TestConfig.pool(JobServiceBroker.root, work, "tp.shard-size", "16"),
                Cluster.at(JobServiceBroker.servers));
    }

    @AfterAll
    static void stopPool() throws Exception {
        pool.close();
    }

    HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path.substring(1)))
                .timeout(Duration.ofSeconds(60)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The readiness check of the job board (the pool's own check is down here: this test starts no serve). */
    boolean boardReady() throws Exception {
        for (JsonNode check : json(send("GET", "/q/health/ready", null, null)).get("checks")) {
            if (check.get("name").asText().equals("transferpool-job-board")) {
                return check.get("status").asText().equals("UP");
            }
        }
        throw new AssertionError("no readiness check of the job board");
    }

    JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void aJobSubmittedOverHttpIsListedWatchedLiveAndAnswered() throws Exception {
        String job = TestFiles.job("http-job", "models/base.onnx", "train", "test", 4);
        HttpResponse<String> posted = send("POST", "/jobs", job, TOKEN);
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        assertThat(posted.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/jobs/http-job"));

        // The live stream: status events as they happen, ending with the result.
        List<String[]> events = new ArrayList<>();
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(URI.create(base + "jobs/http-job/events"))
                .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            String name = null;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    events.add(new String[]{name, line.substring(5)});
                }
            }
        }
        assertThat(events).as("the stream ended after the result").isNotEmpty();
        assertThat(events.get(events.size() - 1)[0]).isEqualTo("result");
        JsonNode result = Json.MAPPER.readTree(events.get(events.size() - 1)[1]);
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(events.stream().filter(e -> e[0].equals("status")).map(e -> e[1]))
                .anySatisfy(s -> assertThat(s).contains("\"stage\":\"training\""));

        JsonNode shown = json(send("GET", "/jobs/http-job", null, null));
        assertThat(shown.get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(shown.get("testAccuracy").asDouble())
                .isEqualTo(result.get("metrics").get("test").get("accuracy").asDouble());
        assertThat(shown.get("links").get("report").asText()).isEqualTo("/jobs/http-job/report");
        assertThat(send("GET", "/jobs/http-job/report", null, null).body()).contains("Job http-job", "SUCCEEDED");

        JsonNode list = json(send("GET", "/jobs?limit=1", null, null));
        assertThat(list.get("jobs")).hasSize(1);
        assertThat(list.get("jobs").get(0).get("jobId").asText()).as("newest first").isEqualTo("http-job");
        assertThat(list.get("total").asInt()).isGreaterThanOrEqualTo(2);
        JsonNode next = json(send("GET", "/jobs?offset=1&limit=50", null, null));
        assertThat(next.get("jobs").findValuesAsText("jobId")).doesNotContain("http-job")
                .contains(JobServiceBroker.EARLIER_JOB);

        // The id is in use now; a rerun is accepted.
        HttpResponse<String> again = send("POST", "/jobs", job, TOKEN);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(json(again).get("errors").get(0).get("field").asText()).isEqualTo("jobId");
        assertThat(json(again).get("errors").get(0).get("problem").asText()).contains("in use");
    }

    @Test
    void anExtractJobsFeaturesAreLinkedAndInItsResult() throws Exception {
        String job = TestFiles.job("http-extract", "models/base.onnx", "train", "test", 1)
                .replace("\"strategy\": \"feature-extraction\"", "\"strategy\": \"extract\"");
        assertThat(send("POST", "/jobs", job, TOKEN).statusCode()).isEqualTo(202);
        JsonNode result;
        try (io.transferpool.messaging.JobClient client = new io.transferpool.messaging.JobClient(pool.clients())) {
            result = Json.MAPPER.readTree(Json.bytes(client.await("http-extract", Duration.ofMinutes(2), e -> { })));
        }
        assertThat(result.get("status").asText()).isEqualTo("SUCCEEDED");
        JsonNode viaHttp = json(send("GET", "/jobs/http-extract/result", null, null));
        String folder = viaHttp.get("artifacts").get("features").get("uri").asText();
        assertThat(folder).isEqualTo(result.get("artifacts").get("features").get("uri").asText());
        assertThat(Path.of(URI.create(folder)).resolve("train.npy")).exists();
        assertThat(Path.of(URI.create(folder)).resolve("test.jsonl")).exists();
        assertThat(json(send("GET", "/jobs/http-extract", null, null)).get("links").get("features").asText())
                .isEqualTo(folder);
        assertThat(send("GET", "/jobs/http-extract/report", null, null).body()).contains(folder);
    }

    @Test
    void deleteCancelsARunningJobWhoseResultSaysCancelledWithItsEpochs() throws Exception {
        assertThat(send("DELETE", "/jobs/nobody", null, TOKEN).statusCode()).isEqualTo(404);
        String job = TestFiles.job("http-long", "models/base.onnx", "train", "test", 5000)
                .replace("\"patience\": 5", "\"patience\": 10000");
        assertThat(send("POST", "/jobs", job, TOKEN).statusCode()).isEqualTo(202);
        JsonNode shown = Await.value("job http-long at epoch 2", Duration.ofSeconds(60), () -> {
            JsonNode s = json(send("GET", "/jobs/http-long", null, null));
            return s.has("progress") && s.get("progress").path("epoch").asInt() >= 2 ? s : null;
        });
        assertThat(shown.get("state").asText()).isEqualTo("TRAINING");
        assertThat(send("DELETE", "/jobs/http-long", null, null).statusCode()).as("token needed").isEqualTo(401);
        HttpResponse<String> deleted = send("DELETE", "/jobs/http-long?reason=enough", null, TOKEN);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(202);
        Await.until("job http-long CANCELLED", Duration.ofSeconds(60),
                () -> json(send("GET", "/jobs/http-long", null, null)).get("state").asText().equals("CANCELLED"));
        JsonNode result = json(send("GET", "/jobs/http-long/result", null, null));
        assertThat(result.get("errors").get(0).get("problem").asText()).isEqualTo("cancelled: enough");
        assertThat(result.get("metrics").get("epochs").size()).isBetween(2, 4999);
        assertThat(send("DELETE", "/jobs/http-long", null, TOKEN).statusCode()).as("finished").isEqualTo(409);
        assertThat(send("GET", "/jobs/http-long/report", null, null).body()).contains("CANCELLED", "cancelled: enough");
    }

    @Test
    void aQuietEventStreamGetsKeepAliveComments() throws Exception {
        try (var producer = new KafkaClients(JobServiceBroker.servers, "none", Map.of()).producer("quiet")) {
            producer.send(new ProducerRecord<>(Topics.STATUS, "quiet-job", Json.bytes(StatusEvent.of("quiet-job",
                    Stage.QUEUED, "waiting")))).get();
        }
        Await.until("quiet-job on the board", Duration.ofSeconds(30),
                () -> send("GET", "/jobs/quiet-job", null, null).statusCode() != 404);
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(URI.create(base + "jobs/quiet-job/events"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        List<String> lines = new CopyOnWriteArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        // Read on another thread: without keep-alive comments the stream stays silent and readLine would block.
        var reading = CompletableFuture.runAsync(() -> {
            try {
                for (String line; lines.stream().noneMatch(l -> l.startsWith(":")) && (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            reading.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            // asserted below
        } finally {
            stream.body().close();
        }
        assertThat(lines).as("the current status first").anySatisfy(l -> assertThat(l).contains("\"waiting\""));
        assertThat(lines).as("then a comment (tp.api.keep-alive is 0.5 s in tests)")
                .anySatisfy(l -> assertThat(l).startsWith(":"));
    }

    @Test
    void aBadJobGets400WithTheFieldErrorsOfARejectedResult() throws Exception {
        String job = TestFiles.job("bad-http-job", "models/missing.onnx", "train", "nowhere", 3);
        HttpResponse<String> r = send("POST", "/jobs", job, TOKEN);
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode body = json(r);
        assertThat(body.get("status").asText()).isEqualTo("REJECTED");
        assertThat(body.get("errors").findValuesAsText("field")).contains("baseModel.uri", "data.test.uri");
        assertThat(send("GET", "/jobs/bad-http-job", null, null).statusCode()).as("nothing was published")
                .isEqualTo(404);

        HttpResponse<String> garbage = send("POST", "/jobs", "{not json", TOKEN);
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("\"field\":\"$\"");
    }

    @Test
    void jobsOnTheTopicsBeforeThisCoordinatorStartedAreShown() throws Exception {
        // The channel reads the topics from their beginnings as the application starts: the job service says it is
        // ready once it has read them to where they ended, and from then on shows the job.
        Await.until("the job board to be ready", Duration.ofSeconds(30), this::boardReady);
        HttpResponse<String> r = send("GET", "/jobs/" + JobServiceBroker.EARLIER_JOB, null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(json(r).get("testAccuracy").asDouble()).isEqualTo(JobServiceBroker.EARLIER_ACCURACY);
        // Its id is in use here too, as on the coordinator that accepted it.
        HttpResponse<String> reuse = send("POST", "/jobs", TestFiles.job(JobServiceBroker.EARLIER_JOB,
                "models/base.onnx", "train", "test", 2), TOKEN);
        assertThat(reuse.statusCode()).isEqualTo(409);
    }

    @Test
    void anUnreadableRecordIsDeadLetteredAndTheBoardCarriesOn() throws Exception {
        var clients = new KafkaClients(JobServiceBroker.servers, "none", Map.of());
        try (var producer = clients.producer("poisoner")) {
            producer.send(new ProducerRecord<>(Topics.RESULTS,
                    "poison-result", "not a result".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(Topics.STATUS,
                    "after-poison", Json.bytes(StatusEvent.of("after-poison", Stage.QUEUED, "")))).get();
            ConsumerRecord<String, byte[]> letter = Await.value("the poison result on " + Topics.DLQ,
                    Duration.ofSeconds(30), () -> TestTopics.read(clients, Topics.DLQ).stream()
                            .filter(r -> "poison-result".equals(r.key())).findFirst().orElse(null));
            assertThat(new String(letter.headers().lastHeader(Topics.SOURCE_TOPIC_HEADER)
                    .value(), StandardCharsets.UTF_8)).isEqualTo(Topics.RESULTS);
            assertThat(letter.headers().lastHeader(Topics.ERROR_HEADER)).isNotNull();
            HttpResponse<String> after = Await.value("after-poison on the board", Duration.ofSeconds(30), () -> {
                HttpResponse<String> r = send("GET", "/jobs/after-poison", null, null);
                return r.statusCode() == 404 ? null : r;
            });
            assertThat(json(after).get("state").asText()).isEqualTo("QUEUED");
        }
    }

    @Test
    void submittingNeedsTheTokenWhenOneIsSetAndReadingDoesNot() throws Exception {
        String job = TestFiles.job("no-token-job", "models/base.onnx", "train", "test", 2);
        HttpResponse<String> none = send("POST", "/jobs", job, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(send("POST", "/jobs", job, "wrong").statusCode()).isEqualTo(401);
        assertThat(send("GET", "/jobs/no-token-job", null, null).statusCode()).as("not published").isEqualTo(404);
        assertThat(send("GET", "/jobs", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void anOwnersTokenSubmitsForThatOwnerAndOnlyForIt() throws Exception {
        String job = TestFiles.job("alice-job", "models/base.onnx", "train", "test", 2);
        HttpResponse<String> other = send("POST", "/jobs", job.replaceFirst("\\{", "{\"owner\": \"bob\", "),
                "alice-token");
        assertThat(other.statusCode()).isEqualTo(400);
        assertThat(json(other).get("errors").findValuesAsText("field")).containsExactly("owner");
        assertThat(json(other).get("errors").get(0).get("problem").asText()).contains("submits for owner \"alice\"");

        assertThat(send("POST", "/jobs", job, "alice-token").statusCode()).isEqualTo(202);
        var clients = new KafkaClients(JobServiceBroker.servers, "none", Map.of());
        ConsumerRecord<String, byte[]> published = Await.value("alice-job on " + Topics.JOBS, Duration.ofSeconds(30),
                () -> TestTopics.read(clients, Topics.JOBS).stream().filter(r -> "alice-job".equals(r.key()))
                        .findFirst().orElse(null));
        assertThat(Json.read(published.value(), JsonNode.class).get("owner").asText()).isEqualTo("alice");
    }

    @Test
    void theOpenApiDocumentDescribesTheApi() throws Exception {
        HttpResponse<String> r = send("GET", "/q/openapi?format=json", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode paths = json(r).get("paths");
        assertThat(paths.get("/jobs").has("post")).isTrue();
        assertThat(paths.get("/jobs").has("get")).isTrue();
        assertThat(paths.has("/jobs/{jobId}/events")).isTrue();
        assertThat(paths.get("/jobs").get("post").get("responses").has("409")).isTrue();
    }
}
