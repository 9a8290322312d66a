package io.transferpool.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The JSON Schema in the repository and the parser describe the same contract. */
class JobSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"full-job.json", "full-finetune-job.json"})
    void everyFieldOfTheFullExamplesIsInTheSchemaAndTheParserAcceptsIt(String file) throws Exception {
        JsonNode schema;
        try (InputStream in = getClass().getResourceAsStream("/job.schema.json")) {
            schema = JSON.readTree(in);
        }
        String example = Files.readString(Path.of("docs/examples", file));
        assertThat(JobParser.parse(example).errors()).isEmpty();
        checkFields(JSON.readTree(example), schema, schema, "");
        assertThat(schema.at("/properties/schemaVersion/const").asInt()).isEqualTo(JobSpec.SCHEMA_VERSION);
    }

    private static void checkFields(JsonNode value, JsonNode node, JsonNode schema, String path) {
        if (node.has("$ref")) {
            node = schema.at(node.get("$ref").asText().substring(1));
        }
        if (!value.isObject()) {
            return;
        }
        JsonNode props = node.get("properties");
        assertThat(props).as("schema of %s has properties", path).isNotNull();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
            var e = it.next();
            assertThat(props.has(e.getKey())).as("schema describes %s.%s", path, e.getKey()).isTrue();
            checkFields(e.getValue(), props.get(e.getKey()), schema, path + "." + e.getKey());
        }
    }
}
