package io.transferpool.coordinator;

import io.transferpool.job.FieldError;
import io.transferpool.job.JobResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ResultBoardTest {
    private static JobResult result(String jobId, String problem, String submission) {
        return JobResult.failed(jobId, List.of(new FieldError("x", problem)), null).withSubmission(submission);
    }

    @Test
    void aSecondResultOfTheSameSubmissionIsDroppedAndANewSubmissionReplacesTheOld() {
        ResultBoard board = new ResultBoard(10);
        board.put(result("j", "first", "tp.jobs-0@1-100"));
        board.put(result("j", "duplicate", "tp.jobs-0@1-100"));
        assertThat(board.get("j").orElseThrow().errors().get(0).problem()).isEqualTo("first");
        board.put(result("j", "resubmitted", "tp.jobs-0@7-200"));
        assertThat(board.get("j").orElseThrow().errors().get(0).problem()).isEqualTo("resubmitted");
        assertThat(board.size()).isEqualTo(1);
    }

    @Test
    void theOldestResultsAreForgottenFirst() {
        ResultBoard board = new ResultBoard(2);
        board.put(result("a", "x", "1"));
        board.put(result("b", "x", "2"));
        board.put(result("c", "x", "3"));
        assertThat(board.get("a")).isEmpty();
        assertThat(board.get("c")).isPresent();
    }
}
