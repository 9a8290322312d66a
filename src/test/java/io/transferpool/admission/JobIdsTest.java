package io.transferpool.admission;

import io.transferpool.job.JobRejectedException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobIdsTest {

    @Test
    void aNewIdIsRunOneAndAnAcceptedIdIsInUseUnlessRerun() {
        JobIds ids = new JobIds();
        assertThat(ids.next("a", false)).isEqualTo(1);
        ids.accepted(new JobIds.Run("a", 1, "tp.jobs-0@0-1", 1000));
        assertThatThrownBy(() -> ids.next("a", false)).isInstanceOfSatisfying(JobRejectedException.class, e -> {
            assertThat(e.errors()).hasSize(1);
            assertThat(e.errors().get(0).field()).isEqualTo("jobId");
            assertThat(e.errors().get(0).problem()).contains("is in use").contains("\"rerun\": true")
                    .contains("run 2");
        });
        assertThat(ids.next("a", true)).isEqualTo(2);
        assertThat(ids.next("b", true)).as("a rerun of a new id is its first run").isEqualTo(1);
    }

    @Test
    void theLatestRunWinsWhateverOrderRunsAreRead() {
        JobIds ids = new JobIds();
        ids.accepted(new JobIds.Run("a", 3, "s3", 3));
        ids.accepted(new JobIds.Run("a", 2, "s2", 2));
        assertThat(ids.last("a")).get().extracting(JobIds.Run::run).isEqualTo(3);
        assertThat(ids.next("a", true)).isEqualTo(4);
        ids.clear();
        assertThat(ids.size()).isZero();
        assertThat(ids.next("a", false)).isEqualTo(1);
    }
}
