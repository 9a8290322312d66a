package io.transferpool.model;

import io.transferpool.FamilyModel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Where the batch goes through reshapes, from the shapes for a batch of one; and models fixed to a batch of one. */
class BatchAxesTest {
    @Test
    void aReshapeKeepsTheBatchOutermostInItsDimensionUnlessTheReaderWorksAlongIt() {
        // torch's attention, [T, N, E] -> [T, N * heads, d]: the batch is outermost in the second dimension
        assertThat(BatchAxes.reshape(new long[]{17, 1, 16}, 1, 1, new long[]{17, 2, 8}, Set.of()))
                .containsExactly(1, 1);
        // [T, N * heads, d] -> [T * N, E] read by a Gemm, whose inner dimension cannot hold the batch
        assertThat(BatchAxes.reshape(new long[]{17, 2, 8}, 1, 1, new long[]{17, 16}, Set.of(1)))
                .containsExactly(0, 17);
        // ... and back to [T, N, E]
        assertThat(BatchAxes.reshape(new long[]{17, 16}, 0, 17, new long[]{17, 1, 16}, Set.of()))
                .containsExactly(1, 1);
        // Swin: [N * windows, heads, T, T] -> [N, windows, heads, T, T]
        assertThat(BatchAxes.reshape(new long[]{4, 2, 16, 16}, 0, 1, new long[]{1, 4, 2, 16, 16}, Set.of()))
                .containsExactly(0, 1);
        // a reshape that mixes the batch into an inner position cannot be followed
        assertThat(BatchAxes.reshape(new long[]{3, 1, 4}, 1, 1, new long[]{2, 6}, Set.of())).isNull();
    }

    @Test
    void modelsExportedWithTheBatchFixedToOneRunAnyBatchOnceParsed() throws Exception {
        for (String file : List.of("vit_b_16_opset17.onnx", "swin_t_opset17.onnx")) {
            OnnxModel m = FamilyModel.all().stream().filter(f -> f.file().equals(file)).findFirst().orElseThrow()
                    .load();
            Map<String, List<Long>> two = ModelInspector.shapesForTwo(m);
            assertThat(two).as(file).isNotEmpty();
            String output = m.graph().getOutput(0).getName();
            assertThat(two.get(output).get(0)).as(file).isEqualTo(2L);
        }
    }
}
