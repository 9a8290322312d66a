package io.transferpool.cli;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkus.runtime.StartupEvent;
import io.transferpool.admission.Admission;
import io.transferpool.admission.JobPlanner;
import io.transferpool.admission.JobValidator;
import io.transferpool.kernels.NativeThreads;
import io.transferpool.storage.Storage;
import io.transferpool.pool.PoolConfig;
import io.transferpool.web.ApiConfig;
import io.transferpool.web.BoardProgress;
import io.transferpool.web.JobBoard;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** CDI producers for the plain-Java parts the HTTP edge shares with the pool. */
class Beans {
    /**
     * Makes the exposition pass promtool's lint: every meter gets a help text (quotes in Micrometer's own CPU help
     * texts become apostrophes: escaped quotes are not allowed in HELP lines of the 0.0.4 text format), the
     * process CPU time in nanoseconds is dropped (process_cpu_usage stays) and system.cpu.count, a gauge, is
     * renamed so it does not look like a histogram's _count, and Vert.x' connection long-task timer is dropped.
     */
    @Produces
    @Singleton
    MeterFilter promtoolClean() {
        return MeterFilter.deny(id -> id.getName().equals("process.cpu.time")
                // A long-task timer whose extra _active_count sample promtool's parser cannot place.
                || id.getName().equals("http.server.connections"));
    }

    /** Only the Kafka client meters a dashboard needs (see KafkaMeters). */
    @Produces
    @Singleton
    MeterFilter kafkaMeters() {
        return io.transferpool.metrics.KafkaMeters.filter();
    }

    @Produces
    @Singleton
    MeterFilter helpTexts() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String name = id.getName().equals("system.cpu.count") ? "system.cpus" : id.getName();
                String d = id.getDescription();
                String help = d == null || d.isBlank() ? name.replace('.', ' ') : d.replace('"', '\'');
                return name.equals(id.getName()) && help.equals(d) ? id
                        : new Meter.Id(name, Tags.of(id.getTags()), id.getBaseUnit(), help, id.getType());
            }
        };
    }

    /** Every command and `serve` start here, before anything uses ND4J (see NativeThreads). */
    void nativeThreads(@Observes @Priority(1) StartupEvent event) {
        NativeThreads.configure();
    }

    /** The job service's board: filled by its channel (web.BoardFollower), read by the HTTP API. */
    @Produces
    @Singleton
    JobBoard jobBoard(ApiConfig api) {
        return new JobBoard(api.jobsKept());
    }

    @Produces
    @Singleton
    BoardProgress boardProgress() {
        return new BoardProgress();
    }

    /** Where the job service's checks read data and models: the pool's data root and allowed buckets. */
    @Produces
    @Singleton
    Storage storage(PoolOptions options) {
        return options.config().openStorage();
    }

    void close(@Disposes Storage storage) {
        storage.close();
    }

    /** The checks the job service runs on POST /jobs: the coordinator's, against the pool's storage. */
    @Produces
    @Singleton
    Admission admission(PoolOptions options, Storage storage) {
        PoolConfig c = options.config();
        return new Admission(new JobValidator(storage), new JobPlanner(storage, c.limits(), c.extract().batchSize(),
                c.shardSize()));
    }
}
