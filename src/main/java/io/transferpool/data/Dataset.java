package io.transferpool.data;

import java.util.List;

/** The samples of one split and the class names, index = label. */
public record Dataset(List<String> classes, List<Sample> samples) {

    public int[] countsPerClass() {
        int[] counts = new int[classes.size()];
        samples.forEach(s -> counts[s.label()]++);
        return counts;
    }
}
