package io.transferpool.messaging;

import io.transferpool.model.Half;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FeatureBatchTest {
    private static final FeatureBatch BATCH = new FeatureBatch("job-é", FeatureBatch.Split.TEST, 3, 3,
            new int[]{7, 9}, new int[]{1, 0}, new float[]{0f, -1.5f, 3.14159f, 1e-3f, 65000f, 42.25f});

    @Test
    void float32RoundTripIsExact() {
        FeatureBatch back = FeatureBatch.decode(BATCH.encode(FeatureType.FLOAT32));
        assertThat(back.jobId()).isEqualTo("job-é");
        assertThat(back.split()).isEqualTo(FeatureBatch.Split.TEST);
        assertThat(back.shard()).isEqualTo(3);
        assertThat(back.dimension()).isEqualTo(3);
        assertThat(back.sampleIds()).containsExactly(7, 9);
        assertThat(back.labels()).containsExactly(1, 0);
        assertThat(back.features()).containsExactly(BATCH.features());
    }

    @Test
    void float16HalvesTheValuesAndKeepsThreeDigits() {
        byte[] f32 = BATCH.encode(FeatureType.FLOAT32);
        byte[] f16 = BATCH.encode(FeatureType.FLOAT16);
        assertThat(f32.length - f16.length).isEqualTo(6 * 2);
        float[] back = FeatureBatch.decode(f16).features();
        for (int i = 0; i < back.length; i++) {
            assertThat(back[i]).isCloseTo(BATCH.features()[i], within(Math.abs(BATCH.features()[i]) * 1e-3f + 1e-6f));
        }
    }

    @Test
    void halfConversionHandlesSpecialValues() {
        assertThat(Half.toFloat(Half.fromFloat(Float.POSITIVE_INFINITY))).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Half.toFloat(Half.fromFloat(1e6f))).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Float.isNaN(Half.toFloat(Half.fromFloat(Float.NaN)))).isTrue();
        assertThat(Half.toFloat(Half.fromFloat(6.1e-5f))).isCloseTo(6.1e-5f, within(1e-7f));
        assertThat(Half.toFloat(Half.fromFloat(1e-6f))).isCloseTo(1e-6f, within(1e-7f)); // subnormal
        assertThat(Half.toFloat(Half.fromFloat(-2f))).isEqualTo(-2f);
        assertThat(Half.fromFloat(1f)).isEqualTo((short) 0x3c00);
    }

    @Test
    void aRecordWhoseLengthsLieIsRefusedBeforeAnyAllocation() {
        byte[] good = BATCH.encode(FeatureType.FLOAT32);
        java.nio.ByteBuffer header = java.nio.ByteBuffer.wrap(good.clone());
        header.putInt(11, 1 << 28); // n: 2^28 rows declared in a record of a few hundred bytes
        assertThatThrownBy(() -> FeatureBatch.decode(header.array())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("declares 268435456 rows");
        java.nio.ByteBuffer negative = java.nio.ByteBuffer.wrap(good.clone());
        negative.putInt(15, -1); // d
        assertThatThrownBy(() -> FeatureBatch.decode(negative.array())).hasMessageContaining("-1 values");
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
        assertThatThrownBy(() -> FeatureBatch.decode(truncated)).hasMessageContaining("carries");
        byte[] badType = good.clone();
        badType[5] = 9;
        assertThatThrownBy(() -> FeatureBatch.decode(badType)).hasMessageContaining("value type 9");
    }

    @Test
    void garbageIsRefused() {
        assertThatThrownBy(() -> FeatureBatch.decode("{\"json\": true}".getBytes()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("magic");
    }
}
