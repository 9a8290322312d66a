package io.transferpool.train;

import io.transferpool.storage.Mirror;
import io.transferpool.learning.Checkpoints;
import io.transferpool.learning.LoopState;
import io.transferpool.learning.Network;
import io.transferpool.messaging.Json;
import org.jboss.logging.Logger;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checkpoints of one submission of one job where every trainer reaches them (under the artifacts store: a shared
 * folder, or a bucket prefix mirrored by a local folder, {@link Mirror}): the
 * loop's state as JSON, the weights, the optimizer state and the best checkpoint's weights as ND4J binaries. Each
 * save goes to a new folder (named by attempt and epoch) and then the {@code latest} pointer is replaced
 * atomically, so a trainer killed mid-save leaves the previous checkpoint intact. Also counts the attempts
 * (trainers that started the job).
 */
public final class CheckpointStore implements Checkpoints {
    private static final Logger LOG = Logger.getLogger(CheckpointStore.class);

    /** When to save: every {@code epochs} epochs or {@code seconds} seconds, whichever comes first; 0 turns off. */
    public record Policy(int epochs, double seconds) {
        public static final Policy OFF = new Policy(0, 0);

        boolean off() {
            return epochs <= 0 && seconds <= 0;
        }
    }

    private final Mirror mirror;
    private final Path dir;
    private final Policy policy;
    private long lastSave = System.nanoTime();
    /** This trainer's attempt: its checkpoint folders carry it, so two attempts never write the same files. */
    private int attempt;

    public CheckpointStore(Path dir, Policy policy) {
        this(Mirror.local(dir), policy);
    }

    public CheckpointStore(Mirror mirror, Policy policy) {
        this.mirror = mirror;
        this.dir = mirror.dir();
        this.policy = policy;
    }

    @Override
    public CheckpointStore child(String name) {
        CheckpointStore c = new CheckpointStore(mirror.child(name), policy);
        c.attempt = attempt;
        return c;
    }

    /** Counts one more trainer starting the job; returns how many have (1 for the first). */
    public int nextAttempt() throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("attempts");
        int attempts = 1;
        try {
            Optional<byte[]> before = mirror.read(file);
            if (before.isPresent()) {
                attempts = Integer.parseInt(new String(before.get(), StandardCharsets.US_ASCII).trim()) + 1;
            }
        } catch (NumberFormatException e) {
            // unreadable: counted as the first attempt
        }
        mirror.write(file, Integer.toString(attempts).getBytes(StandardCharsets.US_ASCII));
        attempt = attempts;
        return attempts;
    }

    @Override
    public boolean hasSaved() {
        try {
            return !policy.off() && mirror.read(dir.resolve("latest")).isPresent();
        } catch (IOException e) {
            LOG.warnf("Cannot read the checkpoint pointer in %s: %s", mirror.uri(dir), e.getMessage());
            return false;
        }
    }

    @Override
    public Optional<Saved> restore(Network net) throws IOException {
        Optional<byte[]> pointer = policy.off() ? Optional.empty() : mirror.read(dir.resolve("latest"));
        if (pointer.isEmpty()) {
            return Optional.empty();
        }
        Path current = dir.resolve(new String(pointer.get(), StandardCharsets.US_ASCII).trim());
        if (!current.normalize().getParent().equals(dir.normalize())) {
            throw new IOException("checkpoint pointer in " + mirror.uri(dir) + " names " + current.getFileName()
                    + ", not a checkpoint folder");
        }
        for (String f : new String[]{"state.json", "params.bin", "best.bin"}) {
            if (!mirror.pull(current.resolve(f))) {
                throw new IOException("checkpoint " + mirror.uri(current) + " has no " + f);
            }
        }
        mirror.pull(current.resolve("updater.bin"));
        LoopState state = Json.read(Files.readAllBytes(current.resolve("state.json")), LoopState.class);
        net.setParams(read(current.resolve("params.bin")));
        if (Files.exists(current.resolve("updater.bin"))) {
            net.setUpdaterState(read(current.resolve("updater.bin")));
        }
        net.setIterations(state.iterations());
        LOG.infof("Resuming from the checkpoint after epoch %d in %s", state.epoch(), mirror.uri(current));
        return Optional.of(new Saved(state, read(current.resolve("best.bin"))));
    }

    @Override
    public boolean due(int epoch) {
        return !policy.off() && (policy.epochs() > 0 && epoch % policy.epochs() == 0
                || policy.seconds() > 0 && (System.nanoTime() - lastSave) / 1e9 >= policy.seconds());
    }

    @Override
    public void save(LoopState state, INDArray bestParams, Network net) throws IOException {
        String prefix = "a" + attempt + "-epoch-";
        String name = prefix + state.epoch();
        Path target = dir.resolve(name);
        Files.createDirectories(target);
        mirror.write(target.resolve("state.json"), Json.bytes(state));
        write(target.resolve("params.bin"), net.params());
        INDArray updater = net.updaterState();
        if (updater != null) {
            write(target.resolve("updater.bin"), updater);
        }
        write(target.resolve("best.bin"), bestParams);
        // the pointer last: a trainer killed mid-save leaves the previous checkpoint the one in effect
        mirror.write(dir.resolve("latest"), name.getBytes(StandardCharsets.US_ASCII));
        lastSave = System.nanoTime();
        // Only this attempt's older folders: an attempt that lost the job may still be finishing an epoch.
        Set<String> old = new TreeSet<>();
        for (Mirror.Listed l : mirror.list(dir)) {
            int slash = l.path().indexOf('/');
            if (slash > 0 && l.path().startsWith(prefix) && !l.path().substring(0, slash).equals(name)) {
                old.add(l.path().substring(0, slash));
            }
        }
        for (String folder : old) {
            mirror.delete(dir.resolve(folder));
        }
    }

    /** Removes every checkpoint of the job (its result is out). */
    public void clear() {
        try {
            mirror.delete(dir);
        } catch (IOException e) {
            LOG.warnf("Could not remove checkpoints in %s: %s", mirror.uri(dir), e.getMessage());
        }
    }

    private void write(Path file, INDArray array) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        // Buffered: Nd4j.write writes element by element, which unbuffered is one system call per value (seconds
        // for a head of a million parameters).
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
             DataOutputStream data = new DataOutputStream(out)) {
            Nd4j.write(array, data);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        mirror.push(file);
    }

    private static INDArray read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
             DataInputStream data = new DataInputStream(in)) {
            return Nd4j.read(data);
        }
    }

}
