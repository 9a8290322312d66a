package io.transferpool.storage;

import io.transferpool.paths.PathResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The object store and the storage's confinement against a real S3-compatible server (S3Proxy). */
class ObjectStoreIT {
    @TempDir
    static Path dir;
    static S3ProxyServer server;

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.start(dir.resolve("s3"));
        server.bucket("data");
        server.bucket("other");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ObjectStore pages(int size) {
        return new ObjectStore(server.client(), size);
    }

    @Test
    void readsHeadsAndRefusesWhatIsTooLargeFromItsLength() throws Exception {
        ObjectUri uri = ObjectUri.parse("s3://data/read/a.bin");
        server.store().put("hello".getBytes(StandardCharsets.UTF_8), uri);
        assertThat(server.store().read(uri, 5)).asString(StandardCharsets.UTF_8).isEqualTo("hello");
        assertThat(server.store().head(uri)).get().extracting(ObjectStore.Head::size).isEqualTo(5L);
        assertThatThrownBy(() -> server.store().read(uri, 4)).isInstanceOf(ObjectStore.TooLargeException.class)
                .hasMessageContaining("5 bytes, more than the 4 allowed");
        assertThat(server.store().head(ObjectUri.parse("s3://data/read/none"))).isEmpty();
        assertThatThrownBy(() -> server.store().read(ObjectUri.parse("s3://data/read/none"), 10))
                .isInstanceOf(ObjectStore.MissingObjectException.class).hasMessageContaining("does not exist");
    }

    @Test
    void listsOneLevelAndEverythingPageByPage() throws Exception {
        ObjectUri root = ObjectUri.parse("s3://data/list");
        for (int i = 0; i < 7; i++) {
            server.store().put(new byte[i], root.resolve("cats/" + i + ".png"));
        }
        server.store().put(new byte[1], root.resolve("dogs/a.png"));
        server.store().put(new byte[1], root.resolve("top.txt"));
        List<ObjectStore.Entry> top = pages(2).children(root).toList();
        assertThat(top).extracting(e -> e.name() + (e.folder() ? "/" : ""))
                .containsExactlyInAnyOrder("cats/", "dogs/", "top.txt");
        assertThat(pages(2).children(root.resolve("cats")).toList()).hasSize(7)
                .extracting(ObjectStore.Entry::size).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(pages(3).all(root).toList()).hasSize(9).allMatch(e -> e.etag() != null);
    }

    @Test
    void aListingOfAMissingBucketFailsSayingSo() {
        assertThatThrownBy(() -> server.store().children(ObjectUri.parse("s3://nobucket/x")).toList()).isInstanceOf(ObjectStore.ListingException.class).hasMessageContaining("nobucket");
    }

    @Test
    void theCacheKeepsACopyUntilTheObjectChanges() throws Exception {
        ObjectUri uri = ObjectUri.parse("s3://data/cache/m.onnx");
        server.store().put("one".getBytes(StandardCharsets.UTF_8), uri);
        ObjectCache cache = new ObjectCache(dir.resolve("cache"));
        Path copy = cache.copy(server.store(), uri, 100);
        assertThat(copy).hasContent("one").startsWith(dir.resolve("cache")).endsWith(Path.of("data/cache/m.onnx"));
        Files.writeString(copy, "own"); // a copy changed locally but same length: the ETag still matches, kept
        assertThat(cache.copy(server.store(), uri, 100)).hasContent("own");
        server.store().put("two!".getBytes(StandardCharsets.UTF_8), uri);
        assertThat(cache.copy(server.store(), uri, 100)).hasContent("two!");
        assertThatThrownBy(() -> cache.copy(server.store(), uri, 3)).isInstanceOf(ObjectStore.TooLargeException.class);
    }

