package io.transferpool.translate.layers;

import org.deeplearning4j.nn.conf.inputs.InputType;

import java.util.Arrays;

/**
 * The DL4J input type that stands for a tensor of any rank. DL4J only reasons about [N, K], [N, C, T] and
 * [N, C, H, W]; the vertices of this package work on arrays of any rank and layout, and report a type that mirrors
 * the array's dimensions in that order (rank 2 feed-forward, rank 3 recurrent, rank 4 convolutional) so the DL4J
 * layers that follow (convolutions after a transpose back to NCHW, the new head on a vector) see the right sizes.
 * Other ranks are reported as feed-forward of their element count: only this package's vertices read them.
 */
public final class TensorTypes {
    private TensorTypes() {
    }

    /** @param shape the tensor's dimensions for a batch of one */
    public static InputType of(long[] shape) {
        return switch (shape.length) {
            case 2 -> InputType.feedForward(shape[1]);
            case 3 -> InputType.recurrent(shape[1], shape[2]);
            case 4 -> InputType.convolutional(shape[2], shape[3], shape[1]);
            default -> InputType.feedForward(Math.max(1, Arrays.stream(shape).skip(1).reduce(1, (a, b) -> a * b)));
        };
    }
}
