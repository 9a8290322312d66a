package io.transferpool.cli;

import io.transferpool.translate.Boundaries;
import io.transferpool.translate.OnnxTranslator;
import java.util.HashSet;
import java.util.Set;

import io.transferpool.model.ModelInspector;
import io.transferpool.model.OnnxModel;
import io.transferpool.model.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "model", mixinStandardHelpOptions = true, description = "Work with ONNX models.",
        subcommands = ModelCommand.Inspect.class)
public class ModelCommand {

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "List the tensors of an ONNX model in graph order with op, shape (batch of one) and"
                    + " parameters; '*' marks good cut points (flatten / global-pool outputs), 'ft' the freeze"
                    + " boundaries fine-tuning can start from (every later operator translates to DL4J).")
    static class Inspect implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL.onnx")
        Path model;

        @Override
        public Integer call() throws Exception {
            OnnxModel m = OnnxModel.load(model);
            List<TensorInfo> tensors = ModelInspector.inspect(m);
            String output = m.graph().getOutput(0).getName();
            Set<String> fineTunable = new HashSet<>(Boundaries.fineTunable(m, ModelInspector.shapes(m), output));
            System.out.println(model + "  sha256 " + m.sha256() + "  opset "
                    + m.proto().getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty())
                    .map(o -> String.valueOf(o.getVersion())).findFirst().orElse("?"));
            int width = tensors.stream().mapToInt(t -> t.name().length()).max().orElse(10);
            System.out.printf("%4s  %-" + width + "s  %-18s %-20s %10s  %-3s %s%n", "#", "tensor", "op", "shape",
                    "params", "ft", "cut");
            long total = 0;
            for (int i = 0; i < tensors.size(); i++) {
                TensorInfo t = tensors.get(i);
                total += t.parameters();
                System.out.printf("%4d  %-" + width + "s  %-18s %-20s %10d  %-3s %s%n", i, t.name(), t.op(),
                        t.shape().isEmpty() ? "?" : t.shape().toString().replace(" ", ""), t.parameters(),
                        fineTunable.contains(t.name()) ? "ft" : "", t.goodCut() ? "* " + t.featureSize() + " features" : "");
            }
            System.out.println("total parameters " + total);
            System.out.println(fineTunable.isEmpty() ? "fine-tuning: no boundary before " + output
                    + " has only supported operators after it (supported: " + String.join(", ",
                    OnnxTranslator.supportedOps()) + ")"
                    : "fine-tuning: " + fineTunable.size() + " possible freeze boundaries (ft)");
            return 0;
        }
    }
}
