package io.transferpool.translate;

import ai.onnx.proto.OnnxMl;
import io.transferpool.model.NodeAttributes;

/** Explicit 2-D padding of a Conv or pooling node (ONNX pads or auto_pad), and the output size it gives. */
record Padding(int top, int left, int bottom, int right) {

    static Padding of(OnnxMl.NodeProto node, TranslationContext ctx, long[] in, long[] kernel, long[] strides,
                      long[] dilations) {
        NodeAttributes a = new NodeAttributes(node);
        String auto = a.s("auto_pad", "NOTSET");
        switch (auto) {
            case "NOTSET" -> {
                long[] p = a.ints("pads", new long[4]);
                if (p.length != 4) {
                    throw ctx.unsupported(node, "pads has " + p.length + " values, expected 4 (2-D)");
                }
                return new Padding((int) p[0], (int) p[1], (int) p[2], (int) p[3]);
            }
            case "VALID" -> {
                return new Padding(0, 0, 0, 0);
            }
            case "SAME_UPPER", "SAME_LOWER" -> {
                int[] begin = new int[2];
                int[] end = new int[2];
                for (int d = 0; d < 2; d++) {
                    long size = in[2 + d];
                    long out = (size + strides[d] - 1) / strides[d];
                    long total = Math.max(0, (out - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - size);
                    long small = total / 2;
                    begin[d] = (int) (auto.equals("SAME_UPPER") ? small : total - small);
                    end[d] = (int) (total - begin[d]);
                }
                return new Padding(begin[0], begin[1], end[0], end[1]);
            }
            default -> throw ctx.unsupported(node, "auto_pad " + auto + " is unknown");
        }
    }

    boolean symmetric() {
        return top == bottom && left == right;
    }

    boolean none() {
        return top == 0 && left == 0 && bottom == 0 && right == 0;
    }

    /** Throws unless flooring the window count (what DL4J does) gives the output ONNX Runtime computed. */
    void checkOutput(OnnxMl.NodeProto node, TranslationContext ctx, long[] in, long[] kernel, long[] strides,
                     long[] dilations) {
        long[] extra = ceilExtra(node, ctx, in, kernel, strides, dilations);
        if (extra[0] != 0 || extra[1] != 0) {
            long[] expected = ctx.shape(node.getOutput(0));
            throw ctx.unsupported(node, "its output is " + expected[2] + "x" + expected[3] + " but windows that fit "
                    + "inside the padded input give " + (expected[2] - extra[0]) + "x" + (expected[3] - extra[1]));
        }
    }

    /**
     * Rows and columns of windows that ONNX Runtime computes beyond those that fit inside the padded input (ceil_mode
     * adds a last, partial window): what padding at the bottom and right must add so that DL4J's floor-mode windows
     * give the same output. Zero in floor mode.
     */
    long[] ceilExtra(OnnxMl.NodeProto node, TranslationContext ctx, long[] in, long[] kernel, long[] strides,
                     long[] dilations) {
        long[] expected = ctx.shape(node.getOutput(0));
        if (expected.length != 4) {
            throw ctx.unsupported(node, "its output has rank " + expected.length + ", expected 4");
        }
        long h = (in[2] + top + bottom - ((kernel[0] - 1) * dilations[0] + 1)) / strides[0] + 1;
        long w = (in[3] + left + right - ((kernel[1] - 1) * dilations[1] + 1)) / strides[1] + 1;
        if (expected[2] < h || expected[3] < w || expected[2] > h + 1 || expected[3] > w + 1) {
            throw ctx.unsupported(node, "its output is " + expected[2] + "x" + expected[3] + ", windows that fit "
                    + "inside the padded input give " + h + "x" + w);
        }
        long[] extra = new long[2];
        for (int d = 0; d < 2; d++) {
            long padded = in[2 + d] + (d == 0 ? top + bottom : left + right);
            long span = (expected[2 + d] - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1;
            extra[d] = Math.max(0, span - padded);
        }
        return extra;
    }
}
