package io.transferpool.model;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.transferpool.FamilyModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Models whose weights are in external data (made with onnx.save_model(save_as_external_data=True) by
 * make_family_models.py): read from their own folder, checked for locations that leave it, and written as a model
 * file plus one data file.
 */
class ExternalDataTest {
    static final Path EXTERNAL = FamilyModel.DIR.resolve("external");
    static final String NAME = "resnet18_opset13";

    @TempDir
    Path dir;

    @Test
    void externalWeightsReadFromTheModelsFolderEqualTheInlineOnes() throws Exception {
        OnnxModel external = OnnxModel.load(EXTERNAL.resolve(NAME + ".onnx"));
        OnnxModel inline = OnnxModel.load(FamilyModel.DIR.resolve(NAME + ".onnx"));
        assertThat(external.hasExternalData()).isTrue();
        assertThat(ExternalData.problems(external.graph(), external.folder())).isEmpty();
        int compared = 0;
        for (OnnxMl.TensorProto t : external.graph().getInitializerList()) {
            if (ExternalData.isExternal(t)) {
                OnnxMl.TensorProto same = inline.graph().getInitializerList().stream()
                        .filter(i -> i.getName().equals(t.getName())).findFirst().orElseThrow();
                assertThat(external.values(t).values()).isEqualTo(TensorData.of(same).values());
                compared++;
            }
        }
        assertThat(compared).isGreaterThan(5);
        assertThat(ModelInspector.infer(external).ok()).isTrue();
    }

