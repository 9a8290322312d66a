package io.transferpool.messaging;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StageTest {
    @Test
    void statusEventsKeepTheirReadableJson() {
        StatusEvent e = StatusEvent.extracting("j", 3, 9, 120.5).at(42);
        String json = new String(Json.bytes(e));
        assertThat(json).contains("\"stage\":\"extracting\"", "\"shardsDone\":3", "\"shardsTotal\":9",
                "\"message\":\"shard 3/9\"").doesNotContain("epoch");
        assertThat(Json.read(json.getBytes(), StatusEvent.class)).isEqualTo(e);
        assertThat(new String(Json.bytes(StatusEvent.epoch("j", "epoch 2", 2, 10, 0.5))))
                .contains("\"stage\":\"training\"", "\"epoch\":2", "\"epochs\":10", "\"valAccuracy\":0.5");
        assertThat(new String(Json.bytes(StatusEvent.queued("j", "4 shards", 4))))
                .contains("\"stage\":\"queued\"", "\"shardsDone\":0", "\"shardsTotal\":4");
    }

    @Test
    void everyStageReadsBackAndOnlyTheLastFourAreFinal() {
        for (Stage s : Stage.values()) {
            assertThat(Stage.fromWire(s.wire())).isEqualTo(s);
        }
        assertThat(Stage.values()).filteredOn(Stage::isFinal)
                .containsExactly(Stage.DONE, Stage.FAILED, Stage.REJECTED, Stage.CANCELLED);
        assertThatThrownBy(() -> Stage.fromWire("baking")).hasMessageContaining("baking").hasMessageContaining("queued");
    }
}
