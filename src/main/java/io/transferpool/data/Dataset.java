package io.transferpool.data;

import java.util.List;
import java.util.Map;

/**
 * The samples of one split and the class names, index = label.
 *
 * @param versions for samples in object storage: the object a ref reads ({@code s3://...}, without an IDX index)
 *                 to its size and ETag as listed, so that what was listed can be recognised later without asking
 *                 the store again for each object; empty for files (their attributes are read from disk)
 */
public record Dataset(List<String> classes, List<Sample> samples, Map<String, String> versions) {
    public Dataset {
        versions = Map.copyOf(versions);
    }

    public Dataset(List<String> classes, List<Sample> samples) {
        this(classes, samples, Map.of());
    }

    public int[] countsPerClass() {
        int[] counts = new int[classes.size()];
        samples.forEach(s -> counts[s.label()]++);
        return counts;
    }
}
