package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.NodeAttributes;
import io.transferpool.model.TensorData;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.misc.ElementWiseMultiplicationLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Set;

/**
 * BatchNormalization (inference form) on [N, C, H, W] or [N, C]. Frozen (the default) it is the fixed per-channel
 * map y = x * s + t with s = scale / sqrt(var + eps), t = B - mean * s: a 1x1 depthwise conv (or an element-wise
 * layer for [N, C]) whose parameters do not train but pass gradients on, so it behaves the same in training and in
 * inference. Updated, it is DL4J's BatchNormalization with the node's epsilon and momentum.
 */
final class BatchNormTranslator implements OpTranslator {
    @Override
    public Set<String> ops() {
        return Set.of("BatchNormalization");
    }

    @Override
    public void translate(OnnxMl.NodeProto node, TranslationContext ctx) {
        NodeAttributes a = new NodeAttributes(node);
        if (a.i("training_mode", 0) != 0 || node.getOutputList().stream().skip(1).anyMatch(o -> !o.isEmpty())) {
            throw ctx.unsupported(node, "training mode (extra outputs) is not supported; export the model in eval mode");
        }
        long[] in = ctx.shape(node.getInput(0));
        if (in.length != 4 && in.length != 2) {
            throw ctx.unsupported(node, "input rank " + in.length + " (only [N, C, H, W] and [N, C])");
        }
        TensorData gamma = ctx.constant(node, 1, "scale");
        TensorData beta = ctx.constant(node, 2, "B");
        TensorData mean = ctx.constant(node, 3, "input_mean");
        TensorData var = ctx.constant(node, 4, "input_var");
        double eps = a.f("epsilon", 1e-5f);
        int c = (int) in[1];
        String out = node.getOutput(0);
        String input = ctx.vertex(node.getInput(0));
        long[] vec = {1, c};
        if (ctx.options.updateBatchNorm()) {
            ctx.layer(out, new BatchNormalization.Builder().nIn(c).nOut(c).eps(eps).decay(a.f("momentum", 0.9f))
                    .useLogStd(false).build(), input);
            ctx.weight(out, "gamma", node, 1, gamma, ParamLayout.SAME, vec, 1);
            ctx.weight(out, "beta", node, 2, beta, ParamLayout.SAME, vec, 1);
            ctx.weight(out, "mean", node, 3, mean, ParamLayout.SAME, vec, 1);
            ctx.weight(out, "var", node, 4, var, ParamLayout.SAME, vec, 1);
        } else {
            float[] s = new float[c];
            float[] t = new float[c];
            for (int i = 0; i < c; i++) {
                double si = gamma.values()[i] / Math.sqrt(var.values()[i] + eps);
                s[i] = (float) si;
                t[i] = (float) (beta.values()[i] - mean.values()[i] * si);
            }
            if (in.length == 4) {
                ctx.layer(out, new FrozenLayerWithBackprop(new DepthwiseConvolution2D.Builder(1, 1).nIn(c).nOut(c)
                        .depthMultiplier(1).convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY)
                        .hasBias(true).build()), input);
                ctx.param(out, "W", Nd4j.create(s, new long[]{1, 1, c, 1}, 'c'));
            } else {
                ctx.layer(out, new FrozenLayerWithBackprop(new ElementWiseMultiplicationLayer.Builder().nIn(c).nOut(c)
                        .activation(Activation.IDENTITY).build()), input);
                ctx.param(out, "W", Nd4j.create(s, vec, 'c'));
            }
            ctx.param(out, "b", Nd4j.create(t, vec, 'c'));
        }
        ctx.produces(out, out);
    }
}
