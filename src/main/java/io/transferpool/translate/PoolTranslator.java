package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;

import java.util.Arrays;
import java.util.Set;

/**
 * 2-D MaxPool and AveragePool onto SubsamplingLayers (floor mode; count_include_pad honoured), global pooling onto
 * GlobalPoolingLayers that keep the [N, C, 1, 1] shape ONNX gives.
 */
final class PoolTranslator implements OpTranslator {
    @Override
    public Set<String> ops() {
        return Set.of("MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool");
    }

    @Override
    public void translate(OnnxMl.NodeProto node, TranslationContext ctx) {
        long[] in = ctx.shape(node.getInput(0));
        if (in.length != 4) {
            throw ctx.unsupported(node, "only 2-D pooling (rank-4 input) is supported, the input has rank " + in.length);
        }
        String out = node.getOutput(0);
        String input = ctx.vertex(node.getInput(0));
        boolean max = node.getOpType().endsWith("MaxPool");
        if (node.getOpType().startsWith("Global")) {
            ctx.layer(out, new GlobalPoolingLayer.Builder(max ? PoolingType.MAX : PoolingType.AVG)
                    .collapseDimensions(false).build(), input);
            ctx.produces(out, out);
            return;
        }
        if (node.getOutputList().stream().skip(1).anyMatch(o -> !o.isEmpty())) {
            throw ctx.unsupported(node, "the Indices output is not supported");
        }
        Attributes a = new Attributes(node);
        long[] kernel = a.ints("kernel_shape", new long[0]);
        if (kernel.length != 2) {
            throw ctx.unsupported(node, "kernel_shape " + Arrays.toString(kernel) + " is not 2-D");
        }
        long[] strides = a.ints("strides", new long[]{1, 1});
        long[] dil = a.ints("dilations", new long[]{1, 1});
        if (dil[0] != 1 || dil[1] != 1) {
            throw ctx.unsupported(node, "dilations " + Arrays.toString(dil) + " (pooling without dilation only)");
        }
        Padding p = Padding.of(node, ctx, in, kernel, strides, dil);
        p.checkOutput(node, ctx, in, kernel, strides, dil);
        boolean includePad = a.i("count_include_pad", 0) != 0;
        if (!p.symmetric()) {
            // Zero padding equals the ONNX result only where padded cells count as zeros.
            if (max || !includePad) {
                throw ctx.unsupported(node, "asymmetric pads " + p + " for " + (max ? "max pooling"
                        : "average pooling without count_include_pad"));
            }
            String pad = out + "#pad";
            ctx.layer(pad, new ZeroPaddingLayer.Builder(p.top(), p.bottom(), p.left(), p.right()).build(), input);
            input = pad;
            p = new Padding(0, 0, 0, 0);
        }
        ctx.layer(out, new SubsamplingLayer.Builder(max ? PoolingType.MAX : PoolingType.AVG)
                .kernelSize((int) kernel[0], (int) kernel[1]).stride((int) strides[0], (int) strides[1])
                .padding(p.top(), p.left()).convolutionMode(ConvolutionMode.Truncate)
                .avgPoolIncludePadInDivisor(includePad).build(), input);
        ctx.produces(out, out);
    }
}
