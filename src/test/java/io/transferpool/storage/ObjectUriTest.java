package io.transferpool.storage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObjectUriTest {

    @Test
    void parsesBucketAndKeyAndDropsATrailingSlash() {
        assertThat(ObjectUri.parse("s3://data-1/train/tshirt/a.png"))
                .isEqualTo(new ObjectUri("data-1", "train/tshirt/a.png"));
        assertThat(ObjectUri.parse("s3://data-1/train/").key()).isEqualTo("train");
        assertThat(ObjectUri.parse("s3://data-1").key()).isEmpty();
        assertThat(ObjectUri.parse("s3://data-1/").key()).isEmpty();
        assertThat(ObjectUri.parse("S3://data-1/x").toString()).isEqualTo("s3://data-1/x");
    }

    @Test
    void refusesKeysThatAreNotPaths() {
        assertThatThrownBy(() -> ObjectUri.parse("s3://data/train/../secret/a.png"))
                .hasMessageContaining("\"..\" segment");
        assertThatThrownBy(() -> ObjectUri.parse("s3://data/./a.png")).hasMessageContaining("\".\" segment");
        assertThatThrownBy(() -> ObjectUri.parse("s3://data//a.png")).hasMessageContaining("empty segment");
        assertThatThrownBy(() -> ObjectUri.parse("s3://data/a\nb.png")).hasMessageContaining("control character")
                .hasMessageContaining("a\\u000ab.png");
        assertThatThrownBy(() -> ObjectUri.parse("s3://data/a\u0000.png")).hasMessageContaining("control character");
        assertThatThrownBy(() -> ObjectUri.parse("s3://data/" + "k".repeat(1025)))
                .hasMessageContaining("longer than 1024 bytes");
    }

    @Test
    void refusesBucketNamesS3Refuses() {
        for (String bad : new String[]{"s3://ab/x", "s3://Data/x", "s3://-data/x", "s3://da..ta/x", "s3:///x",
                "s3://data_set/x"}) {
            assertThatThrownBy(() -> ObjectUri.parse(bad)).as(bad).hasMessageContaining("is not a bucket name");
        }
    }

    @Test
    void isUnderGoesSegmentBySegment() {
        ObjectUri prefix = ObjectUri.parse("s3://data/train");
        assertThat(ObjectUri.parse("s3://data/train/a.png").isUnder(prefix)).isTrue();
        assertThat(ObjectUri.parse("s3://data/train").isUnder(prefix)).isTrue();
        assertThat(ObjectUri.parse("s3://data/training/a.png").isUnder(prefix)).isFalse();
        assertThat(ObjectUri.parse("s3://other/train/a.png").isUnder(prefix)).isFalse();
        assertThat(ObjectUri.parse("s3://data/anything").isUnder(ObjectUri.parse("s3://data"))).isTrue();
    }

    @Test
    void resolvesAndWalksUp() {
        ObjectUri model = ObjectUri.parse("s3://models/vit/model.onnx");
        assertThat(model.parent()).isEqualTo(ObjectUri.parse("s3://models/vit"));
        assertThat(model.parent().resolve("model.onnx.data").toString()).isEqualTo("s3://models/vit/model.onnx.data");
        assertThat(model.name()).isEqualTo("model.onnx");
        assertThat(ObjectUri.parse("s3://models/top.onnx").parent().listingPrefix()).isEmpty();
        assertThatThrownBy(() -> model.parent().resolve("../other/w.bin")).hasMessageContaining("\"..\" segment");
    }
}
