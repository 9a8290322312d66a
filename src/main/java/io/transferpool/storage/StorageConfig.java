package io.transferpool.storage;

import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Object storage ({@code tp.storage.*}): which buckets a pool may use and how it reaches them. Per pool, never per
 * job: a job names objects ({@code s3://bucket/key}), never an endpoint or credentials. Credentials come from the
 * AWS SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, web identity in Kubernetes, a profile).
 */
public interface StorageConfig {
    /**
     * Buckets and prefixes jobs may name and artifacts may go to, comma-separated {@code s3://bucket[/prefix]};
     * anything else is refused naming the field. Empty (the default): no object storage.
     */
    Optional<List<String>> allowed();

    /** Local copies of whole objects a worker opens as files (base models, IDX files): default work-dir/object-cache. */
    Optional<Path> cacheDir();

    S3 s3();

    /** How the S3 client connects. */
    interface S3 {
        /**
         * Endpoint of an S3-compatible store (MinIO, Ceph RGW, S3Proxy), e.g. {@code http://minio:9000}; unset:
         * AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, else AWS itself.
         */
        Optional<String> endpoint();

        /** Region; unset: the SDK's chain (AWS_REGION, the profile), else us-east-1 with an endpoint override. */
        Optional<String> region();

        /**
         * Path-style requests ({@code endpoint/bucket/key}) rather than virtual hosts; unset: on with an endpoint
         * override (what S3-compatible stores serve), off for AWS.
         */
        @WithName("path-style")
        Optional<Boolean> pathStyle();

        /** HTTP connections the client keeps open (bounds parallel GETs of every stream together). */
        @WithDefault("64")
        int maxConnections();

        /** Images one extractor stream fetches at once from a bucket while it decodes the ones already in. */
        @WithDefault("16")
        int parallelGets();
    }
}
