package io.transferpool.messaging;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordTypeTest {
    @Test
    void eachTypeReadsBackFromItsHeaderAndTheWireValuesAreTheDocumentedOnes() {
        for (RecordType t : RecordType.values()) {
            RecordHeaders h = new RecordHeaders();
            t.addTo(h);
            assertThat(RecordType.of(h)).isEqualTo(t);
        }
        assertThat(RecordType.values()).extracting(RecordType::wire)
                .containsExactly("cancel", "task", "plan", "features", "shard-done", "dropped", "settled")
                .doesNotHaveDuplicates();
    }

    @Test
    void noHeaderIsNoTypeAndAnUnknownOneIsNamed() {
        assertThat(RecordType.of(new RecordHeaders())).isNull();
        RecordHeaders h = new RecordHeaders();
        h.add(RecordType.HEADER, "bogus".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> RecordType.of(h)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"bogus\"").hasMessageContaining("tp-type");
    }
}
