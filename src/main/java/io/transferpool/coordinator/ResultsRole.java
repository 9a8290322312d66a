package io.transferpool.coordinator;

import io.transferpool.job.JobResult;
import io.transferpool.messaging.Json;
import io.transferpool.messaging.WorkerLoop;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Follows tp.results into the {@link ResultBoard} the REST API reads. */
public final class ResultsRole implements WorkerLoop.Role {
    private final ResultBoard board;

    public ResultsRole(ResultBoard board) {
        this.board = board;
    }

    @Override
    public void handle(ConsumerRecord<String, byte[]> record) throws Exception {
        board.put(Json.read(record.value(), JobResult.class));
    }
}
