package io.transferpool.job;

import java.util.List;

/**
 * A transfer-learning job as the user wrote it, with every default filled in. Immutable; see
 * {@code src/main/resources/job.schema.json} and the README for the contract. Paths stay as written:
 * they are resolved against a root by {@link io.transferpool.data.PathResolver}.
 */
public record JobSpec(
        int schemaVersion,
        String jobId,
        Strategy strategy,
        BaseModel baseModel,
        Data data,
        Preprocess preprocess,
        Head head,
        Training training) {

    public static final int SCHEMA_VERSION = 1;

    public enum Strategy {
        FEATURE_EXTRACTION("feature-extraction");

        private final String wire;

        Strategy(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /** The frozen base: an ONNX file, its image input, and the tensor to cut the graph at. */
    public record BaseModel(String uri, String input, String cut, String sha256) {
    }

    public record Data(Source train, Source test, double validationSplit, double maxBadSampleFraction,
                       List<String> classes) {
    }

    /**
     * Where samples come from. {@code image-folder}: {@code uri/<class>/*.png|jpg}. {@code idx}: {@code uri} is an
     * IDX image file (optionally gzipped), {@code labels} its IDX label file, {@code labelFilter} the labels kept.
     */
    public record Source(String uri, Format format, String labels, List<Integer> labelFilter) {
    }

    public enum Format {
        IMAGE_FOLDER("image-folder"), IDX("idx");

        private final String wire;

        Format(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    public enum Layout { NCHW, NHWC }

    /** What to do with an image whose size differs from width x height. */
    public enum Resize {
        /** The image is a bad sample. */
        NONE,
        /** Scale to width x height, ignoring aspect ratio. */
        STRETCH
    }

    /** pixel' = (pixel * scale - mean[c]) / std[c]. */
    public record Preprocess(int width, int height, int channels, double scale, List<Double> mean, List<Double> std,
                             Layout layout, Resize resize) {
    }

    public record Head(List<Integer> hidden, String activation, double dropout) {
    }

    public record Training(Optimizer optimizer, int epochs, int batchSize, EarlyStopping earlyStopping,
                           Checkpoint checkpoint, long seed) {
    }

    public record Optimizer(String type, double learningRate, double decay, double momentum, boolean nesterov,
                            double beta1, double beta2, double epsilon) {
    }

    public record EarlyStopping(boolean enabled, Monitor monitor, int patience, Mode mode) {
    }

    public record Checkpoint(Monitor monitor, Mode mode) {
    }

    public enum Monitor {
        VAL_LOSS("val_loss"), VAL_ACCURACY("val_accuracy"), LOSS("loss"), ACCURACY("accuracy");

        private final String wire;

        Monitor(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    public enum Mode {
        MIN, MAX, AUTO;

        /** Keras' rule for mode auto: accuracies are maximised, losses minimised. */
        public Mode resolve(Monitor monitor) {
            if (this != AUTO) {
                return this;
            }
            return monitor == Monitor.VAL_ACCURACY || monitor == Monitor.ACCURACY ? MAX : MIN;
        }
    }
}
