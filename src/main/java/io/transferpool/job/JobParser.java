package io.transferpool.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.transferpool.job.JobSpec.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns job JSON into a {@link JobSpec} with the seed's defaults (DESIGN.md section 2), or into the full list of
 * what is wrong with it. Checks only what the document itself says; whether the model and data exist and fit is
 * {@code admission.JobValidator}'s business.
 */
public final class JobParser {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

    /**
     * What parsing gave: a spec when {@code errors} is empty; the job id when one could be read, for the result;
     * {@code rerun}: the job asks to run again under an id already used (a submission instruction, not part of
     * the spec).
     */
    public record Parsed(JobSpec spec, String jobId, List<FieldError> errors, boolean rerun) {
        public Parsed(JobSpec spec, String jobId, List<FieldError> errors) {
            this(spec, jobId, errors, false);
        }

        public boolean ok() {
            return errors.isEmpty();
        }

        public JobSpec orThrow() {
            if (!ok()) {
                throw new JobRejectedException(errors);
            }
            return spec;
        }
    }

    private JobParser() {
    }

    /** True for a valid job id: also what keeps a job id from ever naming a path outside its folder. */
    public static boolean isJobId(String s) {
        return s != null && JOB_ID.matcher(s).matches();
    }

    public static Parsed parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            return new Parsed(null, null, List.of(new FieldError("$", "not valid JSON" + where + ": "
                    + e.getOriginalMessage())));
        }
        if (root == null || !root.isObject()) {
            return new Parsed(null, null, List.of(new FieldError("$", "a job must be a JSON object")));
        }
        Parsed parsed = parse(root);
        if (parsed.ok() && root.has("sweep") && parsed.spec().strategy() == JobSpec.Strategy.EXTRACT) {
            return new Parsed(null, parsed.jobId(), List.of(new FieldError("sweep", "a job with strategy \"extract\" "
                    + "trains nothing, so there are no candidates to compare")), parsed.rerun());
        }
        if (parsed.ok() && root.has("sweep")) {
            List<FieldError> errors = new ArrayList<>();
            List<JobSpec.Candidate> candidates = SweepReader.read(root, errors, JobParser::parse);
            return errors.isEmpty()
                    ? new Parsed(parsed.spec().withSweep(candidates), parsed.jobId(), List.of(), parsed.rerun())
                    : new Parsed(null, parsed.jobId(), List.copyOf(errors), parsed.rerun());
        }
        return parsed;
    }

    /** The job without its sweep (a sweep's candidates are parsed as jobs of their own). */
    private static Parsed parse(JsonNode root) {
        List<FieldError> errors = new ArrayList<>();
        FieldReader r = new FieldReader(root, "", errors);
        JobSpec spec = read(r);
        boolean rerun = r.bool("rerun", false);
        if (errors.isEmpty()) {
            checkMonitors(spec, errors);
        }
        String jobId = root.path("jobId").isTextual() ? root.get("jobId").asText() : null;
        return errors.isEmpty() ? new Parsed(spec, jobId, List.of(), rerun)
                : new Parsed(null, jobId, List.copyOf(errors), rerun);
    }

    private static JobSpec read(FieldReader r) {
        r.rejectUnknown(Set.of("schemaVersion", "jobId", "owner", "rerun", "strategy", "baseModel", "data", "preprocess",
                "head", "training", "fineTune", "sweep"));
        int schemaVersion = r.integer("schemaVersion", JobSpec.SCHEMA_VERSION, 1, Integer.MAX_VALUE);
        if (schemaVersion != JobSpec.SCHEMA_VERSION) {
            r.error("schemaVersion", "this pool reads schemaVersion " + JobSpec.SCHEMA_VERSION + ", got " + schemaVersion);
        }
        String jobId = r.string("jobId", null, true);
        if (jobId != null && !JOB_ID.matcher(jobId).matches()) {
            r.error("jobId", "use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        String owner = r.string("owner", JobSpec.DEFAULT_OWNER, false);
        if (owner != null && !JOB_ID.matcher(owner).matches()) {
            r.error("owner", "use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        Strategy strategy = r.choice("strategy", Strategy.class, Strategy.FEATURE_EXTRACTION, false, Strategy::wire);
        boolean fineTune = strategy == Strategy.FINE_TUNE;
        boolean auto = strategy == Strategy.AUTO;
        Training training = training(r.object("training", false), fineTune ? 1e-4 : 1e-3);
        FineTune ft = null;
        FieldReader f = r.object("fineTune", false);
        if (fineTune || auto) {
            // auto: the settings a fine-tune would get, the pretrained layers at the seed's small rate
            ft = fineTune(f, training == null || auto ? 1e-4 : training.optimizer().learningRate(),
                    training == null ? 0 : training.epochs());
        } else if (f != null) {
            r.error("fineTune", "only a job with strategy \"fine-tune\" or \"auto\" takes fine-tuning settings");
        }
        return new JobSpec(schemaVersion, jobId, strategy, baseModel(r.object("baseModel", true), strategy),
                data(r.object("data", true)), preprocess(r.object("preprocess", true)), head(r.object("head", false)),
                training, ft).withOwner(owner);
    }

    /** Validation metrics need validation data: a val_* monitor with validationSplit 0 would watch nothing. */
    private static void checkMonitors(JobSpec spec, List<FieldError> errors) {
        if (spec.data().validationSplit() > 0) {
            return;
        }
        Training t = spec.training();
        if (t.earlyStopping().enabled() && t.earlyStopping().monitor().wire().startsWith("val_")) {
            errors.add(new FieldError("training.earlyStopping.monitor", t.earlyStopping().monitor().wire()
                    + " needs data.validationSplit > 0; monitor loss or accuracy, or disable early stopping"));
        }
        if (t.checkpoint().monitor().wire().startsWith("val_")) {
            errors.add(new FieldError("training.checkpoint.monitor", t.checkpoint().monitor().wire()
                    + " needs data.validationSplit > 0; monitor loss or accuracy instead"));
        }
    }

    /**
     * The warm-up's default rate: what a feature-extraction job trains its head at (the seed fine-tunes from the
     * head its method 1 trained), not the small rate meant for pretrained layers.
     */
    static final double WARMUP_LEARNING_RATE = 1e-3;

    /** @param epochs the default of warmupEpochs: the job's own epoch budget (early stopping ends it sooner) */
    private static FineTune fineTune(FieldReader r, double learningRate, int epochs) {
        if (r == null) {
            return new FineTune(learningRate, JobSpec.BatchNorm.FROZEN, null, epochs, WARMUP_LEARNING_RATE);
        }
        r.rejectUnknown(Set.of("baseLearningRate", "batchNorm", "keepBaseClassifier", "warmupEpochs",
                "warmupLearningRate"));
        Boolean keep = r.has("keepBaseClassifier") ? r.bool("keepBaseClassifier", false) : null;
        return new FineTune(r.number("baseLearningRate", learningRate, 0.0, 10.0, true),
                r.choice("batchNorm", JobSpec.BatchNorm.class, JobSpec.BatchNorm.FROZEN), keep,
                r.integer("warmupEpochs", epochs, 0, 1_000_000),
                r.number("warmupLearningRate", WARMUP_LEARNING_RATE, 0.0, 10.0, true));
    }

    private static BaseModel baseModel(FieldReader r, Strategy strategy) {
        if (r == null) {
            return null;
        }
        boolean fineTune = strategy == Strategy.FINE_TUNE;
        r.rejectUnknown(Set.of("uri", "input", "cut", "sha256", "freezeAt", "externalSha256"));
        String freezeAt = r.string("freezeAt", null, fineTune);
        if (strategy == Strategy.AUTO && freezeAt != null) {
            r.error("freezeAt", "is chosen by the advisor for a job with strategy \"auto\"; give a strategy to "
                    + "choose it yourself");
        } else if (!fineTune && freezeAt != null) {
            r.error("freezeAt", "only a job with strategy \"fine-tune\" has a freeze boundary; a feature-extraction"
                    + " job freezes everything up to baseModel.cut");
        }
        String sha = r.string("sha256", null, false);
        if (sha != null && !SHA256.matcher(sha).matches()) {
            r.error("sha256", "expected 64 hexadecimal digits");
        }
        Map<String, String> external = null;
        FieldReader ext = r.object("externalSha256", false);
        if (ext != null) {
            external = new LinkedHashMap<>();
            for (String location : ext.fieldNames()) {
                String digest = ext.string(location, null, true);
                if (digest != null && !SHA256.matcher(digest).matches()) {
                    ext.error(location, "expected 64 hexadecimal digits");
                } else if (digest != null) {
                    external.put(location, digest.toLowerCase());
                }
            }
        }
        return new BaseModel(r.string("uri", null, true), r.string("input", null, false),
                r.string("cut", null, strategy == Strategy.FEATURE_EXTRACTION || strategy == Strategy.EXTRACT),
                sha == null ? null : sha.toLowerCase(),
                freezeAt, external);
    }

    private static Data data(FieldReader r) {
        if (r == null) {
            return null;
        }
        r.rejectUnknown(Set.of("train", "test", "validationSplit", "maxBadSampleFraction", "classes"));
        List<String> classes = r.list("classes", List.of(), FieldReader::asString, "class names");
        for (int i = 0; i < classes.size(); i++) {
            String problem = className(classes.get(i));
            if (problem != null) {
                r.error("classes[" + i + "]", problem);
            }
        }
        return new Data(source(r.object("train", true)), source(r.object("test", false)),
                r.number("validationSplit", 0.1, 0.0, 1.0, true),
                r.number("maxBadSampleFraction", 0.05, 0.0, 1.0, false), classes);
    }

    /** Class names are folder names of image-folder data: one plain path element. Null when fine. */
    static String className(String name) {
        if (name == null || name.isEmpty() || name.length() > 255) {
            return "a class name must have 1 to 255 characters";
        }
        if (name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")
                || name.chars().anyMatch(c -> c < 0x20)) {
            return "\"" + name.replaceAll("\\p{Cntrl}", "?") + "\" is not a plain folder name (no /, \\, ., .. or "
                    + "control characters)";
        }
        return null;
    }

    private static Source source(FieldReader r) {
        if (r == null) {
            return null;
        }
        r.rejectUnknown(Set.of("uri", "format", "labels", "labelFilter"));
        Format format = r.choice("format", Format.class, Format.IMAGE_FOLDER, false, Format::wire);
        String labels = r.string("labels", null, format == Format.IDX);
        if (format != Format.IDX && labels != null) {
            r.error("labels", "only the idx format takes a labels file");
        }
        return new Source(r.string("uri", null, true), format, labels,
                r.list("labelFilter", List.of(), FieldReader::asInt, "integers"));
    }

    private static Preprocess preprocess(FieldReader r) {
        if (r == null) {
            return null;
        }
        r.rejectUnknown(Set.of("width", "height", "channels", "scale", "mean", "std", "layout", "resize", "resizeSize",
                "crop", "exifOrientation"));
        int channels = r.integer("channels", 3, 1, 4);
        if (channels == 2) {
            r.error("channels", "must be 1 (grey), 3 (RGB) or 4 (RGBA), got 2");
        }
        List<Double> mean = r.list("mean", List.of(), FieldReader::asDouble, "numbers");
        List<Double> std = r.list("std", List.of(), FieldReader::asDouble, "numbers");
        if (!mean.isEmpty() && mean.size() != channels && mean.size() != 1) {
            r.error("mean", "give 1 or " + channels + " values (one per channel), got " + mean.size());
        }
        if (!std.isEmpty() && std.size() != channels && std.size() != 1) {
            r.error("std", "give 1 or " + channels + " values (one per channel), got " + std.size());
        }
        // Divisors that are 0 as a float (1e-300) or not finite would make every input NaN or infinite.
        if (std.stream().anyMatch(s -> !Double.isFinite(s) || Math.abs(s) < 1e-6)) {
            r.error("std", "values must be finite and at least 1e-6 in size");
        }
        if (mean.stream().anyMatch(m -> !Double.isFinite(m))) {
            r.error("mean", "values must be finite");
        }
        int width = r.integer("width", 0, 1, 8192);
        int height = r.integer("height", 0, 1, 8192);
        Resize resize = r.choice("resize", Resize.class, Resize.NONE, false, Resize::wire);
        int resizeSize = r.integer("resizeSize", 0, 1, 8192);
        Crop crop = r.choice("crop", Crop.class, Crop.NONE);
        if (resizeSize > 0 && resize == Resize.NONE) {
            r.error("resizeSize", "needs preprocess.resize (\"shorter-side\" or \"stretch\")");
        }
        if (resize == Resize.SHORTER_SIDE && crop != Crop.CENTER) {
            r.error("crop", "must be \"center\" with resize \"shorter-side\" (the aspect ratio is kept, so only a "
                    + "crop reaches width x height)");
        }
        if (resizeSize > 0 && crop == Crop.CENTER && resizeSize < Math.max(width, height)) {
            r.error("resizeSize", resizeSize + " is smaller than the " + Math.max(width, height)
                    + " pixels the crop takes (width x height " + width + "x" + height + ")");
        }
        if (resizeSize > 0 && resize == Resize.STRETCH && crop == Crop.NONE) {
            r.error("resizeSize", "with resize \"stretch\" and no crop the image is stretched to width x height; "
                    + "drop resizeSize or set crop to \"center\"");
        }
        return new Preprocess(width, height, channels,
                r.number("scale", 1.0 / 255.0, 0.0, Double.MAX_VALUE, false), mean, std,
                r.choice("layout", Layout.class, Layout.NCHW, false, Enum::name), resize, resizeSize, crop,
                r.bool("exifOrientation", false));
    }

    private static Head head(FieldReader r) {
        if (r == null) {
            return new Head(List.of(1024), "relu", 0.0);
        }
        r.rejectUnknown(Set.of("hidden", "activation", "dropout"));
        List<Integer> hidden = r.list("hidden", List.of(1024), FieldReader::asInt, "layer sizes");
        if (hidden.stream().anyMatch(h -> h < 1 || h > 65536)) {
            r.error("hidden", "layer sizes must be between 1 and 65536");
        }
        String activation = r.string("activation", "relu", false);
        if (!Set.of("relu", "tanh", "sigmoid").contains(activation)) {
            r.error("activation", "unknown value \"" + activation + "\" (allowed: relu, tanh, sigmoid)");
        }
        return new Head(hidden, activation, r.number("dropout", 0.0, 0.0, 1.0, true));
    }

    /** @param learningRate the default: the seed's 1e-3 for a new head, 1e-4 when fine-tuning */
    private static Training training(FieldReader r, double learningRate) {
        Optimizer defaultOptimizer = new Optimizer("sgd", learningRate, 1e-6, 0.9, true, 0.9, 0.999, 1e-7);
        EarlyStopping defaultStop = new EarlyStopping(true, Monitor.VAL_ACCURACY, 10, Mode.MAX);
        Checkpoint defaultCheckpoint = new Checkpoint(Monitor.VAL_LOSS, Mode.MIN);
        if (r == null) {
            return new Training(defaultOptimizer, 200, 64, defaultStop, defaultCheckpoint, 42);
        }
        r.rejectUnknown(Set.of("optimizer", "epochs", "batchSize", "earlyStopping", "checkpoint", "seed"));
        FieldReader o = r.object("optimizer", false);
        Optimizer optimizer = o == null ? defaultOptimizer : optimizer(o, learningRate);
        FieldReader es = r.object("earlyStopping", false);
        EarlyStopping stop = defaultStop;
        if (es != null) {
            es.rejectUnknown(Set.of("enabled", "monitor", "patience", "mode"));
            Monitor monitor = es.choice("monitor", Monitor.class, Monitor.VAL_ACCURACY, false, Monitor::wire);
            stop = new EarlyStopping(es.bool("enabled", true), monitor, es.integer("patience", 10, 0, 100_000),
                    es.choice("mode", Mode.class, Mode.AUTO).resolve(monitor));
        }
        FieldReader cp = r.object("checkpoint", false);
        Checkpoint checkpoint = defaultCheckpoint;
        if (cp != null) {
            cp.rejectUnknown(Set.of("monitor", "mode"));
            Monitor monitor = cp.choice("monitor", Monitor.class, Monitor.VAL_LOSS, false, Monitor::wire);
            checkpoint = new Checkpoint(monitor, cp.choice("mode", Mode.class, Mode.AUTO).resolve(monitor));
        }
        return new Training(optimizer, r.integer("epochs", 200, 1, 100_000), r.integer("batchSize", 64, 1, 65536),
                stop, checkpoint, r.longValue("seed", 42));
    }

    private static Optimizer optimizer(FieldReader o, double learningRate) {
        o.rejectUnknown(Set.of("type", "learningRate", "decay", "momentum", "nesterov", "beta1", "beta2", "epsilon"));
        String type = o.string("type", "sgd", false);
        if (!Set.of("sgd", "adam").contains(type)) {
            o.error("type", "unknown value \"" + type + "\" (allowed: sgd, adam)");
        }
        double momentum = o.number("momentum", "sgd".equals(type) ? 0.9 : 0.0, 0.0, 1.0, true);
        boolean nesterov = o.bool("nesterov", true);
        if ("sgd".equals(type) && !nesterov && momentum > 0) {
            // DL4J has Nesterov momentum and plain SGD, but no classical (heavy-ball) momentum.
            o.error("nesterov", "false with momentum > 0 (classical momentum) is not supported by the trainer;"
                    + " use nesterov true, or momentum 0 for plain SGD");
        }
        return new Optimizer(type, o.number("learningRate", learningRate, 0.0, 10.0, false),
                o.number("decay", "sgd".equals(type) ? 1e-6 : 0.0, 0.0, 1.0, false), momentum, nesterov,
                o.number("beta1", 0.9, 0.0, 1.0, true), o.number("beta2", 0.999, 0.0, 1.0, true),
                o.number("epsilon", 1e-7, 0.0, 1.0, false));
    }
}
