package io.transferpool.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * k8s/: every overlay renders with {@code kubectl kustomize} and every rendered object passes its schema (built-in
 * kinds, Strimzi, KEDA and Prometheus Operator CRDs; k8s/validate, npm packages installed by the test script).
 * Also the rules the README promises: autoscaling never beyond a topic's partitions, probes and limits on every
 * role, GPUs only in the gpu overlay, alert rules identical to deploy/prometheus/alerts.yml.
 */
class K8sManifestsTest {
    @TempDir
    Path dir;

    record Run(int exit, String out) {
    }

    static Run run(Path stdin, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    Path render(String overlay) throws Exception {
        Run r = run(null, "kubectl", "kustomize", "k8s/overlays/" + overlay);
        assertThat(r.exit()).as(r.out()).isZero();
        Path file = dir.resolve(overlay + ".yaml");
        Files.writeString(file, r.out());
        return file;
    }

    static List<JsonNode> objects(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        var parser = new YAMLFactory().createParser(file.toFile());
        var mapper = new YAMLMapper();
        for (var it = mapper.readValues(parser, JsonNode.class); it.hasNext(); ) {
            JsonNode n = it.next();
            if (n != null && !n.isNull()) {
                out.add(n);
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu", "s3"})
    void everyRenderedObjectPassesItsSchema(String overlay) throws Exception {
        Run v = run(render(overlay), "node", "k8s/validate/validate.mjs");
        assertThat(v.exit()).as(v.out()).isZero();
        assertThat(v.out()).contains("0 errors");
    }

    @Test
    void aBrokenManifestFailsValidation() throws Exception {
        String good = Files.readString(render("cpu"));
        for (String[] breakage : List.of(
                new String[]{"lagThreshold: \"2\"", "lagThreshold: 2"},
                new String[]{"type: scram-sha-512", "type: scram-sha-1024"},
                new String[]{"kind: PodMonitor", "kind: PodMonitr"},
                new String[]{"replicas: 2", "replicas: two"},
                new String[]{"readinessProbe:", "readinessProbez:"},
                new String[]{"terminationGracePeriodSeconds:", "terminationGraceSeconds:"})) {
            assertThat(good).contains(breakage[0]);
            Path bad = dir.resolve("bad.yaml");
            Files.writeString(bad, good.replaceFirst(java.util.regex.Pattern.quote(breakage[0]), breakage[1]));
            Run v = run(bad, "node", "k8s/validate/validate.mjs");
            assertThat(v.exit()).as("broken by " + breakage[1] + ": " + v.out()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "gpu", "s3"})
    void autoscalingProbesResourcesAndGpus(String overlay) throws Exception {
        List<JsonNode> objs = objects(render(overlay));
        Map<String, Integer> partitions = new HashMap<>();
        objs.stream().filter(o -> o.path("kind").asText().equals("KafkaTopic"))
                .forEach(t -> partitions.put(t.path("metadata").path("name").asText(), t.at("/spec/partitions").asInt()));
        assertThat(partitions).containsKeys("tp.jobs", "tp.extract", "tp.features", "tp.status", "tp.results", "tp.dlq");
        List<JsonNode> scaled = objs.stream().filter(o -> o.path("kind").asText().equals("ScaledObject")).toList();
        assertThat(scaled).hasSize(2);
        Map<String, String> consumes = Map.of("transferpool-extractor", "tp.extract", "transferpool-trainer",
                "tp.features");
        for (JsonNode s : scaled) {
            String topic = consumes.get(s.at("/spec/scaleTargetRef/name").asText());
            assertThat(s.at("/spec/maxReplicaCount").asInt()).as(topic).isLessThanOrEqualTo(partitions.get(topic));
        }
        assertThat(scaled).filteredOn(s -> s.at("/spec/scaleTargetRef/name").asText().equals("transferpool-trainer"))
                .singleElement().satisfies(s -> {
                    // Held offsets inflate tp.features lag: trainers scale on the jobs they hold instead.
                    assertThat(s.at("/spec/triggers/0/type").asText()).isEqualTo("prometheus");
                    assertThat(s.at("/spec/triggers/0/metadata/query").asText()).contains("tp_jobs_active");
                });
        assertThat(scaled).anySatisfy(s -> assertThat(s.at("/spec/minReplicaCount").asInt()).isZero());
        List<JsonNode> deployments = objs.stream().filter(o -> o.path("kind").asText().equals("Deployment")).toList();
        assertThat(deployments).hasSize(3);
        for (JsonNode d : deployments) {
            JsonNode c = d.at("/spec/template/spec/containers/0");
            assertThat(c.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
            assertThat(c.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
            assertThat(c.at("/resources/limits/memory").isMissingNode()).isFalse();
            assertThat(c.at("/resources/requests/cpu").isMissingNode()).isFalse();
            boolean gpu = !c.at("/resources/limits/nvidia.com~1gpu").isMissingNode();
            boolean extractor = d.at("/metadata/name").asText().equals("transferpool-extractor");
            assertThat(gpu).as(d.at("/metadata/name").asText()).isEqualTo(extractor && overlay.equals("gpu"));
            if (gpu) {
                assertThat(d.at("/spec/template/spec/tolerations/0/key").asText()).isEqualTo("nvidia.com/gpu");
            }
        }
        assertThat(objs).filteredOn(o -> o.path("kind").asText().equals("PodDisruptionBudget")).hasSize(3);
    }

    @Test
    void theS3OverlayMountsNoSharedVolumeAndGivesEveryRoleTheStorageSettings() throws Exception {
        List<JsonNode> objs = objects(render("s3"));
        assertThat(objs).noneMatch(o -> o.path("kind").asText().equals("PersistentVolumeClaim"));
        JsonNode settings = objs.stream().filter(o -> o.path("kind").asText().equals("ConfigMap")
                && o.at("/metadata/name").asText().equals("transferpool-storage")).findFirst().orElseThrow();
        assertThat(settings.at("/data/TP_STORAGE_ALLOWED").asText()).startsWith("s3://");
        assertThat(settings.at("/data/TP_ARTIFACTS_DIR").asText()).startsWith("s3://");
        assertThat(objs).anyMatch(o -> o.path("kind").asText().equals("ServiceAccount")
                && o.at("/metadata/name").asText().equals("transferpool"));
        List<JsonNode> deployments = objs.stream().filter(o -> o.path("kind").asText().equals("Deployment")).toList();
        assertThat(deployments).hasSize(3);
        for (JsonNode d : deployments) {
            String name = d.at("/metadata/name").asText();
            JsonNode pod = d.at("/spec/template/spec");
            assertThat(pod.at("/serviceAccountName").asText()).as(name).isEqualTo("transferpool");
            assertThat(pod.at("/containers").size()).as(name).isEqualTo(1);
            JsonNode c = pod.at("/containers/0");
            assertThat(c.at("/image").asText()).as(name).isNotEmpty();
            List<String> from = new ArrayList<>();
            c.at("/envFrom").forEach(e -> from.add(e.has("configMapRef") ? "cm:" + e.at("/configMapRef/name").asText()
                    : "secret:" + e.at("/secretRef/name").asText() + ":" + e.at("/secretRef/optional").asBoolean()));
            assertThat(from).as(name).containsExactly("cm:transferpool-storage",
                    "secret:transferpool-s3-credentials:true");
            List<String> mounts = new ArrayList<>();
            c.at("/volumeMounts").forEach(m -> mounts.add(m.at("/mountPath").asText()));
            assertThat(mounts).as(name).contains("/work").doesNotContain("/data", "/artifacts");
            pod.at("/volumes").forEach(v -> assertThat(v.has("persistentVolumeClaim")).as(name + " " + v).isFalse());
            // the Kafka settings of the base stay
            assertThat(c.at("/env").toString()).as(name).contains("KAFKA_SASL_JAAS_CONFIG");
        }
    }

    @Test
    void thePrometheusRuleIsTheAlertRulesFile() throws Exception {
        JsonNode rule = objects(render("cpu")).stream().filter(o -> o.path("kind").asText().equals("PrometheusRule"))
                .findFirst().orElseThrow();
        JsonNode file = new ObjectMapper(new YAMLFactory()).readTree(Path.of("deploy/prometheus/alerts.yml").toFile());
        assertThat(rule.path("spec")).isEqualTo(file);
    }
}
