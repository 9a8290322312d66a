package io.transferpool.storage;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3SettingsTest {

    record Config(Optional<String> endpoint, Optional<String> region, Optional<Boolean> pathStyle,
                  int maxConnections, int parallelGets) implements StorageConfig.S3 {
        static Config unset() {
            return new Config(Optional.empty(), Optional.empty(), Optional.empty(), 64, 16);
        }
    }

    @Test
    void awsItselfWhenNothingIsSet() {
        S3Settings s = S3Settings.resolve(Config.unset(), Map.of());
        assertThat(s.endpoint()).isEmpty();
        assertThat(s.pathStyle()).isFalse();
        assertThat(s.region()).isNull(); // the SDK's chain (profile, instance metadata) decides
    }

    @Test
    void theStandardVariablesWorkAndAnEndpointMeansPathStyle() {
        S3Settings s = S3Settings.resolve(Config.unset(), Map.of("AWS_ENDPOINT_URL", "http://minio:9000",
                "AWS_REGION", "eu-west-1"));
        assertThat(s.endpoint()).contains(URI.create("http://minio:9000"));
        assertThat(s.pathStyle()).isTrue();
        assertThat(s.region()).isEqualTo("eu-west-1");
        assertThat(S3Settings.resolve(Config.unset(), Map.of("AWS_ENDPOINT_URL", "http://a:1",
                "AWS_ENDPOINT_URL_S3", "https://b:2")).endpoint()).contains(URI.create("https://b:2"));
        assertThat(S3Settings.resolve(Config.unset(), Map.of("AWS_DEFAULT_REGION", "ap-south-1")).region())
                .isEqualTo("ap-south-1");
    }

    @Test
    void aStoreThatNamesNoRegionGetsUsEast1() {
        assertThat(S3Settings.resolve(Config.unset(), Map.of("AWS_ENDPOINT_URL", "http://minio:9000")).region())
                .isEqualTo("us-east-1");
    }

    @Test
    void configurationWinsOverTheEnvironment() {
        Config c = new Config(Optional.of("https://rgw.example:443"), Optional.of("default"), Optional.of(false), 8, 4);
        S3Settings s = S3Settings.resolve(c, Map.of("AWS_ENDPOINT_URL", "http://minio:9000", "AWS_REGION", "x"));
        assertThat(s.endpoint()).contains(URI.create("https://rgw.example:443"));
        assertThat(s.pathStyle()).isFalse(); // virtual hosts asked for although the endpoint is overridden
        assertThat(s.region()).isEqualTo("default");
        assertThat(s.maxConnections()).isEqualTo(8);
    }

    @Test
    void aBadEndpointIsNamed() {
        Config c = new Config(Optional.of("minio:9000"), Optional.empty(), Optional.empty(), 64, 16);
        assertThatThrownBy(() -> S3Settings.resolve(c, Map.of())).hasMessageContaining("minio:9000")
                .hasMessageContaining("tp.storage.s3.endpoint");
    }
}
