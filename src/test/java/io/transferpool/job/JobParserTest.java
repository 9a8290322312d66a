package io.transferpool.job;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class JobParserTest {

    @Test
    void acceptsTheIssuesJobAsItStandsWithTheSeedsDefaults() throws Exception {
        var parsed = JobParser.parse(Files.readString(Path.of("demo/tshirt-vs-shirt/job.json")));
        assertThat(parsed.errors()).isEmpty();
        JobSpec spec = parsed.spec();
        assertThat(spec.jobId()).isEqualTo("tshirt-vs-shirt");
        assertThat(spec.schemaVersion()).isEqualTo(1);
        assertThat(spec.baseModel().cut()).isEqualTo("/flatten/Flatten_output_0");
        assertThat(spec.data().validationSplit()).isEqualTo(0.1);
        assertThat(spec.head().hidden()).containsExactly(1024);
        var t = spec.training();
        assertThat(t.optimizer().type()).isEqualTo("sgd");
        assertThat(t.optimizer().nesterov()).isTrue();
        assertThat(t.optimizer().decay()).isEqualTo(1e-6);
        assertThat(t.epochs()).isEqualTo(200);
        assertThat(t.batchSize()).isEqualTo(64);
        assertThat(t.earlyStopping().monitor()).isEqualTo(JobSpec.Monitor.VAL_ACCURACY);
        assertThat(t.earlyStopping().patience()).isEqualTo(10);
        assertThat(t.earlyStopping().mode()).isEqualTo(JobSpec.Mode.MAX);
        // Keras' ModelCheckpoint monitors val_loss unless told otherwise.
        assertThat(t.checkpoint().monitor()).isEqualTo(JobSpec.Monitor.VAL_LOSS);
        assertThat(t.checkpoint().mode()).isEqualTo(JobSpec.Mode.MIN);
        assertThat(spec.preprocess().layout()).isEqualTo(JobSpec.Layout.NCHW);
    }

    @Test
    void minimalJobGetsDefaults() {
        var parsed = JobParser.parse("""
                {"jobId": "j", "baseModel": {"uri": "m.onnx", "cut": "x"}, "data": {"train": {"uri": "d"}},
                 "preprocess": {"width": 28, "height": 28, "channels": 1}}""");
        assertThat(parsed.errors()).isEmpty();
        assertThat(parsed.spec().strategy()).isEqualTo(JobSpec.Strategy.FEATURE_EXTRACTION);
        assertThat(parsed.spec().training().optimizer().learningRate()).isEqualTo(0.001);
        assertThat(parsed.spec().preprocess().scale()).isEqualTo(1 / 255.0);
        assertThat(parsed.spec().data().maxBadSampleFraction()).isEqualTo(0.05);
    }

    @Test
    void aJobNamesItsOwnerOrBelongsToTheDefaultOne() {
        String job = """
                {"jobId": "j", %s"baseModel": {"uri": "m.onnx", "cut": "x"}, "data": {"train": {"uri": "d"}},
                 "preprocess": {"width": 28, "height": 28, "channels": 1}}""";
        assertThat(JobParser.parse(job.formatted("")).spec().owner()).isEqualTo(JobSpec.DEFAULT_OWNER);
        JobSpec alice = JobParser.parse(job.formatted("\"owner\": \"team-a.alice\", ")).spec();
        assertThat(alice.owner()).isEqualTo("team-a.alice");
        assertThat(alice.withTraining(alice.training()).owner()).as("kept by the with-methods").isEqualTo("team-a.alice");
        assertThat(JobParser.parse(job.formatted("\"owner\": \"a b\", ")).errors()).singleElement()
                .satisfies(e -> assertThat(e.field()).isEqualTo("owner"));
        assertThat(JobParser.parse(job.formatted("\"owner\": 3, ")).errors()).singleElement()
                .satisfies(e -> assertThat(e.toString()).contains("owner").contains("expected a string"));
    }

    @Test
    void unparseableJsonNamesTheDocumentAndWhere() {
        var parsed = JobParser.parse("{\"jobId\": \"x\", ");
        assertThat(parsed.ok()).isFalse();
        assertThat(parsed.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("$");
            assertThat(e.problem()).contains("not valid JSON").contains("line 1");
        });
    }

    @Test
    void reportsEveryWrongTypeWithItsFieldPath() {
        var parsed = JobParser.parse("""
                {"jobId": 12, "baseModel": {"uri": "m.onnx", "cut": "x"}, "data": {"train": {"uri": "d"},
                 "validationSplit": "ten"}, "preprocess": {"width": "28", "height": 28, "channels": 1},
                 "training": {"batchSize": 6.5, "epochs": 0}}""");
        assertThat(parsed.errors()).extracting(FieldError::field).containsExactlyInAnyOrder(
                "jobId", "data.validationSplit", "preprocess.width", "training.batchSize", "training.epochs");
        assertThat(parsed.errors()).filteredOn(e -> e.field().equals("training.batchSize"))
                .singleElement().extracting(FieldError::problem).asString().contains("expected an integer");
        assertThat(parsed.jobId()).isNull();
    }

    @Test
    void unknownStrategyAndUnknownFieldsAreRejected() {
        var parsed = JobParser.parse("""
                {"jobId": "j", "strategy": "magic", "baseModel": {"uri": "m.onnx", "cut": "x", "sha": "1"},
                 "data": {"train": {"uri": "d"}}, "preprocess": {"width": 1, "height": 1, "channels": 1}}""");
        assertThat(parsed.errors()).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo("strategy");
            assertThat(e.problem()).contains("magic").contains("feature-extraction");
        });
        assertThat(parsed.errors()).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo("baseModel.sha");
            assertThat(e.problem()).contains("unknown field").contains("sha256");
        });
        assertThat(parsed.jobId()).isEqualTo("j");
    }

    @Test
    void missingRequiredFieldsAndBadDigest() {
        var parsed = JobParser.parse("""
                {"jobId": "j", "baseModel": {"sha256": "abc"}, "preprocess": {"width": 1, "height": 1, "channels": 2}}""");
        assertThat(parsed.errors()).extracting(FieldError::field).contains("baseModel.uri", "baseModel.cut",
                "baseModel.sha256", "data", "preprocess.channels");
    }

    @Test
    void validationMonitorsNeedValidationData() {
        var parsed = JobParser.parse("""
                {"jobId": "j", "baseModel": {"uri": "m.onnx", "cut": "x"}, "data": {"train": {"uri": "d"},
                 "validationSplit": 0}, "preprocess": {"width": 1, "height": 1, "channels": 1}}""");
        assertThat(parsed.errors()).extracting(FieldError::field)
                .containsExactlyInAnyOrder("training.earlyStopping.monitor", "training.checkpoint.monitor");
    }

    @Test
    void classicalMomentumIsRefusedWithAWayOut() {
        var parsed = JobParser.parse("""
                {"jobId": "j", "baseModel": {"uri": "m.onnx", "cut": "x"}, "data": {"train": {"uri": "d"}},
                 "preprocess": {"width": 1, "height": 1, "channels": 1},
                 "training": {"optimizer": {"type": "sgd", "momentum": 0.9, "nesterov": false}}}""");
        assertThat(parsed.errors()).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("training.optimizer.nesterov");
            assertThat(e.problem()).contains("momentum 0");
        });
    }

    @Test
    void fineTuneJobsNeedAFreezeBoundaryAndDefaultToASmallLearningRate() {
        var parsed = JobParser.parse("""
                {"jobId": "f", "strategy": "fine-tune", "baseModel": {"uri": "m.onnx", "freezeAt": "t"},
                 "data": {"train": {"uri": "d"}}, "preprocess": {"width": 8, "height": 8, "channels": 1}}""");
        assertThat(parsed.errors()).isEmpty();
        JobSpec spec = parsed.spec();
        assertThat(spec.strategy()).isEqualTo(JobSpec.Strategy.FINE_TUNE);
        assertThat(spec.extractAt()).isEqualTo("t");
        assertThat(spec.baseModel().cut()).isNull();
        assertThat(spec.training().optimizer().learningRate()).isEqualTo(1e-4);
        assertThat(spec.fineTune().baseLearningRate()).isEqualTo(1e-4);
        assertThat(spec.fineTune().batchNorm()).isEqualTo(JobSpec.BatchNorm.FROZEN);
        assertThat(spec.fineTune().keepBaseClassifier()).isNull();
        assertThat(spec.fineTune().warmupEpochs()).as("the job's epoch budget").isEqualTo(200);
        assertThat(spec.fineTune().warmupLearningRate()).as("a feature-extraction job's rate").isEqualTo(1e-3);
        assertThat(spec.fineTune().warmsUp()).isTrue();

        var custom = JobParser.parse("""
                {"jobId": "f", "strategy": "fine-tune", "baseModel": {"uri": "m.onnx", "freezeAt": "t"},
                 "data": {"train": {"uri": "d"}}, "preprocess": {"width": 8, "height": 8, "channels": 1},
                 "training": {"optimizer": {"learningRate": 0.01}}, "fineTune": {"batchNorm": "update"}}""").spec();
        assertThat(custom.training().optimizer().learningRate()).isEqualTo(0.01);
        assertThat(custom.fineTune().baseLearningRate()).as("defaults to the head's rate").isEqualTo(0.01);
        assertThat(custom.fineTune().batchNorm()).isEqualTo(JobSpec.BatchNorm.UPDATE);
    }

    @Test
    void anAutoJobNeedsNoCutTakesFineTuningSettingsAndLeavesTheBoundaryToTheAdvisor() {
        String job = """
                {"jobId": "a", "strategy": "auto", "baseModel": {"uri": "m.onnx"%s},
                 "data": {"train": {"uri": "d"}}, "preprocess": {"width": 8, "height": 8, "channels": 1},
                 "fineTune": {"baseLearningRate": 0.00005}}""";
        JobSpec spec = JobParser.parse(job.formatted("")).orThrow();
        assertThat(spec.strategy()).isEqualTo(JobSpec.Strategy.AUTO);
        assertThat(spec.baseModel().cut()).isNull();
        assertThat(spec.training().optimizer().learningRate()).as("a feature-extraction job's rate").isEqualTo(1e-3);
        assertThat(spec.fineTune().baseLearningRate()).isEqualTo(5e-5);
        assertThat(JobParser.parse(job.formatted("").replace(",\n \"fineTune\": {\"baseLearningRate\": 0.00005}", ""))
                .orThrow().fineTune().baseLearningRate()).as("the seed's small rate").isEqualTo(1e-4);
        assertThat(JobParser.parse(job.formatted(", \"freezeAt\": \"t\"")).errors()).extracting(FieldError::field)
                .containsExactly("baseModel.freezeAt");
    }

    @Test
    void theWarmUpIsSetOrTurnedOffAndBadValuesAreNamed() {
        String job = """
                {"jobId": "f", "strategy": "fine-tune", "baseModel": {"uri": "m.onnx", "freezeAt": "t"},
                 "data": {"train": {"uri": "d"}}, "preprocess": {"width": 8, "height": 8, "channels": 1},
                 "training": {"epochs": 30}, "fineTune": %s}""";
        JobSpec.FineTune byEpochs = JobParser.parse(job.formatted("{}")).spec().fineTune();
        assertThat(byEpochs.warmupEpochs()).isEqualTo(30);
        JobSpec.FineTune set = JobParser.parse(job.formatted("{\"warmupEpochs\": 5, \"warmupLearningRate\": 0.01}"))
                .spec().fineTune();
        assertThat(set.warmupEpochs()).isEqualTo(5);
        assertThat(set.warmupLearningRate()).isEqualTo(0.01);
        JobSpec.FineTune off = JobParser.parse(job.formatted("{\"warmupEpochs\": 0}")).spec().fineTune();
        assertThat(off.warmsUp()).isFalse();
        assertThat(set.withKeepBaseClassifier(true).warmsUp()).as("no new head to warm up").isFalse();
        var bad = JobParser.parse(job.formatted("{\"warmupEpochs\": -1, \"warmupLearningRate\": \"fast\"}"));
        assertThat(bad.errors()).extracting(FieldError::field)
                .containsExactlyInAnyOrder("fineTune.warmupEpochs", "fineTune.warmupLearningRate");
    }

    @Test
    void fineTuneFieldsAreRejectedWhereTheyDoNotBelong() {
        var missing = JobParser.parse("""
                {"jobId": "f", "strategy": "fine-tune", "baseModel": {"uri": "m.onnx"}, "data": {"train": {"uri": "d"}},
                 "preprocess": {"width": 8, "height": 8, "channels": 1}, "fineTune": {"batchNorm": "sometimes"}}""");
        assertThat(missing.errors()).extracting(FieldError::field)
                .containsExactlyInAnyOrder("baseModel.freezeAt", "fineTune.batchNorm");
        var misplaced = JobParser.parse("""
                {"jobId": "f", "baseModel": {"uri": "m.onnx", "cut": "c", "freezeAt": "t"},
                 "data": {"train": {"uri": "d"}}, "preprocess": {"width": 8, "height": 8, "channels": 1},
                 "fineTune": {}}""");
        assertThat(misplaced.errors()).extracting(FieldError::field)
                .containsExactlyInAnyOrder("baseModel.freezeAt", "fineTune");
    }

    @Test
    void extractNeedsACutAndTakesNoSweep() {
        String job = io.transferpool.TestFiles.job("e", "models/base.onnx", "train", null, 1)
                .replace("\"strategy\": \"feature-extraction\"", "\"strategy\": \"extract\"");
        assertThat(JobParser.parse(job).orThrow().strategy()).isEqualTo(JobSpec.Strategy.EXTRACT);
        var noCut = JobParser.parse(job.replace(", \"cut\": \"" + io.transferpool.TestFiles.CUT + "\"", ""));
        assertThat(noCut.errors()).anySatisfy(e -> assertThat(e.field()).isEqualTo("baseModel.cut"));
        String sweep = job.substring(0, job.lastIndexOf('}')) + ", \"sweep\": {\"training.epochs\": [1, 2]}}";
        assertThat(JobParser.parse(sweep).errors()).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo("sweep");
            assertThat(e.problem()).contains("extract");
        });
    }
}
