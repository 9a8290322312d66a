package io.transferpool.model;

import ai.onnx.proto.OnnxMl;
import io.transferpool.FamilyModel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Folding what does not depend on the images, on exporters' real patterns and on the operators one by one. */
class ConstantFolderTest {

    private static OnnxMl.NodeProto producer(OnnxModel m, String op) {
        return m.graph().getNodeList().stream().filter(n -> n.getOpType().equals(op)).reduce((a, b) -> b)
                .orElseThrow();
    }

    @Test
    void aFlattenWrittenAsShapeGatherUnsqueezeConcatFoldsToTheBatchAndMinusOne() throws Exception {
        OnnxModel m = OnnxModel.load(FamilyModel.DIR.resolve("view_flatten_opset13.onnx"));
        ConstantFolder f = new ConstantFolder(m, ModelInspector.shapes(m));
        String target = producer(m, "Reshape").getInput(1);

        assertThat(f.isConstant(target)).isTrue();
        float[] v = f.value(target).orElseThrow().values();
        assertThat(v).hasSize(2);
        assertThat(Float.isNaN(v[0])).as("the batch").isTrue();
        assertThat(v[1]).isEqualTo(-1f);
        assertThat(ConstantFolder.reshapeTarget(new long[]{5, 16, 1, 1}, v, false)).containsExactly(5, 16);
        assertThat(f.isConstant(producer(m, "Reshape").getInput(0))).as("the activation").isFalse();
    }

    @Test
    void weightsBehindIdentityAreConstantsWithTheInitializersValue() throws Exception {
        OnnxModel m = OnnxModel.load(FamilyModel.DIR.resolve("squeezenet1_1_opset13.onnx"));
        ConstantFolder f = new ConstantFolder(m, java.util.Map.of());
        OnnxMl.NodeProto identity = producer(m, "Identity");
        OnnxMl.TensorProto source = m.graph().getInitializerList().stream()
                .filter(t -> t.getName().equals(identity.getInput(0))).findFirst().orElseThrow();

        assertThat(f.isConstant(identity.getOutput(0))).isTrue();
        assertThat(f.value(identity.getOutput(0)).orElseThrow().values()).isEqualTo(TensorData.of(source).values());
    }

    @Test
    void aBakedBatchOfOneIsMadeSymbolic() throws Exception {
        OnnxModel m = OnnxModel.load(FamilyModel.DIR.resolve("view_flatten_opset17.onnx"));
        OnnxMl.TensorShapeProto.Dimension batch = m.graph().getInput(0).getType().getTensorType().getShape().getDim(0);
        assertThat(batch.getDimParam()).isEqualTo(BatchDimension.BATCH);
        ConstantFolder f = new ConstantFolder(m, ModelInspector.shapes(m));
        float[] target = f.value(producer(m, "Reshape").getInput(1)).orElseThrow().values();
        assertThat(target).as("[1, -1] now copies the batch").containsExactly(0f, -1f);
        assertThat(ModelInspector.infer(m).ok()).isTrue();
    }

    private static TensorData t(long[] dims, float... v) {
        return new TensorData(dims, v);
    }

    @Test
    void theShapeOperatorsFollowTheSpec() {
        TensorData m = t(new long[]{2, 3}, 0, 1, 2, 3, 4, 5);
        assertThat(Folding.gather(m, t(new long[]{1}, -1), 1).values()).containsExactly(2, 5);
        assertThat(Folding.gather(m, t(new long[0], 1), 0).dims()).containsExactly(3);
        assertThat(Folding.slice(m, new long[]{-1}, new long[]{-4}, new long[]{1}, new long[]{-1}).values())
                .containsExactly(2, 1, 0, 5, 4, 3);
        assertThat(Folding.slice(m, new long[]{1}, new long[]{Long.MAX_VALUE}, new long[]{1}, null).values())
                .containsExactly(1, 2, 4, 5);
        assertThat(Folding.unsqueeze(t(new long[]{3}, 1, 2, 3), new long[]{0, -1}).dims()).containsExactly(1, 3, 1);
        assertThat(Folding.squeeze(t(new long[]{1, 3, 1}, 1, 2, 3), null).dims()).containsExactly(3);
        assertThat(Folding.concat(new TensorData[]{m, t(new long[]{2, 1}, 9, 8)}, 1).values())
                .containsExactly(0, 1, 2, 9, 3, 4, 5, 8);
        assertThat(Folding.transpose(m, null).values()).containsExactly(0, 3, 1, 4, 2, 5);
        assertThat(ElementwiseFolding.binary("Mul", m, t(new long[]{3}, 1, 10, 100), false).values())
                .containsExactly(0, 10, 200, 3, 40, 500);
        assertThat(ElementwiseFolding.binary("Div", t(new long[]{2}, 7, -7), t(new long[0], 2), true).values())
                .as("integer division truncates").containsExactly(3, -3);
        assertThat(ElementwiseFolding.cast(t(new long[]{2}, 2.7f, -2.7f), OnnxMl.TensorProto.DataType.INT64_VALUE).values())
                .containsExactly(2, -2);
        assertThat(ElementwiseFolding.expand(t(new long[]{2, 1}, 1, 2), t(new long[]{2}, 2, 3)).values())
                .containsExactly(1, 1, 1, 2, 2, 2);
        assertThat(ElementwiseFolding.range(0, 5, 2).values()).containsExactly(0, 2, 4);
        assertThat(Folding.reshapeTarget(new long[]{2, 3, 4}, new float[]{0, -1}, false)).containsExactly(2, 12);
        assertThatThrownBy(() -> Folding.gather(m, t(new long[]{1}, 3), 1)).hasMessageContaining("out of range");
    }

    @Test
    void arithmeticOnTheBatchIsNotFolded() throws Exception {
        OnnxModel m = OnnxModel.load(FamilyModel.DIR.resolve("view_flatten_opset13.onnx"));
        // Shape(x) * 2: depends on the batch, so it is not a constant (a Reshape to it would be refused).
        OnnxMl.NodeProto shape = producer(m, "Shape");
        OnnxMl.GraphProto g = m.graph().toBuilder()
                .addInitializer(new TensorData(new long[0], new float[]{2}).toProto("two"))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Mul").addInput(shape.getOutput(0)).addInput("two")
                        .addOutput("doubled")).build();
        OnnxModel changed = m.derive(m.proto().toBuilder().setGraph(g).build());
        ConstantFolder f = new ConstantFolder(changed, ModelInspector.shapes(m));
        assertThat(f.isConstant(shape.getOutput(0))).isTrue();
        assertThat(f.isConstant("doubled")).isFalse();
        assertThat(f.value("doubled")).isEmpty();
        assertThat(List.of(f.value(shape.getOutput(0)).orElseThrow().values().length)).containsExactly(4);
    }
}
