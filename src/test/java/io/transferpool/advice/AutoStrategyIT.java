package io.transferpool.advice;

import io.transferpool.TestFiles;
import io.transferpool.TestJobs;
import io.transferpool.TestPool;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.StatusEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs with {@code "strategy": "auto"} through the pool on the embedded broker: the coordinator measures, chooses
 * by the seed's rule and plans the chosen job; the result carries the advice. On the demo (small, like the base's
 * data) it is case 1; on counting dots (small, unlike clothing) it is case 3, an earlier cut, which tests better
 * than the last-layer cut.
 */
class AutoStrategyIT {
    @RegisterExtension
    static final TestPool POOL = TestPool.allRoles().meters(io.micrometer.core.instrument.Metrics.globalRegistry)
            .data(AutoStrategyIT::layOut);

    static void layOut(Path root) throws Exception {
        TestFiles.demoRoot(root, "train", 150, "test", 100);
        DotImages.write(root.resolve("dots/train"), 300, 1);
        DotImages.write(root.resolve("dots/test"), 200, 2);
    }

    private static JobResult run(String jobId, String json, List<StatusEvent> events) throws Exception {
        return TestJobs.succeeded(POOL.pool(), jobId, json, events::add);
    }

    private static String auto(String jobId, String train, String test) {
        return TestFiles.job(jobId, "models/base.onnx", train, test, 60)
                .replace("\"strategy\": \"feature-extraction\"", "\"strategy\": \"auto\"")
                .replace(", \"cut\": \"" + TestFiles.CUT + "\"", "")
                .replace("\"validationSplit\": 0.1", "\"validationSplit\": 0.2");
    }

    @Test
    void aSmallTaskLikeTheBasesIsCaseOne() throws Exception {
        List<StatusEvent> events = new ArrayList<>();
        JobResult r = run("auto-demo", auto("auto-demo", "train", "test"), events);
        assertThat(r.advice().caseNumber()).isEqualTo(1);
        assertThat(r.advice().strategy()).isEqualTo("feature-extraction");
        assertThat(r.advice().cut()).isEqualTo(TestFiles.CUT);
        assertThat(r.advice().measurements().probes()).hasSize(3);
        assertThat(r.metrics().counts().featureDimension()).isEqualTo(1152);
        assertThat(events).anySatisfy(e -> assertThat(e.message()).startsWith("strategy auto chose case 1"));
    }

    @Test
    void countingDotsIsUnlikeClothingAndTheEarlierCutTestsBetter() throws Exception {
        JobResult auto = run("auto-dots", auto("auto-dots", "dots/train", "dots/test"), new ArrayList<>());
        assertThat(auto.advice().caseNumber()).as(auto.advice().reason()).isEqualTo(3);
        assertThat(auto.advice().cut()).isNotEqualTo(TestFiles.CUT).startsWith("/features/");
        List<io.transferpool.job.Advice.Probe> probes = auto.advice().measurements().probes();
        assertThat(probes.stream().mapToDouble(io.transferpool.job.Advice.Probe::valAccuracy).max().orElseThrow())
                .isGreaterThanOrEqualTo(probes.get(0).valAccuracy() + 0.03);

        JobResult lastLayer = run("dots-flatten", TestFiles.job("dots-flatten", "models/base.onnx", "dots/train",
                "dots/test", 60).replace("\"validationSplit\": 0.1", "\"validationSplit\": 0.2"), new ArrayList<>());
        assertThat(auto.metrics().test().accuracy()).as("the advised cut against the last layer's")
                .isGreaterThan(lastLayer.metrics().test().accuracy());
    }
}
