package io.transferpool.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.transferpool.Await;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.KafkaClients;
import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;
import io.transferpool.messaging.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jobs page as a browser runs it: headless Chromium (Debian's chromium, installed by the test script) opens
 * {@code /}, and the page's script, fed by {@code /events}, adds a job published afterwards and updates it to its
 * result. The page is read through Chromium's DevTools protocol while its event stream stays open.
 */
@QuarkusTest
@QuarkusTestResource(value = JobServiceBroker.class, restrictToAnnotatedClass = true)
class JobsPageTest {
    @TestHTTPResource("/")
    URL page;

    @TempDir
    Path dir;

    @Test
    void theJobsPageShowsJobsAndFollowsThemLive() throws Exception {
        Path chromium = io.transferpool.Chromium.path();
        // The board reads the topics as the application starts: wait until it shows the job from before.
        HttpClient http = HttpClient.newHttpClient();
        URI earlier = URI.create(page + "jobs/" + JobServiceBroker.EARLIER_JOB);
        Await.until("the board to show " + earlier, Duration.ofSeconds(30), () -> http.send(
                HttpRequest.newBuilder(earlier).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        Process browser = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--user-data-dir=" + dir.resolve("profile"), "--remote-debugging-port=0",
                "--remote-allow-origins=*", page.toString()).redirectErrorStream(true).start();
        // Not closed here: a daemon drains it until Chromium and its helpers are gone (closing would wait on it).
        BufferedReader out = new BufferedReader(new InputStreamReader(browser.getInputStream(), StandardCharsets.UTF_8));
        try {
            String port = null;
            Pattern listening = Pattern.compile("DevTools listening on ws://[^:]+:(\\d+)/");
            for (String line; port == null && (line = out.readLine()) != null; ) {
                Matcher m = listening.matcher(line);
                if (m.find()) {
                    port = m.group(1);
                }
            }
            assertThat(port).as("Chromium's DevTools port").isNotNull();
            Thread drain = new Thread(() -> out.lines().forEach(l -> { }));
            drain.setDaemon(true);
            drain.start();
            try (DevTools tab = DevTools.open(port)) {
                tab.await("document.body && document.body.dataset.live === 'connected'", "true");
                assertThat(tab.eval("document.querySelector('#job-" + JobServiceBroker.EARLIER_JOB
                        + " .acc').textContent")).as("a finished job, server-rendered").isEqualTo("0.8125");

                KafkaClients clients = new KafkaClients(JobServiceBroker.servers, "none", Map.of());
                try (var producer = clients.producer("page-test")) {
                    producer.send(new ProducerRecord<>(Topics.STATUS, "page-live", Json.bytes(StatusEvent.epoch(
                            "page-live", "epoch 7", 7, 9, 0.875)))).get();
                    tab.await("(document.querySelector('#job-page-live .progress') || {}).textContent",
                            "training: epoch 7 · epoch 7/9 · val acc 0.8750");
                    assertThat(tab.eval("document.querySelector('#job-page-live .status').textContent"))
                            .isEqualTo("TRAINING");

                    JobResult result = new JobResult("page-live", JobResult.Status.SUCCEEDED, List.of(),
                            new JobResult.Metrics(List.of(), 1, "done", new JobResult.TestMetrics(0.75, 0.5, null,
                                    List.of("a", "b"), null, null), null, Map.of()), null, "page-test-1", 1);
                    producer.send(new ProducerRecord<>(Topics.RESULTS, "page-live", Json.bytes(result))).get();
                    tab.await("document.querySelector('#job-page-live .status').textContent", "SUCCEEDED");
                    assertThat(tab.eval("document.querySelector('#job-page-live .acc').textContent"))
                            .isEqualTo("0.7500");
                    assertThat(tab.eval("document.querySelector('#job-page-live a').getAttribute('href')"))
                            .isEqualTo("/jobs/page-live/report");

                    // The first page keeps its size (tp.api.page-size is 3 in tests): new jobs push the oldest out.
                    for (String id : List.of("page-a", "page-b")) {
                        producer.send(new ProducerRecord<>(Topics.STATUS, id, Json.bytes(StatusEvent.of(id,
                                Stage.QUEUED, "")))).get();
                    }
                    tab.await("String(!!document.getElementById('job-page-b'))", "true");
                    assertThat(tab.eval("document.querySelectorAll('#jobs tr[id]').length")).isEqualTo("3");
                    assertThat(tab.eval("String(!!document.getElementById('job-" + JobServiceBroker.EARLIER_JOB
                            + "'))")).as("the oldest row left the first page").isEqualTo("false");
                }
            }
        } finally {
            browser.descendants().forEach(ProcessHandle::destroyForcibly);
            browser.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The page's tab, driven through Chromium's DevTools protocol: evaluate an expression, wait for a value. */
    private static final class DevTools implements WebSocket.Listener, AutoCloseable {
        private final AtomicInteger ids = new AtomicInteger();
        private final StringBuilder partial = new StringBuilder();
        private volatile CompletableFuture<JsonNode> reply;
        private WebSocket socket;

        static DevTools open(String port) throws Exception {
            HttpClient http = HttpClient.newHttpClient();
            String url = Await.value("the page's DevTools socket", Duration.ofSeconds(30), () -> {
                JsonNode tabs = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                String found = null;
                for (JsonNode t : tabs) {
                    if (t.path("type").asText().equals("page")) {
                        found = t.path("webSocketDebuggerUrl").asText();
                    }
                }
                return found;
            });
            DevTools d = new DevTools();
            d.socket = http.newWebSocketBuilder().buildAsync(URI.create(url), d).get(30, TimeUnit.SECONDS);
            return d;
        }

        /** The expression's value as a string ("" for null or undefined). */
        synchronized String eval(String expression) throws Exception {
            int id = ids.incrementAndGet();
            reply = new CompletableFuture<>();
            socket.sendText(Json.MAPPER.writeValueAsString(Map.of("id", id, "method", "Runtime.evaluate",
                    "params", Map.of("expression", "String((" + expression + ") ?? '')", "returnByValue", true))),
                    true).get(10, TimeUnit.SECONDS);
            JsonNode r = reply.get(10, TimeUnit.SECONDS);
            return r.at("/result/result/value").asText();
        }

        void await(String expression, String expected) throws Exception {
            String[] last = {null};
            Await.until(() -> expression + " to be \"" + expected + "\", was \"" + last[0] + "\"",
                    Duration.ofSeconds(30), () -> expected.equals(last[0] = eval(expression)));
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode msg = Json.MAPPER.readTree(partial.toString());
                    if (msg.has("id") && reply != null) {
                        reply.complete(msg);
                    }
                } catch (Exception e) {
                    reply.completeExceptionally(e);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public void close() {
            socket.abort();
        }
    }
}
