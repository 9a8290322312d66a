package io.transferpool.data;

import io.transferpool.job.FieldError;
import io.transferpool.job.JobRejectedException;
import io.transferpool.job.JobSpec;
import io.transferpool.paths.PathResolver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Lists the samples of a split. image-folder: one sub-folder per class, classes in sorted folder-name order unless
 * the job gives them; idx: an image file and a label file, the labels kept given by {@code labelFilter}.
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
    public static Dataset list(PathResolver paths, String field, JobSpec.Source source, List<String> classes) {
        return switch (source.format()) {
            case IMAGE_FOLDER -> imageFolder(paths, field, source, classes);
            case IDX -> idx(paths, field, source, classes);
        };
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
        for (String c : found) {
            if (!classes.contains(c)) {
                errors.add(new FieldError(field + ".uri", "class folder \"" + c + "\" is not one of the classes "
                        + classes));
            }
        }
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

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && IMAGE_SUFFIXES.stream().anyMatch(name::endsWith);
    }

    private static Dataset idx(PathResolver paths, String field, JobSpec.Source source, List<String> given) {
        Path images = paths.resolve(field + ".uri", source.uri());
        Path labelsFile = paths.resolve(field + ".labels", source.labels());
        IdxFile labels;
        int imageCount;
        try {
            labels = IdxFile.read(labelsFile);
        } catch (IOException e) {
            throw new JobRejectedException(field + ".labels", "cannot read IDX labels: " + e.getMessage());
        }
        try {
            imageCount = IdxFile.count(images);
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
        String ref = paths.relative(images);
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
