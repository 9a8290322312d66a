package io.transferpool.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * What the strategy advisor measured on a job's data and chose by the seed's rule (README "Strategy advisor"):
 * the case (1-4), the strategy with its cut or freeze boundary, and why.
 *
 * @param caseNumber 1 small and similar, 2 large and similar, 3 small and dissimilar, 4 large and dissimilar
 * @param cut        where the new head attaches
 * @param freezeAt   the freeze boundary, for fine-tuning
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Advice(@JsonProperty("case") int caseNumber, String strategy, String cut, String freezeAt,
                     Measurements measurements, String reason) {

    /**
     * @param trainImages       training images of the job
     * @param minImagesPerClass training images of its smallest class: the job counts as large from
     *                          {@code largePerClass}
     * @param probedImages      images of the sample the probes and the base's classifier saw
     * @param probes            a linear classifier's validation accuracy on the features of each depth probed, the
     *                          cut first, then earlier depths
     * @param baseConfidence    the base's own classifier on the sample: its mean top probability (null when the
     *                          base has no classifier output)
     * @param similarMargin     the data counts as unlike the base's when an earlier depth probes better than the cut
     *                          by at least this much
     */
    public record Measurements(int trainImages, int classes, int minImagesPerClass, int probedImages,
                               List<Probe> probes, Double baseConfidence, int largePerClass, double similarMargin) {
    }

    /** A linear probe at one depth: the tensor, its values per image and the probe's validation accuracy. */
    public record Probe(String tensor, long values, double valAccuracy) {
    }
}
