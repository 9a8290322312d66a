package io.transferpool.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Makes hostile jobs from a valid one, seeded: fields removed, replaced by values of another type, huge, negative,
 * empty or odd strings (control characters, path tricks, long unicode), nested deeply, unknown fields added, the
 * JSON truncated or its bytes garbled. The job id is kept (when the JSON still parses), so each case can be
 * matched with its result.
 */
final class HostileJobs {
    // Writes mutations nested deeper than Jackson's default limit of 1000 (two deep-nesting mutations on one
    // field): the pool's reader must reject those, not this generator.
    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamWriteConstraints(com.fasterxml.jackson.core.StreamWriteConstraints.builder()
                    .maxNestingDepth(100_000).build()).build());
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<String> STRINGS = List.of("", " ", "..", "../../etc/passwd", "/etc/passwd",
            "file:///etc/shadow", "http://example.org/x.onnx", "a\u0000b", "\u202e\u0000\u0007", "%s%n%x",
            "${jndi:ldap://x}", "C:\\\\Windows", "models/../models/base.onnx", "é".repeat(3000), "x".repeat(100_000));
    private static final List<JsonNode> NUMBERS = List.of(F.numberNode(0), F.numberNode(-1), F.numberNode(1e308),
            F.numberNode(-1e308), F.numberNode(Long.MAX_VALUE), F.numberNode(Integer.MIN_VALUE), F.numberNode(1e-300),
            F.numberNode(0.5), F.numberNode(65537), F.numberNode(100_000));

    private final Random rnd;

    HostileJobs(long seed) {
        this.rnd = new Random(seed);
    }

    /** A mutation of {@code valid} (a job JSON) whose job id is {@code jobId} where it still has one. */
    String next(String valid, String jobId) throws Exception {
        int kind = rnd.nextInt(10);
        if (kind == 0) {
            return truncate(valid.replace("\"jobId\": \"", "\"jobId\": \"" + jobId + "-x"), jobId);
        }
        if (kind == 1) {
            return garble(valid.replaceFirst("\"jobId\": \"[^\"]*\"", "\"jobId\": \"" + jobId + "\""));
        }
        ObjectNode job = (ObjectNode) JSON.readTree(valid);
        int mutations = 1 + rnd.nextInt(4);
        for (int i = 0; i < mutations; i++) {
            mutate(job);
        }
        job.put("jobId", jobId);
        return JSON.writeValueAsString(job);
    }

    private String truncate(String json, String jobId) {
        return json.substring(0, rnd.nextInt(json.length()));
    }

    private String garble(String json) {
        char[] c = json.toCharArray();
        int start = json.indexOf("\"baseModel\"");
        for (int i = 0; i < 1 + rnd.nextInt(5); i++) {
            int at = start + rnd.nextInt(c.length - start);
            c[at] = (char) rnd.nextInt(0x3000);
        }
        return new String(c);
    }

    private void mutate(ObjectNode root) {
        List<Map.Entry<ObjectNode, String>> fields = new ArrayList<>();
        collect(root, fields);
        Map.Entry<ObjectNode, String> f = fields.get(rnd.nextInt(fields.size()));
        ObjectNode parent = f.getKey();
        String name = f.getValue();
        switch (rnd.nextInt(8)) {
            case 0 -> parent.remove(name);
            case 1 -> parent.set(name, F.textNode(STRINGS.get(rnd.nextInt(STRINGS.size()))));
            case 2 -> parent.set(name, NUMBERS.get(rnd.nextInt(NUMBERS.size())));
            case 3 -> parent.set(name, F.booleanNode(rnd.nextBoolean()));
            case 4 -> {
                ArrayNode a = F.arrayNode();
                int n = rnd.nextBoolean() ? rnd.nextInt(5) : 5000;
                for (int i = 0; i < n; i++) {
                    a.add(rnd.nextBoolean() ? NUMBERS.get(rnd.nextInt(NUMBERS.size()))
                            : F.textNode(STRINGS.get(rnd.nextInt(STRINGS.size() - 1))));
                }
                parent.set(name, a);
            }
            case 5 -> {
                JsonNode deep = F.numberNode(1);
                for (int i = 0; i < 500; i++) {
                    deep = F.objectNode().set("x", deep);
                }
                parent.set(name, deep);
            }
            case 6 -> parent.put("unknown" + rnd.nextInt(1000), STRINGS.get(rnd.nextInt(STRINGS.size())));
            default -> parent.set(name, F.nullNode());
        }
    }

    private static void collect(ObjectNode node, List<Map.Entry<ObjectNode, String>> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("jobId")) {
                continue;
            }
            out.add(Map.entry(node, e.getKey()));
            if (e.getValue() instanceof ObjectNode child) {
                collect(child, out);
            }
        }
    }
}
