#!/usr/bin/env bash
# Fine-tunes the real torchvision architectures through `run`, by hand (never in CI; about 30 minutes here).
# Exports resnet18, resnet50, mobilenet_v2, mobilenet_v3_small, efficientnet_b0, densenet121, squeezenet1_1,
# regnet_x_400mf, vit_b_16, swin_t, convnext_tiny and shufflenet_v2_x1_0 with random weights at opset 13 (dynamic
# batch) and opset 17 (torch.onnx.export's defaults), runs a fine-tune job on each (last stage + new head at the
# flatten or the classifier's input, one epoch), checks the combined model in ONNX Runtime and prints a table for
# the README. TP_FAMILIES=vit_b_16,swin_t runs only those. Needs the packaged app (mvn -B package -DskipTests) and Debian's
# python3-torch, python3-torchvision, python3-onnx and python3-pil.
#   scripts/torchvision/run-matrix.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
work=${1:-/tmp/tp-torchvision}
app=target/quarkus-app/quarkus-run.jar
[ -f "$app" ] || { echo "build first: mvn -B package -DskipTests" >&2; exit 64; }
mkdir -p "$work"
/usr/bin/python3 scripts/torchvision/make_jobs.py "$work" demo/tshirt-vs-shirt 2>&1 | grep -v -i warn
printf '| model | opset | status | trained part | test accuracy | combined model in ONNX Runtime | seconds |\n|---|---|---|---|---|---|---|\n' \
  > "$work/matrix.md"
for job in "$work"/job-*.json; do
  name=$(basename "$job" .json)
  name=${name#job-}
  start=$(date +%s)
  set +e
  (cd "$work" && java -Dquarkus.http.port=0 -jar "$repo/$app" run "job-$name.json" --out "results/$name.json" \
    > "logs-$name.out" 2> "logs-$name.err")
  set -e
  seconds=$(( $(date +%s) - start ))
  status=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['status'])" \
    "$work/results/$name.json" 2>/dev/null || echo "no result")
  acc=$(/usr/bin/python3 -c "import json,sys; print('%.2f' % json.load(open(sys.argv[1]))['metrics']['test']['accuracy'])" \
    "$work/results/$name.json" 2>/dev/null || echo "-")
  dim=$(/usr/bin/python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['metrics']['counts']; print(c['featureDimension'])" \
    "$work/results/$name.json" 2>/dev/null || echo "-")
  check="-"
  if [ "$status" = SUCCEEDED ]; then
    check=$(java -cp 'target/quarkus-app/lib/main/*' scripts/torchvision/CheckCombined.java \
      "$work/results/artifacts/$name/model.onnx" 224 2>&1 | tail -1)
  else
    check=$(/usr/bin/python3 -c "import json,sys; print('; '.join(e['problem'][:160] for e in json.load(open(sys.argv[1]))['errors']))" \
      "$work/results/$name.json" 2>/dev/null || tail -1 "$work/logs-$name.err")
  fi
  family=${name%_opset*}
  opset=${name##*_opset}
  echo "| $family | $opset | $status | from a $dim-value boundary | $acc | $check | $seconds |" | tee -a "$work/matrix.md"
done
echo "table: $work/matrix.md"
