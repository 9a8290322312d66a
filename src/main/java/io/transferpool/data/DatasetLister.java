package io.transferpool.data;

import io.transferpool.job.FieldError;
import io.transferpool.job.JobRejectedException;
import io.transferpool.job.JobSpec;
import io.transferpool.paths.PathResolver;
import io.transferpool.storage.Location;
import io.transferpool.storage.ObjectStore;
import io.transferpool.storage.ObjectUri;
import io.transferpool.storage.Storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Lists the samples of a split. image-folder: one sub-folder per class, classes in sorted folder-name order unless
 * the job gives them; idx: an image file and a label file, the labels kept given by {@code labelFilter}. In object
 * storage a folder is a prefix and its sub-folders the next key segment, as the AWS CLI and s3fs show them; the
 * listing is read page by page.
 */
public final class DatasetLister {
    /** Matched without regard to case. */
    private static final List<String> IMAGE_SUFFIXES = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif",
            ".tiff");

    private DatasetLister() {
    }

    /**
     * @param classes class names in label order, or empty to take them from the data (the training split does;
     *                the test split is then listed with the training split's classes)
     */
    public static Dataset list(Storage storage, String field, JobSpec.Source source, List<String> classes) {
        return switch (source.format()) {
            case IMAGE_FOLDER -> storage.resolve(field + ".uri", source.uri()) instanceof Location.StoredObject o
                    ? objectFolder(storage, o.uri(), field, source, classes)
                    : imageFolder(storage.files(), field, source, classes);
            case IDX -> idx(storage, field, source, classes);
        };
    }

    /** {@link #list(Storage, String, JobSpec.Source, List)} of files under {@code paths}' root. */
    public static Dataset list(PathResolver paths, String field, JobSpec.Source source, List<String> classes) {
        return list(Storage.local(paths), field, source, classes);
    }

    private static Dataset imageFolder(PathResolver paths, String field, JobSpec.Source source, List<String> given) {
        Path dir = paths.resolve(field + ".uri", source.uri());
        if (!Files.isDirectory(dir)) {
            throw new JobRejectedException(field + ".uri", "\"" + source.uri() + "\" is not a readable directory");
        }
        List<String> found;
        try (Stream<Path> s = Files.list(dir)) {
            found = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new JobRejectedException(field + ".uri", "cannot list \"" + source.uri() + "\": " + e.getMessage());
        }
        List<String> classes = given.isEmpty() ? found : given;
        List<FieldError> errors = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (String c : found) {
            try {
                paths.inside(paths.relative(dir.resolve(c)));
            } catch (PathResolver.OutsideRootException e) {
                refused.add(c);
                errors.add(new FieldError(field + ".uri", "class folder \"" + c + "\" " + e.getMessage()));
            }
        }
        unknownClasses(field, found, classes, errors);
        List<Sample> samples = new ArrayList<>();
        for (int label = 0; label < classes.size(); label++) {
            Path classDir = dir.resolve(classes.get(label));
            if (refused.contains(classes.get(label)) || !Files.isDirectory(classDir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(classDir)) {
                for (Path f : s.filter(DatasetLister::isImage).sorted().toList()) {
                    samples.add(new Sample(samples.size(), paths.relative(f), label));
                }
            } catch (IOException e) {
                errors.add(new FieldError(field + ".uri", "cannot list " + classDir + ": " + e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            throw new JobRejectedException(errors);
        }
        return new Dataset(List.copyOf(classes), List.copyOf(samples));
    }

    private static void unknownClasses(String field, List<String> found, List<String> classes,
                                       List<FieldError> errors) {
        for (String c : found) {
            if (!classes.contains(c)) {
                errors.add(new FieldError(field + ".uri", "class folder \"" + c + "\" is not one of the classes "
                        + classes));
            }
        }
    }

    private static boolean isImage(Path p) {
        return Files.isRegularFile(p) && isImageName(p.getFileName().toString());
    }

    private static boolean isImageName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return IMAGE_SUFFIXES.stream().anyMatch(lower::endsWith);
    }

    /**
     * An image folder in object storage: class prefixes one level below {@code prefix}, images directly in them.
     * Keys that are not paths ({@link ObjectUri}) are listed all the same: reading them fails, and they are counted
     * and reported as bad samples rather than hidden.
     */
    private static Dataset objectFolder(Storage storage, ObjectUri prefix, String field, JobSpec.Source source,
                                        List<String> given) {
        ObjectStore store;
        try {
            store = storage.objects();
        } catch (Storage.UnavailableException e) {
            throw new JobRejectedException(field + ".uri", e.getMessage());
        }
        List<FieldError> errors = new ArrayList<>();
        List<String> found = new ArrayList<>();
        try (Stream<ObjectStore.Entry> s = store.children(prefix)) {
            s.filter(ObjectStore.Entry::folder).forEach(e -> {
                try {
                    storage.allowedObject(e.uri());
                    found.add(e.name());
                } catch (ObjectUri.BadObjectUriException | PathResolver.OutsideRootException x) {
                    errors.add(new FieldError(field + ".uri", "class folder \"" + e.ref() + "\" " + x.getMessage()));
                }
            });
        } catch (ObjectStore.ListingException e) {
            throw new JobRejectedException(field + ".uri", e.getMessage());
        }
        found.sort(null);
        List<String> classes = given.isEmpty() ? found : given;
        unknownClasses(field, found, classes, errors);
        List<Sample> samples = new ArrayList<>();
        Map<String, String> versions = new HashMap<>();
        for (int label = 0; label < classes.size(); label++) {
            if (!found.contains(classes.get(label))) {
                continue;
            }
            int l = label;
            try (Stream<ObjectStore.Entry> s = store.children(prefix.resolve(classes.get(label)))) {
                s.filter(e -> !e.folder() && isImageName(e.name())).forEach(e -> {
                    samples.add(new Sample(samples.size(), e.ref(), l));
                    versions.put(e.ref(), e.size() + " " + e.etag());
                });
            } catch (ObjectStore.ListingException e) {
                errors.add(new FieldError(field + ".uri", e.getMessage()));
            }
        }
        if (!errors.isEmpty()) {
            throw new JobRejectedException(errors);
        }
        return new Dataset(List.copyOf(classes), List.copyOf(samples), versions);
    }

    private static Dataset idx(Storage storage, String field, JobSpec.Source source, List<String> given) {
        Location images = storage.resolve(field + ".uri", source.uri());
        Location labelsFile = storage.resolve(field + ".labels", source.labels());
        IdxFile labels;
        int imageCount;
        try {
            labels = IdxFile.read(storage.localFile(labelsFile, IdxFile.MAX_BYTES));
        } catch (IOException e) {
            throw new JobRejectedException(field + ".labels", "cannot read IDX labels: " + e.getMessage());
        }
        try {
            imageCount = IdxFile.count(storage.localFile(images, IdxFile.MAX_BYTES));
        } catch (IOException e) {
            throw new JobRejectedException(field + ".uri", "cannot read IDX images: " + e.getMessage());
        }
        if (labels.count() != imageCount) {
            throw new JobRejectedException(field + ".labels", labels.count() + " labels for " + imageCount + " images");
        }
        List<Integer> keep = source.labelFilter().isEmpty()
                ? distinctSorted(labels) : source.labelFilter();
        List<String> classes = given.isEmpty() ? keep.stream().map(String::valueOf).toList() : given;
        if (classes.size() != keep.size()) {
            throw new JobRejectedException("data.classes", "names " + classes.size() + " classes but "
                    + field + ".labelFilter keeps " + keep.size() + " labels");
        }
        String ref = images.ref();
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < labels.count(); i++) {
            int label = keep.indexOf(labels.unsigned(i));
            if (label >= 0) {
                samples.add(new Sample(samples.size(), ref + "#" + i, label));
            }
        }
        return new Dataset(List.copyOf(classes), List.copyOf(samples));
    }

    private static List<Integer> distinctSorted(IdxFile labels) {
        boolean[] seen = new boolean[256];
        for (int i = 0; i < labels.count(); i++) {
            seen[labels.unsigned(i)] = true;
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < seen.length; i++) {
            if (seen[i]) {
                out.add(i);
            }
        }
        return out;
    }
}
