package io.transferpool.job;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** A job's sweep: every combination a candidate, each value checked as its own field would be. */
class SweepReaderTest {
    private static final String JOB = """
            {"jobId": "s", "baseModel": {"uri": "m.onnx", "cut": "c"}, "data": {"train": {"uri": "d"}},
             "preprocess": {"width": 8, "height": 8, "channels": 1},
             "head": {"hidden": [64], "dropout": 0.1},
             "training": {"optimizer": {"type": "sgd", "learningRate": 0.001}, "epochs": 20},
             "sweep": %s}""";

    @Test
    void everyCombinationIsACandidateWithItsValuesWrittenIn() {
        JobSpec spec = JobParser.parse(JOB.formatted("""
                {"learningRate": [0.001, 0.01], "head.hidden": [[32], [128, 64]], "head.dropout": [0.0, 0.5],
                 "training.epochs": [5]}""")).orThrow();

        assertThat(spec.sweep()).hasSize(8);
        JobSpec.Candidate first = spec.sweep().get(0);
        assertThat(first.values()).containsExactly(Map.entry("learningRate", "0.001"),
                Map.entry("head.hidden", "[32]"), Map.entry("head.dropout", "0.0"), Map.entry("training.epochs", "5"));
        assertThat(spec.sweep()).extracting(c -> c.training().optimizer().learningRate(), c -> c.head().hidden(),
                c -> c.head().dropout()).contains(
                tuple(0.001, List.of(32), 0.0), tuple(0.001, List.of(32), 0.5), tuple(0.01, List.of(128, 64), 0.5));
        assertThat(spec.sweep()).allSatisfy(c -> {
            assertThat(c.training().epochs()).isEqualTo(5);
            assertThat(c.training().optimizer().type()).as("what is not swept stays as written").isEqualTo("sgd");
        });
        JobSpec one = spec.candidate(spec.sweep().get(7));
        assertThat(one.sweep()).isEmpty();
        assertThat(one.head().hidden()).isEqualTo(List.of(128, 64));
        assertThat(one.training().optimizer().learningRate()).isEqualTo(0.01);
        assertThat(JobParser.parse(JOB.replace(",\n \"sweep\": %s", "")).orThrow().sweep()).isEmpty();
    }

    @Test
    void badSweepsAreRejectedNamingTheFieldAndTheValue() {
        var parsed = JobParser.parse(JOB.formatted("""
                {"head.dropout": [0.2, 1.5], "preprocess.width": [8, 16], "fineTune.keepBaseClassifier": [true],
                 "training.batchSize": []}"""));
        assertThat(parsed.errors()).extracting(FieldError::field).containsExactlyInAnyOrder("sweep.preprocess.width",
                "sweep.fineTune.keepBaseClassifier", "sweep.training.batchSize");

        var badValue = JobParser.parse(JOB.formatted("{\"head.dropout\": [0.2, 1.5], \"learningRate\": [0.1, -1]}"));
        assertThat(badValue.errors()).extracting(FieldError::field, e -> e.problem().startsWith("the value "))
                .containsExactlyInAnyOrder(tuple("sweep.head.dropout", true), tuple("sweep.learningRate", true));
        assertThat(badValue.errors()).anySatisfy(e -> assertThat(e.problem()).contains("1.5"));

        var tooMany = JobParser.parse(JOB.formatted("""
                {"training.seed": [1, 2, 3, 4, 5, 6, 7, 8, 9], "head.dropout": [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]}"""));
        assertThat(tooMany.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("sweep");
            assertThat(e.problem()).contains("72 combinations");
        });

        // classical momentum (nesterov false, momentum > 0) is refused: the error is on a field not swept
        var conflict = JobParser.parse(JOB.formatted("{\"training.optimizer.momentum\": [0, 0.9]}")
                .replace("\"type\": \"sgd\",", "\"type\": \"sgd\", \"nesterov\": false, \"momentum\": 0,"));
        assertThat(conflict.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("sweep");
            assertThat(e.problem()).contains("training.optimizer.momentum=0.9", "training.optimizer.nesterov");
        });
        assertThat(JobParser.parse(JOB.formatted("[1, 2]")).errors()).extracting(FieldError::field)
                .containsExactly("sweep");
    }
}
