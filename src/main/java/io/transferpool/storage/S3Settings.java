package io.transferpool.storage;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * How the S3 client is set up, decided from {@link StorageConfig.S3} and the environment as the AWS CLI would:
 * an endpoint from the configuration, else AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL; path-style access on with
 * an endpoint override unless configured; the region from the configuration, else left to the SDK's chain
 * (AWS_REGION, AWS_DEFAULT_REGION, the profile), and us-east-1 for an S3-compatible store that names none.
 *
 * @param region null: the SDK's chain decides
 */
public record S3Settings(Optional<URI> endpoint, String region, boolean pathStyle, int maxConnections) {

    public static S3Settings resolve(StorageConfig.S3 config, Map<String, String> env) {
        Optional<String> endpoint = config.endpoint().filter(s -> !s.isBlank())
                .or(() -> nonBlank(env.get("AWS_ENDPOINT_URL_S3")))
                .or(() -> nonBlank(env.get("AWS_ENDPOINT_URL")));
        Optional<URI> uri = endpoint.map(S3Settings::endpoint);
        String region = config.region().filter(s -> !s.isBlank())
                .or(() -> nonBlank(env.get("AWS_REGION")))
                .or(() -> nonBlank(env.get("AWS_DEFAULT_REGION")))
                .orElse(uri.isPresent() ? "us-east-1" : null);
        boolean pathStyle = config.pathStyle().orElse(uri.isPresent());
        if (config.maxConnections() < 1) {
            throw new IllegalArgumentException("tp.storage.s3.max-connections: must be at least 1, got "
                    + config.maxConnections());
        }
        return new S3Settings(uri, region, pathStyle, config.maxConnections());
    }

    private static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
    }

    private static URI endpoint(String s) {
        URI uri;
        try {
            uri = URI.create(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("S3 endpoint \"" + s + "\" is not a URI: " + e.getMessage());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("S3 endpoint \"" + s + "\" must be http://host[:port] or "
                    + "https://host[:port] (tp.storage.s3.endpoint, AWS_ENDPOINT_URL)");
        }
        return uri;
    }
}
