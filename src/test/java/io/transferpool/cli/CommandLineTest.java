package io.transferpool.cli;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import io.transferpool.TestFiles;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged command line, launched as a user would (each launch starts the application). */
@QuarkusMainTest
class CommandLineTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void jobFolder() throws Exception {
        TestFiles.demoRoot(dir, "data/train", 20, "data/test", 10);
        Files.writeString(dir.resolve("job.json"), TestFiles.job("cli-job", "models/base.onnx", "data/train",
                "data/test", 2));
        Files.writeString(dir.resolve("bad.json"), TestFiles.job("cli-bad", "models/missing.onnx", "data/train",
                null, 2));
    }

    @Test
    void runWritesTheResultAndExitsZeroOnSuccess(QuarkusMainLauncher launcher) throws Exception {
        Path out = dir.resolve("out/result.json");
        Path report = dir.resolve("out/report.html");
        LaunchResult r = launcher.launch("run", dir.resolve("job.json").toString(), "--out", out.toString(),
                "--report", report.toString());
        assertThat(r.exitCode()).as(r.getOutput() + r.getErrorOutput()).isZero();
        assertThat(r.getOutput()).contains("Job cli-job: SUCCEEDED").contains("extracting").contains("training")
                .contains("confusion");
        JobResult result = Json.read(Files.readAllBytes(out), JobResult.class);
        assertThat(result.status()).isEqualTo(JobResult.Status.SUCCEEDED);
        assertThat(dir.resolve("out/artifacts/cli-job/model.onnx")).exists();
        assertThat(Files.readString(report)).contains("Job cli-job", "<svg id=\"loss-curve\"", "id=\"confusion\"");
    }

    @Test
    void aRejectedJobExitsTwoAndSaysWhy(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("run", dir.resolve("bad.json").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.getOutput()).contains("REJECTED").contains("baseModel.uri");
    }

    @Test
    void adviseSaysWhichCaseAJobIsWithoutTrainingAndRejectsABadOne(QuarkusMainLauncher launcher) throws Exception {
        LaunchResult r = launcher.launch("advise", dir.resolve("job.json").toString(), "--json");
        assertThat(r.exitCode()).as(r.getOutput() + r.getErrorOutput()).isZero();
        io.transferpool.job.Advice advice = Json.read(r.getOutput().substring(r.getOutput().indexOf('{'))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), io.transferpool.job.Advice.class);
        assertThat(advice.caseNumber()).isEqualTo(1);
        assertThat(advice.measurements().trainImages()).isEqualTo(40);
        LaunchResult bad = launcher.launch("advise", dir.resolve("bad.json").toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.getOutput()).contains("baseModel.uri");
    }

    @Test
    void modelInspectMarksTheFlattenAsACutPoint(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("model", "inspect", TestFiles.BASE_MODEL.toString());
        assertThat(r.exitCode()).isZero();
        assertThat(r.getOutput()).containsPattern("/flatten/Flatten_output_0 +Flatten +\\[1,1152] +0 +ft +\\* 1152 features")
                .containsPattern("\\s0  input +input +\\[1,1,28,28] +0 +ft")
                .containsPattern("/features/features.9/MaxPool_output_0 +MaxPool +\\[1,64,7,7] +0 +ft")
                .contains("total parameters 287464", "fine-tuning: 17 possible freeze boundaries");
    }

    @Test
    void submitWithoutAClusterExplainsWhatIsMissing(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("submit", dir.resolve("job.json").toString());
        assertThat(r.exitCode()).isEqualTo(64);
        assertThat(r.getOutput()).contains("kafka.bootstrap.servers");
    }

    @Test
    void aMissingFileIsOneLineNotAStackTrace(QuarkusMainLauncher launcher) {
        LaunchResult r = launcher.launch("model", "inspect", dir.resolve("nope.onnx").toString());
        assertThat(r.exitCode()).isEqualTo(70);
        assertThat(r.getErrorOutput()).contains("error: file not found: ").doesNotContain("\tat ");
    }
}
