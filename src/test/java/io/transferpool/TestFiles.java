package io.transferpool;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** Paths to the demo assets shipped in the repository, and helpers to build small data sets from them. */
public final class TestFiles {
    public static final Path DEMO = Path.of("demo/tshirt-vs-shirt").toAbsolutePath();
    public static final Path BASE_MODEL = DEMO.resolve("models/base.onnx");
    public static final String CUT = "/flatten/Flatten_output_0";

    private TestFiles() {
    }

    /** Copies the first {@code perClass} images of each class of a demo split into {@code to/<class>/}. */
    public static void copyImages(String split, Path to, int perClass) throws IOException {
        for (String cls : List.of("shirt", "tshirt")) {
            Path dst = Files.createDirectories(to.resolve(cls));
            try (Stream<Path> files = Files.list(DEMO.resolve("data").resolve(split).resolve(cls))) {
                for (Path f : files.sorted().limit(perClass).toList()) {
                    Files.copy(f, dst.resolve(f.getFileName()));
                }
            }
        }
    }

    /**
     * The first {@code perClass} images of each class of a demo split as colour PNGs in {@code to/<class>/}: the
     * grey pixel in one channel, tints of it in the other two, so the channels differ as in a photo.
     */
    public static void copyImagesAsRgb(String split, Path to, int perClass) throws IOException {
        for (String cls : List.of("shirt", "tshirt")) {
            Path dst = Files.createDirectories(to.resolve(cls));
            try (Stream<Path> files = Files.list(DEMO.resolve("data").resolve(split).resolve(cls))) {
                for (Path f : files.sorted().limit(perClass).toList()) {
                    BufferedImage grey = ImageIO.read(f.toFile());
                    BufferedImage rgb = new BufferedImage(grey.getWidth(), grey.getHeight(), BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < grey.getHeight(); y++) {
                        for (int x = 0; x < grey.getWidth(); x++) {
                            int v = grey.getRaster().getSample(x, y, 0);
                            rgb.setRGB(x, y, (v << 16) | ((v * 3 / 4) << 8) | (255 - v) / 2);
                        }
                    }
                    ImageIO.write(rgb, "png", dst.resolve(f.getFileName()).toFile());
                }
            }
        }
    }

    /**
     * Lays out a small copy of the demo task under {@code root}: {@code models/base.onnx}, and the first images of
     * each class of the demo's train and test splits in {@code root/<trainDir>} and {@code root/<testDir>}.
     */
    public static void demoRoot(Path root, String trainDir, int trainPerClass, String testDir, int testPerClass)
            throws IOException {
        Files.createDirectories(root.resolve("models"));
        Files.copy(BASE_MODEL, root.resolve("models/base.onnx"));
        copyImages("train", root.resolve(trainDir), trainPerClass);
        copyImages("test", root.resolve(testDir), testPerClass);
    }

    /** A job file's JSON for the demo task with the given paths and epochs. */
    public static String job(String jobId, String model, String train, String test, int epochs) {
        return """
                {"jobId": "%s", "strategy": "feature-extraction",
                 "baseModel": {"uri": "%s", "input": "input", "cut": "%s"},
                 "data": {"train": {"uri": "%s", "format": "image-folder"}%s, "validationSplit": 0.1},
                 "preprocess": {"width": 28, "height": 28, "channels": 1, "scale": 0.00392156862745098},
                 "head": {"hidden": [64], "activation": "relu"},
                 "training": {"optimizer": {"type": "adam", "learningRate": 0.001}, "epochs": %d, "batchSize": 32,
                              "earlyStopping": {"monitor": "val_accuracy", "patience": 5, "mode": "max"}, "seed": 7}}
                """.formatted(jobId, model, CUT, train,
                test == null ? "" : ", \"test\": {\"uri\": \"" + test + "\", \"format\": \"image-folder\"}", epochs);
    }
}
