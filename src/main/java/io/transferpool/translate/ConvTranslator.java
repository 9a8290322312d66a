package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.NodeAttributes;
import io.transferpool.model.TensorData;
import io.transferpool.translate.layers.ChannelRangeVertex;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.nd4j.linalg.activations.Activation;

import java.util.Arrays;
import java.util.Set;

/**
 * Conv, 2-D: group 1 onto a ConvolutionLayer, group = input channels (depthwise, with any multiplier) onto a
 * DepthwiseConvolution2D, other groups onto one ConvolutionLayer per group. Asymmetric padding becomes a
 * ZeroPaddingLayer in front.
 */
final class ConvTranslator implements OpTranslator {
    @Override
    public Set<String> ops() {
        return Set.of("Conv");
    }

    @Override
    public void translate(OnnxMl.NodeProto node, TranslationContext ctx) {
        long[] in = ctx.shape(node.getInput(0));
        if (in.length != 4) {
            throw ctx.unsupported(node, "only 2-D convolutions (rank-4 input) are supported, the input has rank "
                    + in.length);
        }
        TensorData w = ctx.constant(node, 0 + 1, "the weight W");
        long cout = w.dims()[0];
        long cinPerGroup = w.dims()[1];
        int[] k = {(int) w.dims()[2], (int) w.dims()[3]};
        NodeAttributes a = new NodeAttributes(node);
        long group = a.i("group", 1);
        long[] strides = a.ints("strides", new long[]{1, 1});
        long[] dil = a.ints("dilations", new long[]{1, 1});
        long[] kernel = {k[0], k[1]};
        Padding p = Padding.of(node, ctx, in, kernel, strides, dil);
        p.checkOutput(node, ctx, in, kernel, strides, dil);
        String out = node.getOutput(0);
        String input = ctx.vertex(node.getInput(0));
        if (!p.symmetric()) {
            String pad = out + "#pad";
            ctx.layer(pad, new ZeroPaddingLayer.Builder(p.top(), p.bottom(), p.left(), p.right()).build(), input);
            input = pad;
            p = new Padding(0, 0, 0, 0);
        }
        boolean hasBias = node.getInputCount() > 2 && !node.getInput(2).isEmpty();
        int[] s = {(int) strides[0], (int) strides[1]};
        int[] pd = {p.top(), p.left()};
        int[] d = {(int) dil[0], (int) dil[1]};
        long cin = in[1];
        Layer layer;
        if (group == 1) {
            layer = new ConvolutionLayer.Builder(k).stride(s).padding(pd).dilation(d).nIn(cin).nOut(cout)
                    .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).hasBias(hasBias)
                    .build();
            ctx.weight(out, "W", node, 1, w, ParamLayout.SAME, new long[]{cout, cin, k[0], k[1]}, 1);
        } else if (group == cin && cinPerGroup == 1) {
            long m = cout / cin;
            layer = new DepthwiseConvolution2D.Builder(k).stride(s).padding(pd).dilation(d).nIn(cin).nOut(cout)
                    .depthMultiplier((int) m).convolutionMode(ConvolutionMode.Truncate)
                    .activation(Activation.IDENTITY).hasBias(hasBias).build();
            ctx.weight(out, "W", node, 1, w, ParamLayout.DEPTHWISE, new long[]{k[0], k[1], cin, m}, 1);
        } else if (group > 1 && cin % group == 0 && cout % group == 0 && cinPerGroup == cin / group) {
            grouped(node, ctx, w, (int) group, input, hasBias, k, s, pd, d);
            return;
        } else {
            throw ctx.unsupported(node, "group=" + group + " does not divide the " + cin + " input and " + cout
                    + " output channels evenly");
        }
        if (hasBias) {
            ctx.weight(out, "b", node, 2, ctx.constant(node, 2, "the bias B"), ParamLayout.SAME,
                    new long[]{1, cout}, 1);
        }
        ctx.layer(out, layer, input);
        ctx.produces(out, out);
    }

    /**
     * A grouped convolution (RegNet, ResNeXt) as one convolution per group on its slice of the channels, then the
     * group outputs concatenated; each group's weights are its slice of the ONNX weight (and bias).
     */
    private static void grouped(OnnxMl.NodeProto node, TranslationContext ctx, TensorData w, int group, String input,
                                boolean hasBias, int[] k, int[] s, int[] pd, int[] d) {
        String out = node.getOutput(0);
        long cout = w.dims()[0];
        long cinG = w.dims()[1];
        long coutG = cout / group;
        long perGroup = coutG * cinG * k[0] * k[1];
        TensorData bias = hasBias ? ctx.constant(node, 2, "the bias B") : null;
        String[] parts = new String[group];
        for (int g = 0; g < group; g++) {
            String slice = out + "#in" + g;
            ctx.vertex(slice, new ChannelRangeVertex((int) (g * cinG), (int) ((g + 1) * cinG - 1)), input);
            String conv = out + "#group" + g;
            ctx.layer(conv, new ConvolutionLayer.Builder(k).stride(s).padding(pd).dilation(d).nIn(cinG).nOut(coutG)
                    .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).hasBias(hasBias)
                    .build(), slice);
            float[] wg = Arrays.copyOfRange(w.values(), (int) (g * perGroup), (int) ((g + 1) * perGroup));
            ctx.weight(conv, "W", node, 1, w.dims(), new TensorData(new long[]{coutG, cinG, k[0], k[1]}, wg),
                    g * perGroup, ParamLayout.SAME, new long[]{coutG, cinG, k[0], k[1]}, 1);
            if (bias != null) {
                float[] bg = Arrays.copyOfRange(bias.values(), (int) (g * coutG), (int) ((g + 1) * coutG));
                ctx.weight(conv, "b", node, 2, bias.dims(), new TensorData(new long[]{coutG}, bg), g * coutG,
                        ParamLayout.SAME, new long[]{1, coutG}, 1);
            }
            parts[g] = conv;
        }
        ctx.vertex(out, new MergeVertex(), parts);
        ctx.produces(out, out);
    }
}
