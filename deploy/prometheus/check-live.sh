#!/usr/bin/env bash
# By hand: a pool (`serve`, embedded broker, HTTP 8080), a Prometheus scraping it with deploy/prometheus's alert
# rules, the demo job through `submit --wait`, then the key series checked through Prometheus' HTTP API.
# Needs Debian's prometheus. The same check runs in the tests (PrometheusScrapeIT).
set -euo pipefail
cd "$(dirname "$0")/../.."
jar=target/quarkus-app/quarkus-run.jar
[ -f "$jar" ] || mvn -B -q package -DskipTests
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
java -Dtp.data-root=demo/tshirt-vs-shirt -Dtp.work-dir="$work/pool" -jar "$jar" serve >"$work/pool.log" 2>&1 &
for _ in $(seq 60); do grep -q "serving roles" "$work/pool.log" && break; sleep 1; done
servers=$(sed -n 's/.*serving roles .* on \(.*\)$/\1/p' "$work/pool.log" | head -1)
echo "pool on $servers (log $work/pool.log)"
sed "s|scrape_interval: 5s|scrape_interval: 1s|; s|alerts.yml|$PWD/deploy/prometheus/alerts.yml|" \
  deploy/prometheus/prometheus.yml >"$work/prometheus.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address=127.0.0.1:9099 >"$work/prometheus.log" 2>&1 &
java -Dkafka.bootstrap.servers="$servers" -Dquarkus.http.port=0 -jar "$jar" submit demo/tshirt-vs-shirt/job.json --wait
sleep 3
status=0
for q in 'tp_extract_images_extracted_total' 'tp_train_samples_total' 'tp_jobs_finished_total' \
         'tp_extract_inference_batch_seconds_count' 'kafka_consumer_fetch_manager_records_lag' 'jvm_memory_used_bytes'; do
  v=$(curl -s "http://127.0.0.1:9099/api/v1/query" --data-urlencode "query=sum(max_over_time($q[10m]))" |
      python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "missing")')
  echo "$q: $v"
  [ "$v" != "missing" ] || status=1
done
curl -s http://127.0.0.1:8080/q/metrics | promtool check metrics || echo "(promtool findings above; see README, Monitoring)"
exit $status
