package io.transferpool.messaging;

import io.transferpool.TestFiles;
import io.transferpool.job.JobParser;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JobPlanTest {
    @Test
    void aPlanGoesOverTheWireWithItsPartsNamed() {
        var spec = JobParser.parse(TestFiles.job("p", "models/base.onnx", "train", "test", 2)).orThrow();
        JobPlan plan = JobPlan.of(spec, new JobPlan.Model("models/base.onnx", "ab"), List.of("a", "b"),
                new JobPlan.Split(3, 30), new JobPlan.Split(1, 8), new JobPlan.Submission("tp.jobs-0@1-2", 2, 5, 0.5))
                .withFeatures(new JobPlan.KeptFeatures("k", false));
        String json = new String(Json.bytes(plan));
        assertThat(json).contains("\"model\":{\"path\":\"models/base.onnx\",\"sha256\":\"ab\"}",
                "\"train\":{\"shards\":3,\"samples\":30}", "\"features\":{\"key\":\"k\",\"reused\":false}",
                "\"submission\":{\"id\":\"tp.jobs-0@1-2\",\"run\":2,");
        JobPlan back = Json.read(json.getBytes(), JobPlan.class);
        assertThat(back).isEqualTo(plan);
        assertThat(back.key()).isEqualTo("p#2");
        assertThat(back.shards()).isEqualTo(4);
    }

    @Test
    void partsLeftOutOfTheJsonReadAsNone() {
        var spec = JobParser.parse(TestFiles.job("p", "models/base.onnx", "train", null, 2)).orThrow();
        JobPlan full = JobPlan.of(spec, new JobPlan.Model("m", null), List.of("a", "b"), new JobPlan.Split(1, 2),
                JobPlan.Split.NONE, new JobPlan.Submission(null, 0, 0, 0));
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.valueToTree(full);
        json.remove(List.of("test", "features"));
        JobPlan plan = Json.read(json.toString().getBytes(), JobPlan.class);
        assertThat(plan.test()).isEqualTo(JobPlan.Split.NONE);
        assertThat(plan.features()).isEqualTo(JobPlan.KeptFeatures.NONE);
        assertThat(plan.run()).as("runs count from 1").isEqualTo(1);
    }
}
