package io.transferpool.model;

import io.transferpool.TestFiles;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ModelInspectorTest {
    @Test
    void listsTensorsInGraphOrderWithShapesParametersAndCutPoints() throws Exception {
        List<TensorInfo> tensors = ModelInspector.inspect(OnnxModel.load(TestFiles.BASE_MODEL));
        assertThat(tensors.get(0).name()).isEqualTo("input");
        assertThat(tensors.get(0).shape()).containsExactly(1L, 1L, 28L, 28L);
        assertThat(tensors).extracting(TensorInfo::name).last().isEqualTo("logits");
        TensorInfo flatten = tensors.stream().filter(t -> t.name().equals(TestFiles.CUT)).findFirst().orElseThrow();
        assertThat(flatten.goodCut()).isTrue();
        assertThat(flatten.shape()).containsExactly(1L, 1152L);
        assertThat(tensors).filteredOn(TensorInfo::goodCut).hasSize(1);
        TensorInfo firstConv = tensors.get(1);
        assertThat(firstConv.op()).isEqualTo("Conv");
        assertThat(firstConv.parameters()).isEqualTo(32 * 9 + 32);
        assertThat(tensors.stream().mapToLong(TensorInfo::parameters).sum()).isEqualTo(287_464);
    }
}
