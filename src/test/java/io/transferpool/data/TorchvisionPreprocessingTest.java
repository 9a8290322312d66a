package io.transferpool.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.transferpool.features.NpyFile;
import io.transferpool.job.JobSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Preprocessing as the base was trained: the model input for each picture equals torchvision's
 * Resize + CenterCrop + ToTensor + Normalize on PIL images (expected tensors made by
 * src/test/resources/images/make_preprocess_fixtures.py with Debian's torchvision). PNG: every value within 0.05
 * and mean absolute difference at most 0.005; JPEG (two decoders): mean absolute difference at most 0.02.
 */
class TorchvisionPreprocessingTest {
    private static final Path ROOT = Path.of("src/test/resources/images/preprocess");
    private static final JsonNode META = read();

    private static JsonNode read() {
        try {
            return new ObjectMapper().readTree(Files.readString(ROOT.resolve("cases.json")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> cases() {
        List<String> names = new ArrayList<>();
        META.get("cases").fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<Double> list(JsonNode n) {
        List<Double> out = new ArrayList<>();
        n.forEach(v -> out.add(v.asDouble()));
        return out;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesTorchvision(String name) throws Exception {
        JsonNode c = META.get("cases").get(name);
        int cropH = c.get("crop").get(0).asInt();
        int cropW = c.get("crop").get(1).asInt();
        JobSpec.Preprocess spec;
        if (c.get("resize").isArray()) {
            // Resize([h, w]): stretched, no crop left to do
            spec = new JobSpec.Preprocess(cropW, cropH, 3, 1 / 255.0, list(META.get("mean")), list(META.get("std")),
                    JobSpec.Layout.NCHW, JobSpec.Resize.STRETCH);
        } else {
            spec = new JobSpec.Preprocess(cropW, cropH, 3, 1 / 255.0, list(META.get("mean")), list(META.get("std")),
                    JobSpec.Layout.NCHW, JobSpec.Resize.SHORTER_SIDE, c.get("resize").asInt(), JobSpec.Crop.CENTER,
                    false);
        }
        Preprocessor pre = new Preprocessor(spec);
        float[] got = new float[pre.inputSize()];
        pre.apply(new ImageDecoder(ROOT).decode(c.get("file").asText()), got, 0);
        float[] want = NpyFile.read(ROOT.resolve(name + ".npy")).values();
        assertThat(got).hasSameSizeAs(want);
        double sum = 0;
        double max = 0;
        for (int i = 0; i < got.length; i++) {
            double d = Math.abs(got[i] - want[i]);
            sum += d;
            max = Math.max(max, d);
        }
        double mean = sum / got.length;
        System.out.printf("%s: mean absolute difference %.5f, largest %.4f%n", name, mean, max);
        if (c.get("lossy").asBoolean()) {
            assertThat(mean).as(name + ": mean absolute difference").isLessThanOrEqualTo(0.02);
        } else {
            assertThat(max).as(name + ": largest difference").isLessThanOrEqualTo(0.05);
            assertThat(mean).as(name + ": mean absolute difference").isLessThanOrEqualTo(0.005);
        }
    }
}
