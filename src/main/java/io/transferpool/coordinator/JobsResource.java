package io.transferpool.coordinator;

import io.transferpool.job.JobResult;
import io.transferpool.report.JobReport;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * The coordinator's read API over the results it has seen: {@code GET /jobs/{id}/result} (the result JSON) and
 * {@code GET /jobs/{id}/report} (the HTML report). 404 for a job whose result has not arrived (yet).
 */
@Path("/jobs/{jobId}")
public class JobsResource {
    @Inject
    ResultBoard board;

    @GET
    @Path("result")
    @Produces(MediaType.APPLICATION_JSON)
    public JobResult result(@PathParam("jobId") String jobId) {
        return find(jobId);
    }

    @GET
    @Path("report")
    @Produces(MediaType.TEXT_HTML)
    public String report(@PathParam("jobId") String jobId) {
        return JobReport.html(find(jobId));
    }

    private JobResult find(String jobId) {
        return board.get(jobId).orElseThrow(() -> new NotFoundException("no result for job " + jobId
                + " on this coordinator (yet)"));
    }
}
