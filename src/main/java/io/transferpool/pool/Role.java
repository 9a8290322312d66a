package io.transferpool.pool;

/** The roles one process can run; a deployment picks some with {@code tp.roles}. */
public enum Role {
    COORDINATOR, EXTRACTOR, TRAINER
}
