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
    void aRejectedResubmissionDoesNotHideTheResultOfTheAcceptedRun() {
        ResultBoard board = new ResultBoard(10);
        board.put(result("j", "trained", "tp.jobs-0@1-100"));
        board.put(JobResult.rejected("j", List.of(new FieldError("jobId", "in use"))).withSubmission("tp.jobs-0@2-200"));
        assertThat(board.get("j").orElseThrow().errors().get(0).problem()).isEqualTo("trained");
        board.put(JobResult.rejected("k", List.of(new FieldError("x", "bad"))).withSubmission("tp.jobs-0@3-300"));
        board.put(result("k", "accepted later", "tp.jobs-0@4-400"));
        assertThat(board.get("k").orElseThrow().status()).isEqualTo(JobResult.Status.FAILED);
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
