package io.transferpool.model;

import java.util.List;

/**
 * One tensor of a graph as {@code model inspect} lists it: the op that makes it ("input" for a graph input), its
 * shape for a batch of one (empty if unknown), the parameters of that op, and whether it is a good cut point.
 */
public record TensorInfo(String name, String op, List<Long> shape, long parameters, boolean goodCut) {

    public long featureSize() {
        return shape.size() < 2 ? -1 : shape.stream().skip(1).reduce(1L, (a, b) -> a * b);
    }
}
