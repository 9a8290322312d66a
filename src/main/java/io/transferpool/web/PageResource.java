package io.transferpool.web;

import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The jobs page ({@code /}) and the stream of every job's updates that keeps it live ({@code /events}). */
@Path("/")
public class PageResource {
    @Inject
    JobBoard board;

    @Inject
    ApiConfig api;

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The jobs page")
    public String page(@QueryParam("offset") @DefaultValue("0") int offset) {
        int from = Math.max(0, offset);
        return JobsPage.html(board.recent(from, api.pageSize()), from, api.pageSize(), board.size());
    }

    @GET
    @Path("events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Every job's status events and results as Server-Sent Events, as they happen")
    public Multi<OutboundSseEvent> events(@Context Sse sse) {
        return JobsResource.updates(board, null, sse, api.keepAlive());
    }
}
