package io.transferpool.cli;

import io.transferpool.pool.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * /q/health for Kubernetes probes: ready once the pool's roles run (topics checked, consumers started); live while
 * every role's loop runs. The serving command sets the pool; volatile because probes read it on HTTP threads.
 */
@ApplicationScoped
public class PoolHealth {
    private volatile Pool pool;
    private volatile boolean stopping;

    void started(Pool p) {
        pool = p;
        stopping = false;
    }

    void stopping() {
        stopping = true;
    }

    @Readiness
    HealthCheck ready() {
        return () -> HealthCheckResponse.named("transferpool-roles").status(pool != null && !stopping).build();
    }

    @Liveness
    HealthCheck live() {
        return () -> {
            Pool p = pool;
            return HealthCheckResponse.named("transferpool-loops").status(p == null || stopping || p.healthy())
                    .build();
        };
    }
}
