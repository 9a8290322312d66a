package io.transferpool.admission;

import io.transferpool.data.BadSampleException;
import io.transferpool.data.Dataset;
import io.transferpool.data.DatasetLister;
import io.transferpool.data.ImageDecoder;
import io.transferpool.data.Preprocessor;
import io.transferpool.data.RawImage;
import io.transferpool.data.Sample;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobRejectedException;
import io.transferpool.job.JobSpec;
import io.transferpool.model.ExternalData;
import io.transferpool.model.GraphCut;
import io.transferpool.model.ModelInspector;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.StoredModel;
import io.transferpool.paths.PathResolver;
import io.transferpool.storage.Location;
import io.transferpool.storage.Storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks what a parsed job refers to and returns the facts found: the model (readable, digest, input, cut tensor,
 * input shape against the preprocessing, one run on zeros for every tensor's shape) and the data (inside the root,
 * not empty, two classes or more, images of the size and channel count the preprocessing expects). Collects every
 * error it can find into the facts; deciding what the job becomes (strategy, cut, limits) is the
 * {@link JobPlanner}'s.
 */
public final class JobValidator {
    private final Storage storage;
    private static final int KEPT_RUNS = 8;
    /**
     * The base's run on zeros by model digest (with its external data's): jobs on a base already checked skip it.
     * The run builds an ONNX Runtime session with every tensor as an output, unoptimised: 50-100 ms for
     * MobileNetV2 and seconds for larger bases, on every job. Only successful runs are kept (a failure may be
     * memory running short). Shared by the validation threads, hence synchronized; a few bases at most.
     */
    private final Map<String, ModelInspector.Inferred> runs = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, ModelInspector.Inferred> eldest) {
                    return size() > KEPT_RUNS;
                }
            });
    private final AtomicInteger modelRuns = new AtomicInteger();

    public JobValidator(Storage storage) {
        this.storage = storage;
    }

    /** Files under {@code paths}' root only. */
    public JobValidator(PathResolver paths) {
        this(Storage.local(paths));
    }

    /** What job paths resolve against. */
    public Path root() {
        return storage.files().root();
    }

    /** Where jobs' data and models are read from. */
    public Storage storage() {
        return storage;
    }

    /** The facts of what {@code spec} refers to, with every error found (none: it may be planned). */
    public JobFacts check(JobSpec spec) {
        List<FieldError> errors = new ArrayList<>();
        JobFacts.Model model = checkModel(spec, errors);
        Dataset train = listSplit("data.train", spec.data().train(), spec.data().classes(), errors);
        Dataset test = null;
        if (train != null) {
            checkClasses(train, errors);
            checkImages("data.train", train, spec.preprocess(), errors);
            if (spec.data().test() != null) {
                test = listSplit("data.test", spec.data().test(), train.classes(), errors);
                if (test != null && test.samples().isEmpty()) {
                    errors.add(new FieldError("data.test.uri", "no samples found in \"" + spec.data().test().uri()
                            + "\""));
                } else if (test != null) {
                    checkImages("data.test", test, spec.preprocess(), errors);
                }
            }
        }
        return new JobFacts(spec, model, train, test, errors);
    }

    private JobFacts.Model checkModel(JobSpec spec, List<FieldError> errors) {
        JobSpec.BaseModel bm = spec.baseModel();
        Location location;
        try {
            location = storage.resolve("baseModel.uri", bm.uri());
        } catch (JobRejectedException e) {
            errors.addAll(e.errors());
            return new JobFacts.Model(null, null, null, bm.input(), null, Map.of(), null);
        }
        if (location instanceof Location.File f && (!Files.isRegularFile(f.path()) || !Files.isReadable(f.path()))) {
            errors.add(new FieldError("baseModel.uri", "model file \"" + bm.uri() + "\" does not exist, is not "
                    + "readable or is not a regular file"));
            return new JobFacts.Model(f.path(), null, null, bm.input(), null, Map.of(), null);
        }
        Path file = null;
        OnnxModel model;
        try {
            file = StoredModel.file(storage, location);
            model = StoredModel.read(location, file);
        } catch (IOException e) {
            errors.add(new FieldError("baseModel.uri", e.getMessage()));
            return new JobFacts.Model(file, null, null, bm.input(), null, Map.of(), null);
        }
        if (bm.sha256() != null && !bm.sha256().equals(model.sha256())) {
            errors.add(new FieldError("baseModel.sha256", "expected " + bm.sha256() + " but the file's SHA-256 is "
                    + model.sha256()));
        }
        List<String> inputs = model.dataInputs();
        String input = bm.input();
        if (input == null) {
            if (inputs.size() == 1) {
                input = inputs.get(0);
            } else {
                errors.add(new FieldError("baseModel.input", "is required: the model has inputs " + inputs));
            }
        } else if (!inputs.contains(input)) {
            errors.add(new FieldError("baseModel.input", "no input \"" + input + "\" in the model; it has " + inputs));
            input = null;
        }
        if (bm.cut() != null && spec.strategy() != JobSpec.Strategy.FINE_TUNE) {
            try {
                GraphCut.cut(model, bm.cut());
            } catch (GraphCut.UnknownTensorException e) {
                errors.add(new FieldError("baseModel.cut", e.getMessage()));
            }
        }
        if (input != null) {
            checkInputShape(model.inputShape(input), input, spec.preprocess(), errors);
        }
        List<String> external = ExternalData.problems(model.graph(), model.folder());
        external.forEach(p -> errors.add(new FieldError("baseModel.uri", p)));
        Map<String, String> externalSha256 = null;
        if (external.isEmpty()) {
            externalSha256 = checkExternalPins(model, bm, errors);
        }
        Map<String, List<Long>> shapes = Map.of();
        if (external.isEmpty()) {
            // One run on zeros: a model ONNX Runtime cannot load or run is refused here, in its words, before
            // any work; the shapes serve the fine-tuning checks.
            String key = model.sha256() + (externalSha256 == null ? "" : new TreeMap<>(externalSha256).toString());
            ModelInspector.Inferred inferred = runs.get(key);
            if (inferred == null) {
                inferred = ModelInspector.infer(model);
                modelRuns.incrementAndGet();
                if (inferred.ok()) {
                    // Every job, the first too, sees the kept map read-only. Not Map.copyOf: the checks look up
                    // tensors a job may leave unset, and get(null) must say null.
                    inferred = new ModelInspector.Inferred(Collections.unmodifiableMap(inferred.shapes()), null);
                    runs.put(key, inferred);
                }
            }
            if (!inferred.ok()) {
                errors.add(new FieldError("baseModel.uri", inferred.failure()));
            }
            shapes = inferred.shapes();
        }
        return new JobFacts.Model(file, location.ref(), model.sha256(), input, model, shapes, externalSha256);
    }

    /**
     * The digests of the model's external-data files (null when it has none). A job that pins the model must pin
     * each of them too (a pin of the .onnx file alone says nothing about the weights kept beside it), and every
     * pin must match.
     */
    private static Map<String, String> checkExternalPins(OnnxModel model, JobSpec.BaseModel bm,
                                                         List<FieldError> errors) {
        Map<String, String> digests;
        try {
            digests = ExternalData.digests(model.graph(), model.folder());
        } catch (IOException e) {
            errors.add(new FieldError("baseModel.uri", e.getMessage()));
            return null;
        }
        Map<String, String> pins = bm.externalSha256() == null ? Map.of() : bm.externalSha256();
        for (var pin : new java.util.TreeMap<>(pins).entrySet()) {
            String actual = digests.get(pin.getKey());
            if (actual == null) {
                errors.add(new FieldError("baseModel.externalSha256." + pin.getKey(), "the model keeps no external "
                        + "data in \"" + pin.getKey() + "\"; its external data files are " + digests.keySet()));
            } else if (!actual.equals(pin.getValue())) {
                errors.add(new FieldError("baseModel.externalSha256." + pin.getKey(), "expected " + pin.getValue()
                        + " but the file's SHA-256 is " + actual));
            }
        }
        if (bm.sha256() != null) {
            digests.keySet().stream().filter(l -> !pins.containsKey(l)).forEach(l -> errors.add(new FieldError(
                    "baseModel.externalSha256", "the model keeps weights in \"" + l + "\": a job that pins the "
                    + "model (baseModel.sha256) must pin that file as well, as {\"" + l + "\": \"<its SHA-256>\"}")));
        }
        return digests.isEmpty() ? null : digests;
    }

    /** How many bases' runs on zeros are kept (tests). */
    int keptRuns() {
        return runs.size();
    }

    /** How many times a base was run on zeros (tests). */
    int modelRuns() {
        return modelRuns.get();
    }

    /** Compares the model input's static dims with what the preprocessing will feed it. */
    static void checkInputShape(long[] shape, String input, JobSpec.Preprocess p, List<FieldError> errors) {
        if (shape.length != 4) {
            if (shape.length > 0) {
                errors.add(new FieldError("baseModel.input", "input \"" + input + "\" has shape "
                        + Arrays.toString(shape) + "; an image model takes 4 dimensions"));
            }
            return;
        }
        boolean nchw = p.layout() == JobSpec.Layout.NCHW;
        long c = nchw ? shape[1] : shape[3];
        long h = nchw ? shape[2] : shape[1];
        long w = nchw ? shape[3] : shape[2];
        String where = " (input \"" + input + "\" has shape " + Arrays.toString(shape) + ", layout " + p.layout() + ")";
        if (c > 0 && c != p.channels()) {
            errors.add(new FieldError("preprocess.channels", "the model takes " + c + " channels, preprocess gives "
                    + p.channels() + where + (c == 1 || c == 3 || c == 4 ? "; set it to " + c + ": grey, RGB and "
                    + "RGBA images are converted to it, whatever the images have" : "")));
        }
        if (h > 0 && h != p.height()) {
            errors.add(new FieldError("preprocess.height", "the model takes height " + h + ", preprocess gives "
                    + p.height() + where));
        }
        if (w > 0 && w != p.width()) {
            errors.add(new FieldError("preprocess.width", "the model takes width " + w + ", preprocess gives "
                    + p.width() + where));
        }
    }

    private Dataset listSplit(String field, JobSpec.Source source, List<String> classes, List<FieldError> errors) {
        try {
            return DatasetLister.list(storage, field, source, classes);
        } catch (JobRejectedException e) {
            errors.addAll(e.errors());
            return null;
        }
    }

    private static void checkClasses(Dataset train, List<FieldError> errors) {
        if (train.samples().isEmpty()) {
            errors.add(new FieldError("data.train.uri", "no samples found"));
            return;
        }
        int[] counts = train.countsPerClass();
        List<String> present = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                present.add(train.classes().get(i));
            }
        }
        if (present.size() < 2) {
            errors.add(new FieldError("data.train", "only one class has samples (" + present
                    + "); a classifier needs at least two"));
        }
    }

    /** Grey, RGB and RGBA images are converted to the model's channels by the preprocessing (see Preprocessor). */
    private static boolean convertible(int channels) {
        return channels == 1 || channels == 3 || channels == 4;
    }

    /**
     * Decodes the first readable image of each class: a whole dataset of the wrong size or channel count rejects
     * the job here, while a few odd images later only count as bad samples.
     */
    private void checkImages(String field, Dataset ds, JobSpec.Preprocess p, List<FieldError> errors) {
        ImageDecoder decoder = new ImageDecoder(storage);
        for (int label = 0; label < ds.classes().size(); label++) {
            int tried = 0;
            for (Sample s : ds.samples()) {
                if (s.label() != label || tried++ >= 3) {
                    continue;
                }
                RawImage img;
                try {
                    img = decoder.decode(s.ref());
                } catch (BadSampleException e) {
                    continue;
                }
                try {
                    new Preprocessor(p).sized(img);
                } catch (BadSampleException e) {
                    errors.add(new FieldError(field, "images do not fit the preprocessing (" + s.ref() + "): "
                            + e.getMessage() + "; fix preprocess.width/height, resize or crop"));
                    return;
                }
                if (img.channels() != p.channels() && !(convertible(img.channels()) && convertible(p.channels()))) {
                    errors.add(new FieldError(field, "images have " + img.channels() + " channel(s) (" + s.ref()
                            + ") but preprocess.channels is " + p.channels() + "; grey (1), RGB (3) and RGBA (4)"
                            + " convert into each other, other counts must match"));
                    return;
                }
                break;
            }
        }
    }
}
