package io.transferpool.storage;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AllowListTest {

    @Test
    void allowsWhatIsUnderAnEntryOnly() {
        AllowList allowed = AllowList.of(List.of("s3://data/train/", " s3://models", ""));
        assertThat(allowed.allows(ObjectUri.parse("s3://data/train/a/b.png"))).isTrue();
        assertThat(allowed.allows(ObjectUri.parse("s3://models/x/base.onnx"))).isTrue();
        assertThat(allowed.allows(ObjectUri.parse("s3://data/test/a.png"))).isFalse();
        assertThat(allowed.allows(ObjectUri.parse("s3://data/trainee/a.png"))).isFalse();
        assertThat(allowed.refusal()).contains("s3://data/train", "s3://models", "tp.storage.allowed");
    }

    @Test
    void emptyAllowsNothingAndSaysSo() {
        AllowList none = AllowList.of(List.of());
        assertThat(none.allows(ObjectUri.parse("s3://data/a.png"))).isFalse();
        assertThat(none.refusal()).contains("reads no object storage");
    }

    @Test
    void aBadEntryNamesTheKey() {
        assertThatThrownBy(() -> AllowList.of(List.of("/data"))).hasMessageContaining("tp.storage.allowed")
                .hasMessageContaining("\"/data\"");
        assertThatThrownBy(() -> AllowList.of(List.of("s3://data/../x"))).hasMessageContaining("\"..\" segment");
    }
}
