package io.transferpool.data;

/**
 * One labelled sample of a split. {@code ref} says where its pixels are: a root-relative image path, or
 * {@code idxFile#index} for an image inside an IDX file. {@code id} is unique within the job and split and is what
 * makes redelivered feature batches idempotent.
 */
public record Sample(int id, String ref, int label) {
}