    /** The fixture copied into {@code dir}, with the first external tensor's entry changed by {@code edit}. */
    private Path tampered(UnaryOperator<OnnxMl.TensorProto> edit) throws IOException {
        Files.copy(EXTERNAL.resolve(NAME + ".weights"), dir.resolve(NAME + ".weights"),
                StandardCopyOption.REPLACE_EXISTING);
        OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(EXTERNAL.resolve(NAME + ".onnx")));
        OnnxMl.GraphProto.Builder g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            if (ExternalData.isExternal(g.getInitializer(i))) {
                g.setInitializer(i, edit.apply(g.getInitializer(i)));
                break;
            }
        }
        Path file = dir.resolve("model.onnx");
        Files.write(file, m.toBuilder().setGraph(g).build().toByteArray());
        return file;
    }

    private static UnaryOperator<OnnxMl.TensorProto> location(String location) {
        return t -> {
            OnnxMl.TensorProto.Builder b = t.toBuilder().clearExternalData();
            for (OnnxMl.StringStringEntryProto e : t.getExternalDataList()) {
                b.addExternalData(e.getKey().equals("location") ? e.toBuilder().setValue(location).build() : e);
            }
            return b.build();
        };
    }

    private List<String> problemsOf(Path file) throws IOException {
        OnnxModel m = OnnxModel.load(file);
        return ExternalData.problems(m.graph(), m.folder());
    }

    @Test
    void locationsThatLeaveTheModelsFolderOrLieAboutTheFileAreProblems() throws Exception {
        assertThat(problemsOf(tampered(location("/etc/passwd")))).singleElement().asString()
                .contains("\"/etc/passwd\"", "absolute");
        assertThat(problemsOf(tampered(location("sub/../../" + NAME + ".weights"))))
                .singleElement().asString().contains("is outside the model's folder");
        Files.createSymbolicLink(dir.resolve("link.weights"), EXTERNAL.resolve(NAME + ".weights").toAbsolutePath());
        assertThat(problemsOf(tampered(location("link.weights")))).singleElement().asString()
                .contains("symbolic link");
    }

    @Test
    void aDataFileTooShortOrMissingIsAProblemNamingTheTensor() throws Exception {
        Path file = tampered(t -> t);
        OnnxModel m = OnnxModel.load(file);
        OnnxMl.TensorProto first = m.graph().getInitializerList().stream().filter(ExternalData::isExternal)
                .findFirst().orElseThrow();
        long size = Files.size(dir.resolve(NAME + ".weights"));
        Files.write(dir.resolve(NAME + ".weights"), java.util.Arrays.copyOf(Files.readAllBytes(
                dir.resolve(NAME + ".weights")), (int) size / 2));
        assertThat(problemsOf(file)).isNotEmpty().allSatisfy(p -> assertThat(p).contains("but the file has"));
        Files.delete(dir.resolve(NAME + ".weights"));
        assertThat(problemsOf(file)).anySatisfy(p -> assertThat(p).contains("\"" + first.getName() + "\"",
                "does not exist"));
    }

    @Test
    void theDigestsOfTheDataFilesShowAChangeMadeAfterAcceptance() throws Exception {
        Path file = tampered(t -> t);
        OnnxModel m = OnnxModel.load(file);
        Map<String, String> accepted = ExternalData.digests(m.graph(), m.folder());
        assertThat(accepted).containsOnlyKeys(NAME + ".weights");
        assertThat(accepted.get(NAME + ".weights")).isEqualTo(OnnxModel.sha256(dir.resolve(NAME + ".weights")));
        assertThat(ExternalData.mismatch(m.graph(), m.folder(), accepted)).isNull();
        assertThat(ExternalData.mismatch(m.graph(), m.folder(), null)).contains("not accepted with the job");

        byte[] weights = Files.readAllBytes(dir.resolve(NAME + ".weights"));
        weights[weights.length / 2] ^= 1; // same size, one weight changed
        Files.write(dir.resolve(NAME + ".weights"), weights);
        assertThat(ExternalData.mismatch(m.graph(), m.folder(), accepted))
                .contains("changed after the job was accepted", "\"" + NAME + ".weights\"",
                        accepted.get(NAME + ".weights"));
    }

    @Test
    void aModelReadFromBytesCannotFindItsExternalData() throws Exception {
        OnnxModel m = OnnxModel.parse(Files.readAllBytes(EXTERNAL.resolve(NAME + ".onnx")), "bytes");
        assertThat(ExternalData.problems(m.graph(), m.folder())).isNotEmpty()
                .allSatisfy(p -> assertThat(p).contains("not read from a folder"));
    }

    @Test
    void aModelMadeFromAnExternalBaseIsWrittenAsAModelFileAndOneDataFile() throws Exception {
        OnnxModel base = OnnxModel.load(EXTERNAL.resolve(NAME + ".onnx"));
        OnnxMl.ModelProto cut = GraphCut.cut(base, "/Flatten_output_0");
        ModelFiles.Written w = ModelFiles.write(cut, base.folder(), dir.resolve("model.onnx"));

        assertThat(w.data()).isEqualTo(dir.resolve("model.onnx.data"));
        assertThat(Files.size(w.model())).as("weights are not in the model file").isLessThan(Files.size(w.data()));
        OnnxModel written = OnnxModel.load(w.model());
        assertThat(written.graph().getInitializerList()).filteredOn(ExternalData::isExternal)
                .allSatisfy(t -> assertThat(ExternalData.ref(t).location()).isEqualTo("model.onnx.data"));
        float[] x = new float[3 * 64 * 64];
        Random rnd = new Random(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        assertThat(runFile(w.model(), x)).isEqualTo(runFile(FamilyModel.DIR.resolve(NAME + ".onnx"), x, "/Flatten_output_0"));
    }

    @Test
    void aModelWithoutExternalDataStaysOneFile() throws Exception {
        OnnxModel base = OnnxModel.load(FamilyModel.DIR.resolve(NAME + ".onnx"));
        ModelFiles.Written w = ModelFiles.write(base.proto(), base.folder(), dir.resolve("model.onnx"));
        assertThat(w.data()).isNull();
        assertThat(Files.list(dir)).containsExactly(dir.resolve("model.onnx"));
    }

    private static float[] runFile(Path model, float[] x) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[]{1, 3, 64, 64});
             OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), in))) {
            FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            return out;
        }
    }

    private static float[] runFile(Path model, float[] x, String cut) throws Exception {
        Path tmp = Files.createTempFile("cut", ".onnx");
        try {
            Files.write(tmp, GraphCut.cut(OnnxModel.load(model), cut).toByteArray());
            return runFile(tmp, x);
        } finally {
            Files.delete(tmp);
        }
    }
}
