package io.transferpool.features;

import io.transferpool.storage.Mirror;
import io.transferpool.storage.ObjectUri;
import io.transferpool.storage.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.transferpool.features.FeatureCacheTest.assertSameRows;
import static io.transferpool.features.FeatureCacheTest.store;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kept features in a bucket (tp.artifacts-dir=s3://...): two trainers, each with a local folder of its own, share
 * entries through the bucket only; an entry evicted between finding and loading it, and a half-made local copy a
 * dead trainer left, are both handled (S3Proxy as the store).
 */
class FeatureCacheInABucketIT {
    @TempDir
    static Path shared;
    static S3ProxyServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.start(shared.resolve("s3"));
        server.bucket("artifacts");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A trainer's view of the kept features under {@code prefix}: its own local folder, the shared bucket. */
    private FeatureCache trainer(String name, String prefix) {
        Path local = dir.resolve(name);
        return new FeatureCache(new FeatureCache.Policy(local, 1 << 20), Mirror.of(local, server.store(),
                ObjectUri.parse("s3://artifacts/" + prefix)));
    }

    @Test
    void anEntryKeptByOneTrainerIsLoadedByAnotherThroughTheBucket() throws Exception {
        FeatureCache a = trainer("a", "share");
        FeatureCache b = trainer("b", "share");
        try (FeatureStore train = store(dir, 20, 7, 1); FeatureStore test = store(dir, 5, 7, 2);
             FeatureStore train2 = store(dir, 0, 7, 3); FeatureStore test2 = store(dir, 0, 7, 4)) {
            a.keep("k1", "job-a", train, test, List.of());
            assertThat(Files.exists(dir.resolve("a/k1"))).as("the local copy was only the way up").isFalse();
            assertThat(b.load("k1", train2, test2)).isPresent();
            assertSameRows(train, train2);
            assertSameRows(test, test2);
            assertThat(Files.exists(dir.resolve("b/k1"))).as("nor is the downloaded one kept").isFalse();
        }
    }

    @Test
    void anEntryEvictedBetweenFindingAndLoadingItIsGoneNotBroken() throws Exception {
        FeatureCache a = trainer("a", "evicted");
        FeatureCache b = trainer("b", "evicted");
        try (FeatureStore train = store(dir, 20, 7, 1); FeatureStore test = store(dir, 5, 7, 2);
             FeatureStore train2 = store(dir, 0, 7, 3); FeatureStore test2 = store(dir, 0, 7, 4)) {
            a.keep("k2", "job-a", train, test, List.of());
            assertThat(b.find("k2")).isPresent();
            // another trainer's eviction takes the rows (the entry file goes last)
            server.store().delete(ObjectUri.parse("s3://artifacts/evicted/k2/train.rows"));
            assertThat(b.load("k2", train2, test2)).isEmpty();
            assertThat(train2.size()).isZero();
            assertThat(Files.exists(dir.resolve("b/k2"))).isFalse();
        }
    }

    @Test
    void aHalfMadeLocalCopyADeadTrainerLeftDoesNotStopTheUpload() throws Exception {
        FeatureCache a = trainer("a", "stale");
        FeatureCache b = trainer("b", "stale");
        Files.createDirectories(dir.resolve("a/k3"));
        Files.writeString(dir.resolve("a/k3/train.rows"), "half an upload");
        try (FeatureStore train = store(dir, 20, 7, 1); FeatureStore test = store(dir, 5, 7, 2);
             FeatureStore train2 = store(dir, 0, 7, 3); FeatureStore test2 = store(dir, 0, 7, 4)) {
            a.keep("k3", "job-a", train, test, List.of());
            assertThat(b.load("k3", train2, test2)).as("kept in the bucket").isPresent();
            assertSameRows(train, train2);
        }
    }
}
