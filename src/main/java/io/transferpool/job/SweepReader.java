package io.transferpool.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a job's {@code sweep}: {@code {"field": [value, ...], ...}}, every combination of the values a candidate.
 * Each candidate is the job with those values written in and parsed like any job, so every value is checked as the
 * field itself would be, and errors name the swept field and the value.
 */
final class SweepReader {
    /** The most candidates one job may train. */
    static final int MAX_CANDIDATES = 64;
    /** Short names for the fields swept most. */
    private static final Map<String, String> ALIASES = Map.of("learningRate", "training.optimizer.learningRate");
    /** Sections whose fields leave the features alone. */
    private static final Set<String> SECTIONS = Set.of("head", "training", "fineTune");

    private SweepReader() {
    }

    /** @param parse parses a job without a sweep */
    static List<JobSpec.Candidate> read(JsonNode root, List<FieldError> errors,
                                        Function<JsonNode, JobParser.Parsed> parse) {
        JsonNode sweep = root.get("sweep");
        if (sweep == null || !sweep.isObject() || sweep.isEmpty()) {
            errors.add(new FieldError("sweep", "an object of fields and the values to try, e.g. "
                    + "{\"learningRate\": [0.001, 0.01], \"head.hidden\": [[256], [1024]]}"));
            return List.of();
        }
        Map<String, String> paths = new LinkedHashMap<>();
        List<List<JsonNode>> values = new ArrayList<>();
        long combinations = 1;
        for (var it = sweep.fields(); it.hasNext(); ) {
            var field = it.next();
            String name = field.getKey();
            String path = ALIASES.getOrDefault(name, name);
            String where = "sweep." + name;
            if (!SECTIONS.contains(path.split("\\.")[0]) || !path.contains(".")) {
                errors.add(new FieldError(where, "only fields of head, training and fineTune can be swept (they leave "
                        + "the features alone, so every candidate trains on the same ones), e.g. head.dropout"));
            } else if (path.equals("fineTune.keepBaseClassifier")) {
                errors.add(new FieldError(where, "is decided with the model for the whole job and cannot be swept"));
            } else if (!field.getValue().isArray() || field.getValue().isEmpty()) {
                errors.add(new FieldError(where, "a non-empty list of the values to try"));
            } else {
                paths.put(name, path);
                List<JsonNode> vs = new ArrayList<>();
                field.getValue().forEach(vs::add);
                values.add(vs);
                combinations *= vs.size();
            }
        }
        if (combinations > MAX_CANDIDATES) {
            errors.add(new FieldError("sweep", combinations + " combinations, more than the " + MAX_CANDIDATES
                    + " one job may train"));
        }
        if (!errors.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>(paths.keySet());
        Set<FieldError> problems = new LinkedHashSet<>();
        List<JobSpec.Candidate> out = new ArrayList<>();
        int[] at = new int[names.size()];
        for (long n = 0; n < combinations; n++) {
            ObjectNode job = root.deepCopy();
            job.remove("sweep");
            Map<String, String> chosen = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                JsonNode v = values.get(i).get(at[i]);
                chosen.put(names.get(i), v.toString());
                if (!put(job, paths.get(names.get(i)), v)) {
                    problems.add(new FieldError("sweep." + names.get(i), "\"" + paths.get(names.get(i))
                            + "\" does not name a field inside an object of the job"));
                }
            }
            JobParser.Parsed p = parse.apply(job);
            if (p.ok()) {
                JobSpec s = p.spec();
                out.add(new JobSpec.Candidate(chosen, s.head(), s.training(), s.fineTune()));
            }
            for (FieldError e : p.errors()) {
                problems.add(blame(e, names, paths, chosen));
            }
            for (int i = names.size() - 1; i >= 0 && ++at[i] == values.get(i).size(); i--) {
                at[i] = 0;
            }
        }
        errors.addAll(problems);
        return errors.isEmpty() ? List.copyOf(out) : List.of();
    }

    /** An error of a candidate, on the swept field it is about, else on the sweep with the whole candidate. */
    private static FieldError blame(FieldError e, List<String> names, Map<String, String> paths,
                                    Map<String, String> chosen) {
        for (String name : names) {
            String path = paths.get(name);
            if (e.field().equals(path) || e.field().startsWith(path + ".") || e.field().startsWith(path + "[")) {
                return new FieldError("sweep." + name, "the value " + chosen.get(name) + ": " + e.problem());
            }
        }
        return new FieldError("sweep", "the candidate " + chosen + ": " + e.field() + ": " + e.problem());
    }

    /** Writes {@code value} at a dotted path, making objects on the way; false where a non-object is in it. */
    private static boolean put(ObjectNode job, String path, JsonNode value) {
        String[] parts = path.split("\\.");
        ObjectNode at = job;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode next = at.get(parts[i]);
            if (next == null || next.isNull()) {
                next = at.putObject(parts[i]);
            }
            if (!next.isObject()) {
                return false;
            }
            at = (ObjectNode) next;
        }
        at.set(parts[parts.length - 1], value);
        return true;
    }
}
