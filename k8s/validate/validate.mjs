// Validates every object of a multi-document YAML stream (stdin, e.g. `kubectl kustomize k8s/overlays/gpu`)
// against its kind's schema: Kubernetes' built-in kinds (kubernetes-models) and the CRDs TransferPool uses
// (Strimzi kafka.strimzi.io/v1, KEDA keda.sh/v1alpha1, Prometheus Operator monitoring.coreos.com/v1).
// Unknown kinds and unknown fields are errors. Exit code 0 when every object is valid, 1 otherwise.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const MODELS = {
  "v1/Namespace": ["kubernetes-models/v1/Namespace", "Namespace"],
  "v1/ConfigMap": ["kubernetes-models/v1/ConfigMap", "ConfigMap"],
  "v1/Secret": ["kubernetes-models/v1/Secret", "Secret"],
  "v1/Service": ["kubernetes-models/v1/Service", "Service"],
  "v1/PersistentVolumeClaim": ["kubernetes-models/v1/PersistentVolumeClaim", "PersistentVolumeClaim"],
  "apps/v1/Deployment": ["kubernetes-models/apps/v1/Deployment", "Deployment"],
  "policy/v1/PodDisruptionBudget": ["kubernetes-models/policy/v1/PodDisruptionBudget", "PodDisruptionBudget"],
  "kafka.strimzi.io/v1/Kafka": ["@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1/Kafka", "Kafka"],
  "kafka.strimzi.io/v1/KafkaNodePool": ["@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1/KafkaNodePool", "KafkaNodePool"],
  "kafka.strimzi.io/v1/KafkaTopic": ["@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1/KafkaTopic", "KafkaTopic"],
  "kafka.strimzi.io/v1/KafkaUser": ["@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1/KafkaUser", "KafkaUser"],
  "keda.sh/v1alpha1/ScaledObject": ["@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject", "ScaledObject"],
  "keda.sh/v1alpha1/TriggerAuthentication": ["@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication", "TriggerAuthentication"],
  "monitoring.coreos.com/v1/PodMonitor": ["@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor", "PodMonitor"],
  "monitoring.coreos.com/v1/PrometheusRule": ["@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule", "PrometheusRule"],
};

const docs = parseAllDocuments(readFileSync(0, "utf8"));
let errors = 0;
let checked = 0;
for (const doc of docs) {
  if (doc.errors.length) {
    console.error(`YAML error: ${doc.errors[0].message}`);
    errors++;
    continue;
  }
  const obj = doc.toJS();
  if (!obj) continue;
  const key = `${obj.apiVersion}/${obj.kind}`;
  const name = `${key} ${obj.metadata?.name ?? "(no name)"}`;
  const entry = MODELS[key];
  if (!entry) {
    console.error(`${name}: no schema known for this kind`);
    errors++;
    continue;
  }
  const mod = await import(entry[0]);
  const Model = mod[entry[1]] ?? mod.default;
  try {
    new Model(obj).validate();
    checked++;
  } catch (e) {
    console.error(`${name}: ${e.message}`);
    errors++;
  }
}
console.log(`${checked} objects valid, ${errors} errors`);
process.exit(errors === 0 && checked > 0 ? 0 : 1);
