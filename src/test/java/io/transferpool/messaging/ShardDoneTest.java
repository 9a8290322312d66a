package io.transferpool.messaging;

import io.transferpool.job.JobResult.BadSample;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ShardDoneTest {

    @Test
    void travelsWithEveryTimer() {
        ShardDone d = new ShardDone("j", FeatureBatch.Split.TRAIN, 1, 3, 64, List.of(new BadSample("a.png", "corrupt")),
                0.5, 0.7, 1.3, "CPU", null, 0.1, 0.02, 0.03, 0.2).withPublishing(0.04, 0.05);
        ShardDone back = Json.read(Json.bytes(d), ShardDone.class);
        assertThat(back).isEqualTo(d);
        assertThat(back.readSeconds()).isEqualTo(0.2);
        assertThat(back.encodeSeconds()).isEqualTo(0.04);
    }

    @Test
    void aMarkFromAnExtractorWithoutTheNewerTimersReadsThemAsZero() {
        // What an extractor of an earlier version sends while a pool is being upgraded: no preprocessing,
        // publishing or reading timers.
        String old = """
                {"jobId": "j", "split": "TRAIN", "shard": 0, "shardCount": 1, "extracted": 2, "badSamples": [],
                 "decodeSeconds": 0.5, "inferenceSeconds": 0.7, "wallSeconds": 1.3, "provider": "CPU", "error": null}""";
        ShardDone d = Json.read(old.getBytes(StandardCharsets.UTF_8), ShardDone.class);
        assertThat(d.decodeSeconds()).isEqualTo(0.5);
        assertThat(d.readSeconds()).isZero();
        assertThat(d.preprocessSeconds()).isZero();
        assertThat(d.publishSeconds()).isZero();
    }
}
