package io.transferpool.cli;

import io.transferpool.coordinator.ResultBoard;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** CDI producers for the plain-Java parts the HTTP edge shares with the pool. */
class Beans {
    /** Results kept for the REST API and reports (older ones are still on tp.results). */
    static final int RESULTS_KEPT = 1000;

    @Produces
    @Singleton
    ResultBoard resultBoard() {
        return new ResultBoard(RESULTS_KEPT);
    }
}
