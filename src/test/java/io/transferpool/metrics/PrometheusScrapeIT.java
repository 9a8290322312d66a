package io.transferpool.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.transferpool.Await;
import io.transferpool.TestConfig;
import io.transferpool.TestFiles;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.JobClient;
import io.transferpool.pool.Cluster;
import io.transferpool.pool.Pool;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Prometheus (Debian's prometheus package, installed by the test script) scrapes /q/metrics of this
 * application while a pool on its registry runs a job; Prometheus' HTTP API must then show the key series, and
 * the counters must have moved. promtool checks the exposition format and the alert rules in deploy/prometheus.
 */
@QuarkusTest
class PrometheusScrapeIT {
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/q/metrics")
    URL metricsUrl;

    @Inject
    MeterRegistry registry;

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void prometheusSeesTheKeySeriesMoveDuringAJob() throws Exception {
        assertThat(PROMETHEUS).as("install Debian's prometheus (scripts/install-test-packages.sh does)").exists();
        Path root = dir.resolve("root");
        TestFiles.demoRoot(root, "train", 150, "test", 20);
        // One bad image and one rejected job, so the error series exist too.
        Files.writeString(root.resolve("train/shirt/zz-corrupt.png"), "not a png");
        int promPort = freePort();
        Files.writeString(dir.resolve("prometheus.yml"), """
                global: {scrape_interval: 500ms, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: transferpool
                    metrics_path: /q/metrics
                    static_configs: [{targets: ["%s:%d"]}]
                """.formatted(metricsUrl.getHost(), metricsUrl.getPort()));
        Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + promPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try (Pool pool = Pool.start(TestConfig.pool(root, dir.resolve("work"), "tp.shard-size", "64"),
                Cluster.embedded(), registry);
             JobClient client = new JobClient(pool.clients())) {
            String job = TestFiles.job("prom-job", "models/base.onnx", "train", "test", 25)
                    .replace("\"hidden\": [64]", "\"hidden\": [1024]")
                    .replace("\"patience\": 5", "\"patience\": 100");
            // Wait for Prometheus' first scrape of the pool, so the job's increases are visible (no sleep: start-up
            // of Prometheus takes longer on a loaded machine).
            String api = "http://127.0.0.1:" + promPort + "/api/v1/query?query=";
            awaitFirstScrape(api);
            client.submit("prom-bad", TestFiles.job("prom-bad", "models/missing.onnx", "train", null, 1));
            assertThat(client.await("prom-bad", Duration.ofMinutes(1), e -> { }).status())
                    .isEqualTo(JobResult.Status.REJECTED);
            client.submit("prom-job", job);
            JobResult r = client.await("prom-job", Duration.ofMinutes(5), e -> { });
            assertThat(r.status()).as("errors %s", r.errors()).isEqualTo(JobResult.Status.SUCCEEDED);
            // Until Prometheus has scraped the pool after the job finished (no fixed sleep: scrapes come every
            // second, later on a loaded machine).
            awaitSeries(api, "tp_jobs_finished_total{status=\"SUCCEEDED\"} >= 1");

            for (String moved : List.of("tp_extract_images_extracted_total", "tp_extract_images_decoded_total",
                    "tp_extract_feature_bytes_total", "tp_extract_inference_batch_seconds_count",
                    "tp_train_epoch_seconds_count", "tp_train_samples_total")) {
                assertThat(value(api, "sum(max_over_time(" + moved + "[5m])) - sum(min_over_time(" + moved + "[5m]))"))
                        .as(moved + " moved").isGreaterThan(0);
            }
            assertThat(value(api, "sum(tp_jobs_finished_total{status=\"SUCCEEDED\"})")).isGreaterThanOrEqualTo(1);
            assertThat(value(api, "sum(tp_job_duration_seconds_count{status=\"SUCCEEDED\"})")).isGreaterThanOrEqualTo(1);
            assertThat(value(api, "tp_extract_provider{provider=\"cpu\"}")).isEqualTo(1);
            assertThat(value(api, "max(max_over_time(tp_job_epoch{job_id=\"prom-job\"}[5m]))"))
                    .as("running job's epoch seen while training").isGreaterThan(0);
            assertThat(value(api, "count(max_over_time(kafka_consumer_fetch_manager_records_lag{topic=\"tp.features\"}[5m]))"))
                    .as("consumer lag per partition").isGreaterThan(0);
            assertThat(value(api, "count(tp_dlq_records_total)")).isGreaterThan(0);
            assertThat(value(api, "sum(jvm_memory_used_bytes)")).isGreaterThan(0);
            assertThat(value(api, "count(process_cpu_usage)")).isGreaterThan(0);
            assertThat(value(api, "sum(tp_extract_inference_batch_seconds_bucket)")).as("histogram").isGreaterThan(0);
            promtoolAcceptsTheExposition();
            dashboardQueriesOnlySeriesPrometheusHas(promPort);
        } finally {
            prometheus.destroy();
            prometheus.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * {@code promtool check metrics} on the endpoint while the pool's meters exist. One finding is tolerated: Debian's
     * promtool (2.42) reads a counter's {@code x_total} sample as a family of its own, so it reports "no help text"
     * for every counter although the exposition has {@code # HELP x} and {@code # TYPE x counter} (the form the
     * Prometheus server itself reads). Everything else must be clean.
     */
    private void promtoolAcceptsTheExposition() throws Exception {
        assertThat(PROMTOOL).as("install Debian's prometheus (scripts/install-test-packages.sh does)").exists();
        String exposition = http.send(HttpRequest.newBuilder(metricsUrl.toURI()).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(exposition).contains("tp_extract_images_extracted_total", "tp_train_epoch_seconds_bucket");
        Path file = dir.resolve("metrics.txt");
        Files.writeString(file, exposition);
        Path log = dir.resolve("promtool-metrics.log");
        int rc = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start().waitFor();
        List<String> findings = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
        assertThat(rc).as("promtool exit (1 = unparseable): %s", findings).isIn(0, 3);
        List<String> real = findings.stream().filter(f -> !counterHelpQuirk(f, exposition)).toList();
        assertThat(real).as("promtool findings").isEmpty();
    }

    /**
     * deploy/grafana: the dashboard picks its Prometheus through a datasource variable and every series its panels
     * query is one this Prometheus scraped from the pool during the job (so no panel stays empty by a typo).
     */
    private void dashboardQueriesOnlySeriesPrometheusHas(int promPort) throws Exception {
        JsonNode dash = JSON.readTree(Path.of("deploy/grafana/transferpool-overview.json").toFile());
        assertThat(dash.at("/templating/list/0/type").asText()).isEqualTo("datasource");
        JsonNode names = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + promPort
                + "/api/v1/label/__name__/values")).build(), HttpResponse.BodyHandlers.ofString()).body()).path("data");
        java.util.Set<String> scraped = new java.util.HashSet<>();
        names.forEach(n -> scraped.add(n.asText()));
        var metric = java.util.regex.Pattern.compile("\\b((?:tp|kafka|jvm|process)_[a-z0-9_]+)");
        int queried = 0;
        for (JsonNode panel : dash.path("panels")) {
            assertThat(panel.at("/datasource/uid").asText()).isEqualTo("${datasource}");
            for (JsonNode target : panel.path("targets")) {
                var m = metric.matcher(target.path("expr").asText());
                while (m.find()) {
                    assertThat(scraped).as("panel \"" + panel.path("title").asText() + "\"").contains(m.group(1));
                    queried++;
                }
            }
        }
        assertThat(queried).isGreaterThan(15);
    }

    private static boolean counterHelpQuirk(String finding, String exposition) {
        var m = java.util.regex.Pattern.compile("^(\\w+)_total no help text$").matcher(finding);
        return m.matches() && exposition.contains("# TYPE " + m.group(1) + " counter\n")
                && java.util.regex.Pattern.compile("# HELP " + m.group(1) + " \\S").matcher(exposition).find();
    }

    @Test
    void promtoolAcceptsTheAlertRulesAndTheLocalConfiguration() throws Exception {
        assertThat(PROMTOOL).as("install Debian's prometheus (scripts/install-test-packages.sh does)").exists();
        assertThat(promtool(null, "check", "rules", "deploy/prometheus/alerts.yml")).isZero();
        assertThat(promtool(null, "check", "config", "deploy/prometheus/prometheus.yml")).isZero();
    }

    private int promtool(Path stdin, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(java.util.stream.Stream.concat(java.util.stream.Stream.of(
                PROMTOOL.toString()), java.util.Arrays.stream(args)).toList()).redirectErrorStream(true);
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        Path log = Files.createTempFile(dir, "promtool", ".log");
        Process p = pb.redirectOutput(log.toFile()).start();
        p.waitFor(60, TimeUnit.SECONDS);
        System.out.println("promtool " + String.join(" ", args) + ":\n" + Files.readString(log));
        return p.exitValue();
    }

    private void awaitFirstScrape(String api) throws Exception {
        awaitSeries(api, "count(tp_extract_provider)");
    }

    /** Waits until {@code query} returns a series (Prometheus scraped what it selects). */
    private void awaitSeries(String api, String query) throws Exception {
        Await.until("a series for " + query + " in Prometheus (see prometheus.log)", Duration.ofSeconds(60), () -> {
            try {
                String body = http.send(HttpRequest.newBuilder(URI.create(api + URLEncoder.encode(query,
                        StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString()).body();
                return !JSON.readTree(body).path("data").path("result").isEmpty();
            } catch (java.io.IOException e) {
                return false; // Prometheus not listening yet
            }
        });
    }

    private double value(String api, String query) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create(api + URLEncoder.encode(query,
                StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString()).body();
        JsonNode result = JSON.readTree(body).path("data").path("result");
        assertThat(result.isArray() && !result.isEmpty()).as("series for " + query + ": " + body).isTrue();
        return result.get(0).path("value").get(1).asDouble();
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
