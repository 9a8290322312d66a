package io.transferpool.learning;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Splits row indices into training and validation so each class keeps its share in both (rounded per class),
 * shuffled with the job's seed: the same job always validates on the same samples.
 */
public record StratifiedSplit(int[] train, int[] validation) {

    public static StratifiedSplit of(int[] labels, int classes, double validationFraction, long seed) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        Random rnd = new Random(seed);
        List<Integer> train = new ArrayList<>();
        List<Integer> val = new ArrayList<>();
        for (List<Integer> rows : byClass) {
            Collections.shuffle(rows, rnd);
            int nVal = (int) Math.round(rows.size() * validationFraction);
            if (validationFraction > 0 && nVal == 0 && rows.size() > 1) {
                nVal = 1;
            }
            val.addAll(rows.subList(0, nVal));
            train.addAll(rows.subList(nVal, rows.size()));
        }
        Collections.sort(train);
        Collections.sort(val);
        return new StratifiedSplit(train.stream().mapToInt(i -> i).toArray(), val.stream().mapToInt(i -> i).toArray());
    }
}