    @Test
    void aMirrorPushesReadsPullsListsAndDeletesThroughTheBucket() throws Exception {
        Mirror m = Mirror.of(dir.resolve("mirror-a"), server.store(), ObjectUri.parse("s3://data/mirror"));
        Path file = dir.resolve("mirror-a/job/checkpoints/latest");
        m.write(file, "a1-epoch-2".getBytes(StandardCharsets.US_ASCII));
        assertThat(m.uri(file)).isEqualTo("s3://data/mirror/job/checkpoints/latest");
        // another process, another local folder: it sees what the first pushed
        Mirror other = Mirror.of(dir.resolve("mirror-b"), server.store(), ObjectUri.parse("s3://data/mirror"));
        Path there = dir.resolve("mirror-b/job/checkpoints/latest");
        assertThat(other.read(there)).hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.US_ASCII))
                .isEqualTo("a1-epoch-2"));
        assertThat(Files.exists(there)).isFalse();
        assertThat(other.pull(there)).isTrue();
        assertThat(there).hasContent("a1-epoch-2");
        assertThat(other.pull(there.resolveSibling("none"))).isFalse();
        assertThat(other.list(dir.resolve("mirror-b/job"))).extracting(Mirror.Listed::path)
                .containsExactly("checkpoints/latest");
        other.delete(dir.resolve("mirror-b/job"));
        assertThat(m.read(file)).isEmpty();
        assertThat(Files.exists(there)).isFalse();
        assertThat(other.child("job").uri(dir.resolve("mirror-b/job/x"))).isEqualTo("s3://data/mirror/job/x");
        Mirror local = Mirror.local(dir.resolve("mirror-c"));
        local.write(dir.resolve("mirror-c/f"), new byte[]{1});
        assertThat(local.remote()).isFalse();
        assertThat(local.uri(dir.resolve("mirror-c/f"))).startsWith("file:");
        assertThat(local.read(dir.resolve("mirror-c/f"))).get().isEqualTo(new byte[]{1});
    }

    @Test
    void anImageFolderInABucketIsListedAsOnDiskAndItsObjectsVersioned() throws Exception {
        ObjectUri root = ObjectUri.parse("s3://data/folder");
        server.store().put(new byte[]{1}, root.resolve("train/cat/b.png"));
        server.store().put(new byte[]{2}, root.resolve("train/cat/a.PNG"));
        server.store().put(new byte[]{3}, root.resolve("train/cat/notes.txt"));
        server.store().put(new byte[]{4}, root.resolve("train/dog/c.jpg"));
        Storage storage = new Storage(new PathResolver(dir), AllowList.of(List.of("s3://data/folder")),
                server::store, new ObjectCache(dir.resolve("c3")), 4);
        var source = new io.transferpool.job.JobSpec.Source("s3://data/folder/train",
                io.transferpool.job.JobSpec.Format.IMAGE_FOLDER, null, List.of());
        var ds = io.transferpool.data.DatasetLister.list(storage, "data.train", source, List.of());
        assertThat(ds.classes()).containsExactly("cat", "dog");
        assertThat(ds.samples()).extracting(io.transferpool.data.Sample::ref, io.transferpool.data.Sample::label)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("s3://data/folder/train/cat/a.PNG", 0),
                        org.assertj.core.groups.Tuple.tuple("s3://data/folder/train/cat/b.png", 0),
                        org.assertj.core.groups.Tuple.tuple("s3://data/folder/train/dog/c.jpg", 1));
        String listed = ds.versions().get("s3://data/folder/train/cat/b.png");
        assertThat(listed).isEqualTo(storage.version("s3://data/folder/train/cat/b.png")).startsWith("1 ");
        server.store().put(new byte[]{9, 9}, root.resolve("train/cat/b.png"));
        assertThat(storage.version("s3://data/folder/train/cat/b.png")).isNotEqualTo(listed);
        assertThatThrownBy(() -> io.transferpool.data.DatasetLister.list(storage, "data.train",
                new io.transferpool.job.JobSpec.Source("s3://data/folder/train", io.transferpool.job.JobSpec.Format
                        .IMAGE_FOLDER, null, List.of()), List.of("cat"))).hasMessageContaining("data.train.uri")
                .hasMessageContaining("class folder \"dog\" is not one of the classes [cat]");
    }

    @Test
    void idxFilesInABucketAreListedAndDecodedFromTheirLocalCopy() throws Exception {
        byte[] images = new byte[5 * 2 * 2];
        for (int i = 0; i < images.length; i++) {
            images[i] = (byte) i;
        }
        Path local = Files.createDirectories(dir.resolve("idx"));
        idx(local.resolve("img.gz"), 0x803, new int[]{5, 2, 2}, images);
        idx(local.resolve("lbl.gz"), 0x801, new int[]{5}, new byte[]{6, 0, 3, 0, 6});
        server.putTree(local, ObjectUri.parse("s3://data/idx"));
        Storage storage = new Storage(new PathResolver(dir), AllowList.of(List.of("s3://data/idx")),
                server::store, new ObjectCache(dir.resolve("c5")), 4);
        var source = new io.transferpool.job.JobSpec.Source("s3://data/idx/img.gz",
                io.transferpool.job.JobSpec.Format.IDX, "s3://data/idx/lbl.gz", List.of(6, 0));
        var ds = io.transferpool.data.DatasetLister.list(storage, "data.train", source, List.of());
        assertThat(ds.samples()).extracting(io.transferpool.data.Sample::ref)
                .containsExactly("s3://data/idx/img.gz#0", "s3://data/idx/img.gz#1", "s3://data/idx/img.gz#3",
                        "s3://data/idx/img.gz#4");
        var third = new io.transferpool.data.ImageDecoder(storage).decode("s3://data/idx/img.gz#3");
        assertThat(third.at(1, 1, 0)).isEqualTo(15);
        assertThatThrownBy(() -> io.transferpool.data.DatasetLister.list(storage, "data.train",
                new io.transferpool.job.JobSpec.Source("s3://data/idx/img.gz", io.transferpool.job.JobSpec.Format.IDX,
                        "s3://data/idx/none.gz", List.of()), List.of()))
                .hasMessageContaining("data.train.labels").hasMessageContaining("does not exist");
    }

    private static void idx(Path file, int magic, int[] dims, byte[] data) throws java.io.IOException {
        try (var out = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        }
    }

    @Test
    void aStoreThatCannotBeReachedRejectsTheJobNamingTheField() {
        Storage unreachable = new Storage(new PathResolver(dir), AllowList.of(List.of("s3://data")), () -> {
            throw new IllegalArgumentException("Unable to load region from any of the providers in the chain");
        }, new ObjectCache(dir.resolve("c4")), 4);
        var validator = new io.transferpool.admission.JobValidator(unreachable);
        var spec = io.transferpool.job.JobParser.parse(io.transferpool.TestFiles.job("unreachable",
                "s3://data/m.onnx", "s3://data/train", null, 1)).orThrow();
        var facts = validator.check(spec);
        assertThat(facts.errors()).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo("baseModel.uri");
            assertThat(e.problem()).contains("cannot be reached", "Unable to load region", "AWS_REGION");
        }).anySatisfy(e -> {
            assertThat(e.field()).isEqualTo("data.train.uri");
            assertThat(e.problem()).contains("cannot be reached");
        });
    }

    @Test
    void storageConfinesJobFieldsAndRefsToTheAllowList() throws Exception {
        Storage storage = new Storage(new PathResolver(dir), AllowList.of(List.of("s3://data/train")),
                server::store, new ObjectCache(dir.resolve("c2")), 4);
        assertThat(storage.resolve("data.train.uri", "s3://data/train/x")).isInstanceOf(Location.StoredObject.class);
        assertThatThrownBy(() -> storage.resolve("data.train.uri", "s3://other/train"))
                .hasMessageContaining("data.train.uri").hasMessageContaining("outside the allowed buckets");
        assertThatThrownBy(() -> storage.resolve("data.train.uri", "s3://data/train/../test"))
                .hasMessageContaining("data.train.uri").hasMessageContaining("\"..\" segment");
        assertThatThrownBy(() -> storage.locate("s3://data/test/a.png"))
                .isInstanceOf(PathResolver.OutsideRootException.class);
        assertThatThrownBy(() -> Storage.local(dir).resolve("baseModel.uri", "s3://data/train/m.onnx"))
                .hasMessageContaining("baseModel.uri").hasMessageContaining("reads no object storage");
        assertThatThrownBy(() -> storage.resolve("data.train.uri", "gs://data/train"))
                .hasMessageContaining("only local paths");
    }
}
