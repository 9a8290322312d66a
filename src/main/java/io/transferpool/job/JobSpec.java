package io.transferpool.job;

import java.util.List;
import java.util.Map;

/**
 * A transfer-learning job as the user wrote it, with every default filled in. Immutable; see
 * {@code src/main/resources/job.schema.json} and the README for the contract. Paths stay as written:
 * they are resolved against a root by {@code paths.PathResolver}.
 */
public record JobSpec(
        int schemaVersion,
        String jobId,
        Strategy strategy,
        BaseModel baseModel,
        Data data,
        Preprocess preprocess,
        Head head,
        Training training,
        FineTune fineTune,
        List<Candidate> sweep,
        String owner) {

    public static final int SCHEMA_VERSION = 1;

    /** The owner of a job that names none: the pool shares its capacity among owners before jobs. */
    public static final String DEFAULT_OWNER = "default";

    public JobSpec {
        sweep = sweep == null ? List.of() : List.copyOf(sweep);
        owner = owner == null ? DEFAULT_OWNER : owner;
    }

    /** A job without a sweep. */
    public JobSpec(int schemaVersion, String jobId, Strategy strategy, BaseModel baseModel, Data data,
                   Preprocess preprocess, Head head, Training training, FineTune fineTune) {
        this(schemaVersion, jobId, strategy, baseModel, data, preprocess, head, training, fineTune, List.of(),
                DEFAULT_OWNER);
    }

    /** The same job for another owner (the one its API token names). */
    public JobSpec withOwner(String o) {
        return new JobSpec(schemaVersion, jobId, strategy, baseModel, data, preprocess, head, training, fineTune, sweep,
                o);
    }

    /** The same job with other training settings. */
    public JobSpec withTraining(Training t) {
        return new JobSpec(schemaVersion, jobId, strategy, baseModel, data, preprocess, head, t, fineTune, sweep, owner);
    }

    /** The same job with other settings of its model and data (a settled base model). */
    /** The same job with another strategy (the advisor's choice for {@code "auto"}). */
    public JobSpec withStrategy(Strategy s) {
        return new JobSpec(schemaVersion, jobId, s, baseModel, data, preprocess, head, training, fineTune, sweep, owner);
    }

    public JobSpec withBaseModel(BaseModel b, FineTune ft) {
        return new JobSpec(schemaVersion, jobId, strategy, b, data, preprocess, head, training, ft, sweep, owner);
    }

    /** The same job with these sweep candidates. */
    public JobSpec withSweep(List<Candidate> candidates) {
        return new JobSpec(schemaVersion, jobId, strategy, baseModel, data, preprocess, head, training, fineTune,
                candidates, owner);
    }

    /** One candidate of the sweep as a job of its own (no sweep): its head, training and fine-tuning settings. */
    public JobSpec candidate(Candidate c) {
        return new JobSpec(schemaVersion, jobId, strategy, baseModel, data, preprocess, c.head(), c.training(),
                c.fineTune(), List.of(), owner);
    }

    /**
     * One combination of a job's {@code sweep}: the swept fields' values as written (JSON text, by field path)
     * and the settings they make. Only head, training and fine-tuning settings are swept: they leave the
     * features alone, so every candidate trains on the same ones.
     */
    public record Candidate(Map<String, String> values, Head head, Training training, FineTune fineTune) {
        public Candidate {
            values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
        }
    }

    /** {@code auto}: the coordinator measures the data and chooses one of the others (see {@link Advice}). */
    public enum Strategy {
        FEATURE_EXTRACTION("feature-extraction"), FINE_TUNE("fine-tune"), AUTO("auto"),
        /** Method 1's extraction only: the features themselves are the output (README "Features as output"). */
        EXTRACT("extract");

        private final String wire;

        Strategy(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /**
     * The base: an ONNX file, its image input, the tensor to cut the graph at (where the new head attaches) and, for
     * fine-tuning, the freeze boundary: the tensor the extractors emit, after which layers are trained again.
     * {@code externalSha256}: the SHA-256 of each external-data file of the model, by its location (relative to the
     * model's folder); required with {@code sha256} when the model has such files, filled in on acceptance.
     */
    public record BaseModel(String uri, String input, String cut, String sha256, String freezeAt,
                            Map<String, String> externalSha256) {
        public BaseModel {
            externalSha256 = externalSha256 == null ? null : Map.copyOf(new java.util.TreeMap<>(externalSha256));
        }

        public BaseModel(String uri, String input, String cut, String sha256, String freezeAt) {
            this(uri, input, cut, sha256, freezeAt, null);
        }

        /** This model as checked: the input the images feed, the file's digests as found. */
        public BaseModel checked(String checkedInput, String digest, Map<String, String> externalDigests) {
            return new BaseModel(uri, checkedInput, cut, digest, freezeAt, externalDigests);
        }

        /** This model with the freeze boundary of a fine-tune (null: none). */
        public BaseModel withFreezeAt(String boundary) {
            return new BaseModel(uri, input, cut, sha256, boundary, externalSha256);
        }

        /** This model with the cut (where the head attaches) settled. */
        public BaseModel withCut(String settledCut) {
            return new BaseModel(uri, input, settledCut, sha256, freezeAt, externalSha256);
        }
    }

    /** The tensor extractors emit: the cut for a fixed feature extractor, the freeze boundary for fine-tuning. */
    public String extractAt() {
        return strategy == Strategy.FINE_TUNE ? baseModel.freezeAt() : baseModel.cut();
    }

    public enum BatchNorm {
        /** Pretrained statistics, scale and shift kept: the layer is a fixed per-channel map. */
        FROZEN,
        /** Batch statistics while training, running averages updated, scale and shift trained. */
        UPDATE
    }

    /**
     * Fine-tuning settings. {@code baseLearningRate}: learning rate of the pretrained layers (the optimizer's rate
     * trains the new head); {@code keepBaseClassifier}: train the base's own classifier instead of a new head, null
     * until the coordinator decides (true when the base's output has as many classes as the task).
     * {@code warmupEpochs}: at most this many epochs of training the new head alone, everything before it frozen,
     * at {@code warmupLearningRate}, with early stopping, before anything is unfrozen (0: no warm-up).
     */
    public record FineTune(double baseLearningRate, BatchNorm batchNorm, Boolean keepBaseClassifier,
                           int warmupEpochs, double warmupLearningRate) {

        /** The same settings with the coordinator's decision about the base's classifier. */
        public FineTune withKeepBaseClassifier(Boolean keep) {
            return new FineTune(baseLearningRate, batchNorm, keep, warmupEpochs, warmupLearningRate);
        }

        /** Whether a new head is first trained alone: asked for, and there is a new head to train. */
        public boolean warmsUp() {
            return warmupEpochs > 0 && !Boolean.TRUE.equals(keepBaseClassifier);
        }
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
        NONE("none"),
        /** Scale to width x height (or resizeSize x resizeSize before a crop), ignoring aspect ratio. */
        STRETCH("stretch"),
        /** Scale so that the shorter side is resizeSize, keeping the aspect ratio (torchvision's Resize(int)). */
        SHORTER_SIDE("shorter-side");

        private final String wire;

        Resize(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /** What to cut from a (resized) image larger than width x height. */
    public enum Crop {
        /** Nothing: the image must have the size by then. */
        NONE,
        /** The centre, as torchvision's CenterCrop. */
        CENTER
    }

    /**
     * pixel' = (pixel * scale - mean[c]) / std[c], after turning the image as its EXIF says (when
     * {@code exifOrientation}), resizing (antialiased when shrinking, as PIL) and cropping. {@code resizeSize} 0 means
     * none given.
     */
    public record Preprocess(int width, int height, int channels, double scale, List<Double> mean, List<Double> std,
                             Layout layout, Resize resize, int resizeSize, Crop crop, boolean exifOrientation) {
        /** No crop, no separate resize size, pixels as stored. */
        public Preprocess(int width, int height, int channels, double scale, List<Double> mean, List<Double> std,
                          Layout layout, Resize resize) {
            this(width, height, channels, scale, mean, std, layout, resize, 0, Crop.NONE, false);
        }
    }

    public record Head(List<Integer> hidden, String activation, double dropout) {
    }

    public record Training(Optimizer optimizer, int epochs, int batchSize, EarlyStopping earlyStopping,
                           Checkpoint checkpoint, long seed) {
    }

    public record Optimizer(String type, double learningRate, double decay, double momentum, boolean nesterov,
                            double beta1, double beta2, double epsilon) {
        public Optimizer withLearningRate(double rate) {
            return new Optimizer(type, rate, decay, momentum, nesterov, beta1, beta2, epsilon);
        }
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
