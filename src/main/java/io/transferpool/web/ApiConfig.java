package io.transferpool.web;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Map;
import java.util.Optional;

/** The job service's keys (README "Job service"). */
@ConfigMapping(prefix = "tp.api")
public interface ApiConfig {
    /**
     * Serve the job service (POST/DELETE /jobs, the jobs page, live events) and open its Kafka channels. Set by the
     * launcher: on for {@code serve} with the coordinator role, off for the other verbs, which need no channels.
     */
    @WithDefault("false")
    boolean enabled();

    /**
     * Bearer token that POST and DELETE requests must carry ({@code Authorization: Bearer TOKEN}); unset, anyone
     * who reaches the port may submit and cancel (a laptop). Reading stays open either way.
     */
    Optional<String> token();

    /**
     * Tokens of owners, by owner: {@code tp.api.owner-tokens.alice=TOKEN}. A POST carrying an owner's token submits
     * for that owner (the job's {@code owner} is set to it; a job naming another owner is refused); with any of them
     * set, POST and DELETE need a token ({@link #token} or an owner's).
     */
    Map<String, String> ownerTokens();

    /** Jobs the board keeps in memory (the oldest submitted are forgotten first; they stay on the topics). */
    @WithDefault("1000")
    int jobsKept();

    /** Time between comment lines on a quiet event stream (GET /jobs/{id}/events, /events). */
    @WithDefault("PT20S")
    java.time.Duration keepAlive();

    /** Jobs per page of GET /jobs and of the jobs page, unless the request asks for another size. */
    @WithDefault("50")
    int pageSize();
}
