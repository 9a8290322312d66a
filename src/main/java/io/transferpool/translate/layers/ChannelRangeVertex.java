package io.transferpool.translate.layers;

import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The channels {@code from} to {@code to} (inclusive) of [N, C, H, W] activations: one group's input of a grouped
 * convolution. DL4J's SubsetVertex slices CNN activations correctly but, in 1.0.0-M2.1, reports their channel
 * count as from - to + 1 (negative), which breaks the next layer's configuration; this corrects the output type.
 */
public class ChannelRangeVertex extends SubsetVertex {

    public ChannelRangeVertex(@JsonProperty("from") int from, @JsonProperty("to") int to) {
        super(from, to);
    }

    @Override
    public ChannelRangeVertex clone() {
        return new ChannelRangeVertex(getFrom(), getTo());
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... in) throws InvalidInputTypeException {
        if (in.length == 1 && in[0] instanceof InputType.InputTypeConvolutional c) {
            if (getTo() >= c.getChannels() || getFrom() < 0 || getFrom() > getTo()) {
                throw new InvalidInputTypeException("channels " + getFrom() + " to " + getTo() + " of "
                        + c.getChannels());
            }
            return InputType.convolutional(c.getHeight(), c.getWidth(), getTo() - getFrom() + 1, c.getFormat());
        }
        return super.getOutputType(layerIndex, in);
    }
}
