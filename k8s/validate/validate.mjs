// Validates every object of a multi-document YAML stream (stdin, e.g. `kubectl kustomize k8s/overlays/gpu`)
// against its kind's schema: Kubernetes' built-in kinds (kubernetes-models) and the CRDs TransferPool uses
// (Strimzi kafka.strimzi.io/v1, KEDA keda.sh/v1alpha1, Prometheus Operator monitoring.coreos.com/v1).
// Unknown kinds are errors, and so are unknown fields in built-in kinds: their JSON schemas allow any extra
// property, so a second pass walks each built-in object against the field lists of @kubernetes/client-node's
// generated models (a misspelt `readinessProbe` would otherwise pass). Exit 0 when every object is valid, else 1.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const MODELS = {
  "v1/Namespace": ["kubernetes-models/v1/Namespace", "Namespace"],
  "v1/ConfigMap": ["kubernetes-models/v1/ConfigMap", "ConfigMap"],
  "v1/Secret": ["kubernetes-models/v1/Secret", "Secret"],
  "v1/Service": ["kubernetes-models/v1/Service", "Service"],
  "v1/ServiceAccount": ["kubernetes-models/v1/ServiceAccount", "ServiceAccount"],
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

// Built-in kinds: the @kubernetes/client-node model class of the object's root.
const BUILT_IN = {
  "v1/Namespace": "V1Namespace", "v1/ConfigMap": "V1ConfigMap", "v1/Secret": "V1Secret", "v1/Service": "V1Service",
  "v1/PersistentVolumeClaim": "V1PersistentVolumeClaim", "apps/v1/Deployment": "V1Deployment",
  "policy/v1/PodDisruptionBudget": "V1PodDisruptionBudget", "v1/ServiceAccount": "V1ServiceAccount",
};
const classes = new Map();

async function modelClass(name) {
  if (!classes.has(name)) {
    let cls = null;
    if (/^[A-Z][A-Za-z0-9]+$/.test(name)) {
      try {
        cls = (await import(`@kubernetes/client-node/dist/gen/models/${name}.js`))[name] ?? null;
      } catch {
        cls = null; // a primitive-like type (IntOrString, Quantity...): no fields to check
      }
    }
    classes.set(name, cls);
  }
  return classes.get(name);
}

async function unknownFields(value, type, path, out) {
  if (value === null || typeof value !== "object") return;
  const array = type.match(/^Array<(.+)>$/);
  if (array) {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) await unknownFields(value[i], array[1], `${path}[${i}]`, out);
    }
    return;
  }
  const map = type.match(/^\{ \[key: string\]: (.+); \}$/);
  if (map) {
    for (const [k, v] of Object.entries(value)) await unknownFields(v, map[1], `${path}.${k}`, out);
    return;
  }
  const cls = await modelClass(type);
  if (!cls) return;
  const fields = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    if (!fields.has(k)) out.push(`${path}.${k}: unknown field`);
    else await unknownFields(v, fields.get(k), `${path}.${k}`, out);
  }
}

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
  } catch (e) {
    console.error(`${name}: ${e.message}`);
    errors++;
    continue;
  }
  if (BUILT_IN[key]) {
    const unknown = [];
    await unknownFields(obj, BUILT_IN[key], "", unknown);
    if (unknown.length) {
      unknown.forEach((u) => console.error(`${name}: ${u}`));
      errors++;
      continue;
    }
  }
  checked++;
}
console.log(`${checked} objects valid, ${errors} errors`);
process.exit(errors === 0 && checked > 0 ? 0 : 1);
