package io.transferpool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.transferpool.model.OnnxModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One model of the fine-tuning conformance matrix (src/test/resources/models/families, made by
 * make_family_models.py): its file, family and opset, input, a freeze boundary at the input of its last stage, the
 * flatten where a new head attaches, and the image size it takes.
 */
public record FamilyModel(String file, String family, int opset, String input, String freezeAt, String cut,
                          int size) {
    public static final Path DIR = Path.of("src/test/resources/models/families");

    public static List<FamilyModel> all() throws IOException {
        List<FamilyModel> out = new ArrayList<>();
        for (JsonNode n : new ObjectMapper().readTree(DIR.resolve("families.json").toFile())) {
            out.add(new FamilyModel(n.get("file").asText(), n.get("family").asText(), n.get("opset").asInt(),
                    n.get("input").asText(), n.get("freezeAt").asText(), n.get("cut").asText(),
                    n.get("size").asInt()));
        }
        return out;
    }

    public Path path() {
        return DIR.resolve(file);
    }

    public OnnxModel load() throws IOException {
        return OnnxModel.load(path());
    }

    @Override
    public String toString() {
        return file;
    }
}
