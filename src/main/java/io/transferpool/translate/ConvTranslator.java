package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.TensorData;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.nd4j.linalg.activations.Activation;

import java.util.Set;

/**
 * Conv, 2-D: group 1 onto a ConvolutionLayer, group = input channels (depthwise, with any multiplier) onto a
 * DepthwiseConvolution2D. Asymmetric padding becomes a ZeroPaddingLayer in front.
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
        Attributes a = new Attributes(node);
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
            ctx.weight(out, "W", node.getInput(1), w, ParamLayout.SAME, new long[]{cout, cin, k[0], k[1]}, 1);
        } else if (group == cin && cinPerGroup == 1) {
            long m = cout / cin;
            layer = new DepthwiseConvolution2D.Builder(k).stride(s).padding(pd).dilation(d).nIn(cin).nOut(cout)
                    .depthMultiplier((int) m).convolutionMode(ConvolutionMode.Truncate)
                    .activation(Activation.IDENTITY).hasBias(hasBias).build();
            ctx.weight(out, "W", node.getInput(1), w, ParamLayout.DEPTHWISE, new long[]{k[0], k[1], cin, m}, 1);
        } else {
            throw ctx.unsupported(node, "group=" + group + " is neither 1 nor the input channel count " + cin);
        }
        if (hasBias) {
            ctx.weight(out, "b", node.getInput(2), ctx.constant(node, 2, "the bias B"), ParamLayout.SAME,
                    new long[]{1, cout}, 1);
        }
        ctx.layer(out, layer, input);
        ctx.produces(out, out);
    }
}
