package io.transferpool.storage;

import io.transferpool.Await;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An S3-compatible server for tests: S3Proxy (copied to target/s3proxy by the build) as a child process over a
 * filesystem backend (buckets are folders of {@code dir}), on a port it picks itself and names in its log, with
 * SigV4 authentication. The pool's clients find its credentials through the SDK's default chain (the
 * {@code aws.accessKeyId} and {@code aws.secretAccessKey} system properties, set here), as users' find theirs in the
 * environment.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "tp-test-access";
    public static final String SECRET_KEY = "tp-test-secret-key";
    private static final Pattern STARTED = Pattern.compile("Started ServerConnector.*\\{127\\.0\\.0\\.1:(\\d+)}");

    private final Process process;
    private final URI endpoint;
    private final Path dir;
    private final ObjectStore store;
    private final S3Client client;

    private S3ProxyServer(Process process, URI endpoint, Path dir) {
        this.process = process;
        this.endpoint = endpoint;
        this.dir = dir;
        this.client = S3Client.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY,
                        SECRET_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build();
        this.store = new ObjectStore(client);
    }

    /** The jar the build copied (run from the project folder, as Maven's tests and benchmarks are). */
    public static Path jar() {
        Path jar = Path.of(System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the build copies it (mvn process-test-resources)");
        }
        return jar;
    }

    /** Starts a server keeping its buckets in {@code dir}, and waits until it listens. */
    public static S3ProxyServer start(Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("buckets"));
        Path conf = dir.resolve("s3proxy.conf");
        Files.writeString(conf, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:0",
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + data,
                ""));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx512m", "-jar", jar().toString(), "--properties", conf.toString())
                .redirectErrorStream(true).start();
        ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
        String[] port = new String[1];
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (log.size() < 200) {
                        log.add(line);
                    }
                    Matcher m = STARTED.matcher(line);
                    if (m.find()) {
                        synchronized (port) {
                            port[0] = m.group(1);
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "s3proxy-log");
        reader.setDaemon(true);
        reader.start();
        String found;
        try {
            found = Await.value(() -> "S3Proxy to listen; its log: " + String.join("\n", log), Duration.ofSeconds(60),
                    () -> {
                        if (!p.isAlive()) {
                            throw new IllegalStateException("S3Proxy exited " + p.exitValue() + ": "
                                    + String.join("\n", log));
                        }
                        synchronized (port) {
                            return port[0];
                        }
                    });
        } catch (Throwable t) {
            p.destroyForcibly();
            throw t;
        }
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        return new S3ProxyServer(p, URI.create("http://127.0.0.1:" + found), data);
    }

    public URI endpoint() {
        return endpoint;
    }

    /** A store with this server's credentials, for tests to put and look at objects. */
    public ObjectStore store() {
        return store;
    }

    public S3Client client() {
        return client;
    }

    /** Makes a bucket. */
    public void bucket(String name) {
        client.createBucket(b -> b.bucket(name));
    }

    /** Copies a local folder tree under {@code prefix}, one object per file, keys its relative paths. */
    public void putTree(Path folder, ObjectUri prefix) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(folder)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String rel = folder.relativize(f).toString().replace('\\', '/');
            store.upload(f, prefix.resolve(rel));
        }
    }

    /** What a pool needs to reach this server (tp.* keys), with the buckets and prefixes it may use. */
    public Map<String, String> poolSettings(String allowed) {
        return Map.of("tp.storage.s3.endpoint", endpoint.toString(), "tp.storage.allowed", allowed);
    }

    /** CPU time the server process used so far (benchmarks: what serving cost beside the pool). */
    public java.time.Duration cpu() {
        return process.toHandle().info().totalCpuDuration().orElse(java.time.Duration.ZERO);
    }

    /** The backend folder (buckets are its folders). */
    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        client.close();
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
