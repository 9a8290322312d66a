package io.transferpool.web;

import java.util.List;

/** One page of GET /jobs: the jobs newest first from {@code offset}, and how many the board holds. */
public record JobPage(List<JobView> jobs, int offset, int limit, int total) {
}
