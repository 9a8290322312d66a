package io.transferpool.web;

import io.smallrye.mutiny.Multi;
import io.transferpool.job.JobResult;
import io.transferpool.messaging.Json;
import io.transferpool.report.JobReport;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.net.URI;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The job service's HTTP API (README "Job service"): submit, list, show, watch live; each job's result and report.
 * Served by every process with the coordinator role; the OpenAPI document is at /q/openapi.
 */
@Path("/jobs")
public class JobsResource {
    @Inject
    JobBoard board;

    @Inject
    JobSubmissions submissions;

    @Inject
    ApiConfig api;

    @Inject
    ApiAccess access;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit a job", description = "Checks the job at once (paths resolve against the pool's "
            + "data root) and publishes it to tp.jobs.")
    @APIResponse(responseCode = "202", description = "Accepted and published; Location names the job")
    @APIResponse(responseCode = "400", description = "Rejected: a REJECTED result listing every field error")
    @APIResponse(responseCode = "401", description = "tp.api.token (or an owner token) is set and the request "
            + "carries none of them")
    @APIResponse(responseCode = "409", description = "The job id is in use (add \"rerun\": true to run it again)")
    public Response submit(@RequestBody(description = "The job JSON (README \"Job schema\")") String json,
                           @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization)
            throws InterruptedException {
        // A request with an owner's token submits for that owner (tp.api.owner-tokens).
        JobSubmissions.Outcome outcome = submissions.submit(json, access.ownerOf(authorization));
        if (!outcome.accepted()) {
            return Response.status(outcome.inUse() ? Response.Status.CONFLICT : Response.Status.BAD_REQUEST)
                    .entity(outcome.rejection()).build();
        }
        URI location = URI.create("/jobs/" + outcome.jobId());
        return Response.accepted(JobView.of(board.get(outcome.jobId()).orElseThrow())).location(location).build();
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Recent jobs, newest first", description = "State, latest progress and test accuracy.")
    public JobPage list(@QueryParam("offset") @DefaultValue("0") int offset, @QueryParam("limit") Integer limit) {
        int size = limit == null || limit <= 0 ? api.pageSize() : Math.min(limit, 1000);
        int from = Math.max(0, offset);
        return new JobPage(board.recent(from, size).stream().map(JobView::of).toList(), from, size, board.size());
    }

    @GET
    @Path("{jobId}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A job's state and latest progress")
    @APIResponse(responseCode = "404", description = "No such job on this coordinator")
    public JobView job(@PathParam("jobId") String jobId) {
        return JobView.of(entry(jobId));
    }

    @DELETE
    @Path("{jobId}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Cancel a job", description = "Its extractors skip its remaining shards, its trainer stops "
            + "at the next batch; its result is CANCELLED with what was done so far.")
    @APIResponse(responseCode = "202", description = "The cancel request is on tp.jobs")
    @APIResponse(responseCode = "401", description = "tp.api.token is set and the request does not carry it")
    @APIResponse(responseCode = "404", description = "No such job on this coordinator")
    @APIResponse(responseCode = "409", description = "The job has its result already")
    public Response cancel(@PathParam("jobId") String jobId, @QueryParam("reason") String reason) {
        JobEntry e = entry(jobId);
        if (e.result() != null) {
            return Response.status(Response.Status.CONFLICT).type(MediaType.TEXT_PLAIN)
                    .entity("job " + jobId + " has its result already: " + e.state() + "\n").build();
        }
        submissions.cancel(jobId, reason == null || reason.isBlank() ? "cancelled over HTTP" : reason);
        return Response.accepted(JobView.of(e)).build();
    }

    @GET
    @Path("{jobId}/result")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A job's result")
    @APIResponse(responseCode = "404", description = "No result (yet)")
    public JobResult result(@PathParam("jobId") String jobId) {
        return finished(jobId);
    }

    @GET
    @Path("{jobId}/report")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "A job's HTML report")
    @APIResponse(responseCode = "404", description = "No result (yet)")
    public String report(@PathParam("jobId") String jobId) {
        return JobReport.html(finished(jobId));
    }

    @GET
    @Path("{jobId}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "A job's progress as Server-Sent Events", description = "Its latest status event, then "
            + "each one as it happens (event \"status\"), ending with the result (event \"result\").")
    @APIResponse(responseCode = "404", description = "No such job on this coordinator")
    public Multi<OutboundSseEvent> events(@PathParam("jobId") String jobId, @Context Sse sse) {
        entry(jobId);
        return updates(board, jobId, sse, api.keepAlive());
    }

    private static final ScheduledExecutorService KEEP_ALIVE = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tp-sse-keep-alive");
        t.setDaemon(true);
        return t;
    });

    /**
     * The board's updates of {@code jobId} (every job when null) as SSE events, with a comment line every
     * {@code keepAlive} so proxies with idle timeouts keep a quiet stream open; a job's stream ends after its
     * result. The watch is closed when the client goes away.
     */
    static Multi<OutboundSseEvent> updates(JobBoard board, String jobId, Sse sse, java.time.Duration keepAlive) {
        return Multi.createFrom().emitter(em -> {
            AtomicReference<AutoCloseable> watch = new AtomicReference<>();
            AtomicBoolean ended = new AtomicBoolean();
            ScheduledFuture<?> ping = KEEP_ALIVE.scheduleAtFixedRate(() -> em.emit(sse.newEventBuilder()
                    .comment("keep-alive").build()), keepAlive.toMillis(), keepAlive.toMillis(), TimeUnit.MILLISECONDS);
            em.onTermination(() -> {
                ping.cancel(false);
                close(watch.get());
            });
            watch.set(board.watch(jobId, u -> {
                if (ended.get()) {
                    return;
                }
                em.emit(event(sse, u));
                if (jobId != null && u.result() != null) {
                    ended.set(true);
                    em.complete();
                }
            }));
            if (ended.get()) {
                close(watch.get()); // completed while the watch was being set up: the job had its result
            }
        });
    }

    private static OutboundSseEvent event(Sse sse, JobBoard.Update u) {
        boolean result = u.result() != null;
        return sse.newEventBuilder().name(result ? "result" : "status").id(u.jobId())
                .data(String.class, new String(Json.bytes(result ? u.result() : u.status()),
                        java.nio.charset.StandardCharsets.UTF_8))
                .build();
    }

    private static void close(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // a watch's close only removes it from a list
        }
    }

    private JobEntry entry(String jobId) {
        return board.get(jobId).orElseThrow(() -> new NotFoundException("no job " + jobId
                + " on this coordinator"));
    }

    private JobResult finished(String jobId) {
        return board.result(jobId).orElseThrow(() -> new NotFoundException("no result for job " + jobId
                + " on this coordinator (yet)"));
    }
}
