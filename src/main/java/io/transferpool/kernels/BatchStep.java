package io.transferpool.kernels;

/**
 * What one training step saw: the batch's mean loss as the optimizer computed it, and how many rows its forward
 * pass classified right ({@code -1} when the network cannot tell; then a pass over the rows must).
 */
public record BatchStep(double loss, int correct) {
}
