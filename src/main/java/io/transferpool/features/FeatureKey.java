package io.transferpool.features;

import io.transferpool.storage.Storage;
import io.transferpool.data.Dataset;
import io.transferpool.data.Sample;
import io.transferpool.job.JobSpec;
import io.transferpool.messaging.FeatureType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a job's features depend on, as one SHA-256: the base model (its digest and its external data's), where it
 * is cut (or frozen), its input, the preprocessing, how values go on the wire (float16 rounds them), and every
 * sample of each split in order (reference, label, and the file's size and modification time). Two jobs with the same key get the same feature rows from the
 * extractors, so the second may reuse the first's; a file written since changes its size or time, and so the key.
 * Training settings (head, optimizer, validation split) are not part of it.
 */
public final class FeatureKey {
    /** Changes when what the key covers, or how kept features are laid out, changes. */
    static final String VERSION = "tp-features-2";

    private FeatureKey() {
    }

    /**
     * @param spec        the settled job (input name and cut filled in)
     * @param modelSha256 the base model file's digest
     * @param test        null when the job has no test split
     * @param storage     where sample references are read from
     * @param wire        how the extractors send values ({@code tp.extract.feature-type}): float16 rows differ
     * @throws IOException when a sample's file cannot be read (then nothing is reused or kept)
     */
    public static String of(JobSpec spec, String modelSha256, Dataset train, Dataset test, Storage storage,
                            FeatureType wire) throws IOException {
        MessageDigest sha = sha256();
        line(sha, VERSION);
        line(sha, "model " + modelSha256);
        Map<String, String> external = spec.baseModel().externalSha256();
        line(sha, "external " + (external == null ? "{}" : new TreeMap<>(external)));
        line(sha, "input " + spec.baseModel().input());
        line(sha, "at " + spec.extractAt());
        line(sha, "preprocess " + spec.preprocess());
        line(sha, "wire " + wire);
        Map<String, String> stats = new HashMap<>();
        split(sha, "train", train, storage, stats);
        split(sha, "test", test, storage, stats);
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void split(MessageDigest sha, String name, Dataset ds, Storage storage, Map<String, String> stats)
            throws IOException {
        if (ds == null) {
            line(sha, name + " none");
            return;
        }
        line(sha, name + " " + ds.classes() + " " + ds.samples().size());
        for (Sample s : ds.samples()) {
            // an IDX sample is "file#index": the file's size and time stand for all its images
            int hash = s.ref().lastIndexOf('#');
            String file = hash < 0 ? s.ref() : s.ref().substring(0, hash);
            // an object's size and ETag as listed stand for it (no HEAD per image); a file's are read
            String stat = stats.computeIfAbsent(file, ds.versions()::get);
            if (stat == null) {
                stat = storage.version(file);
                stats.put(file, stat);
            }
            line(sha, s.id() + " " + s.label() + " " + s.ref() + " " + stat);
        }
    }

    private static void line(MessageDigest sha, String text) {
        sha.update(text.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
