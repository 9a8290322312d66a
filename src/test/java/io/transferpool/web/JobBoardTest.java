package io.transferpool.web;

import io.transferpool.admission.JobIds;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobRejectedException;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.Stage;
import io.transferpool.messaging.StatusEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobBoardTest {
    private static JobResult result(String jobId, String problem, String submission, Integer run) {
        JobResult r = JobResult.failed(jobId, List.of(new FieldError("x", problem)), null);
        return run == null ? r.withSubmission(submission) : r.withSubmission(submission, run);
    }

    private static StatusEvent status(String jobId, String stage, long at) {
        return StatusEvent.of(jobId, Stage.fromWire(stage), null).at(at);
    }

    @Test
    void aJobGoesFromQueuedThroughItsStagesToItsResult() {
        JobBoard board = new JobBoard(10);
        board.accepted(new JobIds.Run("j", 1, "s1", 100));
        assertThat(board.get("j").orElseThrow().state()).isEqualTo(JobState.QUEUED);
        board.status(status("j", "training", 200));
        assertThat(board.get("j").orElseThrow().state()).isEqualTo(JobState.TRAINING);
        board.status(status("j", "extracting", 150));
        assertThat(board.get("j").orElseThrow().state()).as("an older event read late").isEqualTo(JobState.TRAINING);
        board.status(status("j", "failed", 210));
        assertThat(board.get("j").orElseThrow().state()).as("finished only with its result").isEqualTo(JobState.TRAINING);
        board.result(result("j", "boom", "s1", 1));
        JobEntry e = board.get("j").orElseThrow();
        assertThat(e.state()).isEqualTo(JobState.FAILED);
        assertThat(e.active()).isFalse();
        board.status(status("j", "done", 300));
        assertThat(board.get("j").orElseThrow().state()).as("the result decides").isEqualTo(JobState.FAILED);
    }

    @Test
    void aWaitingJobShowsItsPlaceInLineInTheViewAndOnThePage() throws Exception {
        JobBoard board = new JobBoard(10);
        board.accepted(new JobIds.Run("w", 1, "s1", 100));
        board.status(StatusEvent.waiting("w", "training", 2, 3.0, 12).at(200));
        JobEntry e = board.get("w").orElseThrow();
        assertThat(e.state()).isEqualTo(JobState.WAITING);
        String json = new com.fasterxml.jackson.databind.ObjectMapper().findAndRegisterModules()
                .writeValueAsString(JobView.of(e));
        assertThat(json).contains("\"state\":\"WAITING\"", "\"ahead\":2", "\"expectedWaitSeconds\":3.0",
                "\"stage\":\"waiting\"");
        assertThat(JobsPage.progress(e.latest()))
                .isEqualTo("waiting: waiting for training: 2 jobs ahead, about 3 s (paused after epoch 12) · epoch 12");
        board.status(StatusEvent.epoch("w", "epoch 13", 13, 50, 0.9).at(300));
        assertThat(board.get("w").orElseThrow().state()).isEqualTo(JobState.TRAINING);
        assertThat(board.get("w").orElseThrow().latest().ahead()).isNull();
    }

    @Test
    void topicsReadInAnyOrderGiveTheSameBoard() {
        JobBoard board = new JobBoard(10);
        board.result(result("j", "run 2", "s2", 2));
        board.accepted(new JobIds.Run("j", 2, "s2", 200));
        board.result(result("j", "run 1, read late", "s1", 1));
        board.accepted(new JobIds.Run("j", 1, "s1", 100));
        JobEntry e = board.get("j").orElseThrow();
        assertThat(e.run()).isEqualTo(2);
        assertThat(e.result().errors().get(0).problem()).isEqualTo("run 2");
        assertThat(e.state()).isEqualTo(JobState.FAILED);
    }

    @Test
    void aSecondResultOfASubmissionAndTheRejectionOfAnIdInUseAreDropped() {
        JobBoard board = new JobBoard(10);
        board.accepted(new JobIds.Run("j", 1, "s1", 100));
        board.result(result("j", "first", "s1", 1));
        board.result(result("j", "duplicate", "s1", 1));
        board.result(JobResult.rejected("j", List.of(new FieldError("jobId", "in use"))).withSubmission("s9"));
        assertThat(board.result("j").orElseThrow().errors().get(0).problem()).isEqualTo("first");
        // A job never accepted shows its rejection.
        board.result(JobResult.rejected("k", List.of(new FieldError("data", "bad"))).withSubmission("s3"));
        assertThat(board.get("k").orElseThrow().state()).isEqualTo(JobState.REJECTED);
    }

    @Test
    void idsOfAcceptedRunsAreInUseUnlessRerun() {
        JobBoard board = new JobBoard(1);
        board.accepted(new JobIds.Run("a", 1, "s1", 100));
        board.accepted(new JobIds.Run("b", 1, "s2", 200));
        assertThat(board.get("a")).as("forgotten from the board").isEmpty();
        assertThatThrownBy(() -> board.checkFree("a", false)).isInstanceOf(JobRejectedException.class)
                .hasMessageContaining("in use");
        board.checkFree("a", true);
        board.checkFree("c", false);
    }

    @Test
    void recentJobsAreNewestFirstAndPaged() {
        JobBoard board = new JobBoard(10);
        board.accepted(new JobIds.Run("old", 1, "s1", 100));
        board.accepted(new JobIds.Run("new", 1, "s3", 300));
        board.status(status("mid", "rejected", 200));
        assertThat(board.recent(0, 10)).extracting(JobEntry::jobId).containsExactly("new", "mid", "old");
        assertThat(board.recent(1, 1)).extracting(JobEntry::jobId).containsExactly("mid");
        assertThat(board.size()).isEqualTo(3);
    }

    @Test
    void aWatcherGetsTheCurrentStateThenEachUpdateUntilClosed() throws Exception {
        JobBoard board = new JobBoard(10);
        board.accepted(new JobIds.Run("j", 1, "s1", 100));
        board.status(status("j", "extracting", 200));
        List<JobBoard.Update> seen = new ArrayList<>();
        AutoCloseable watch = board.watch("j", seen::add);
        board.status(status("other", "training", 250));
        board.status(status("j", "training", 300));
        board.result(result("j", "done", "s1", 1));
        watch.close();
        board.status(status("j", "done", 400));
        assertThat(seen).extracting(u -> u.status() == null ? "result" : u.status().stage().wire())
                .containsExactly("extracting", "training", "result");

        List<JobBoard.Update> all = new ArrayList<>();
        board.watch(null, all::add);
        board.status(status("x", "queued", 500));
        board.status(status("y", "queued", 501));
        assertThat(all).extracting(JobBoard.Update::jobId).containsExactly("x", "y");
    }
}
