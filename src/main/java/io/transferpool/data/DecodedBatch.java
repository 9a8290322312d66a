package io.transferpool.data;

import io.transferpool.job.JobResult.BadSample;

import java.util.ArrayList;
import java.util.List;

/**
 * One batch of samples decoded and preprocessed: the model inputs of the good ones, one after another, and the bad
 * ones with their reasons, so that one odd file never loses the rest of its batch.
 *
 * @param nanos           time spent reading, decoding and preprocessing the batch
 * @param preprocessNanos the part of it spent preprocessing
 * @param readNanos       the part of it spent reading files (or waiting for objects)
 */
public record DecodedBatch(float[] inputs, List<Sample> good, List<BadSample> bad, long nanos, long preprocessNanos,
                           long readNanos) {

    public static DecodedBatch of(ImageDecoder decoder, Preprocessor pre, List<Sample> part) {
        long t0 = System.nanoTime();
        float[] inputs = new float[part.size() * pre.inputSize()];
        List<Sample> good = new ArrayList<>(part.size());
        List<BadSample> bad = new ArrayList<>();
        long preprocessNanos = 0;
        long readNanos = 0;
        ObjectFetch fetched = ObjectFetch.start(decoder.storage(), part);
        for (Sample s : part) {
            try {
                ImageDecoder.Timed image = decoder.decodeTimed(s.ref(), pre.exifOrientation(), fetched);
                readNanos += image.readNanos();
                long tp = System.nanoTime();
                pre.apply(image.image(), inputs, good.size() * pre.inputSize());
                preprocessNanos += System.nanoTime() - tp;
                good.add(s);
            } catch (BadSampleException e) {
                bad.add(new BadSample(s.ref(), e.getMessage()));
            } catch (RuntimeException e) {
                // A decoder bug on one odd file must not lose the rest of the batch.
                bad.add(new BadSample(s.ref(), "cannot decode: " + e));
            }
        }
        return new DecodedBatch(inputs, good, bad, System.nanoTime() - t0, preprocessNanos, readNanos);
    }
}
