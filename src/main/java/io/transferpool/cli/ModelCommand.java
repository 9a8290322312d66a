package io.transferpool.cli;

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
                    + " parameters; '*' marks good cut points (flatten / global-pool outputs).")
    static class Inspect implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL.onnx")
        Path model;

        @Override
        public Integer call() throws Exception {
            OnnxModel m = OnnxModel.load(model);
            List<TensorInfo> tensors = ModelInspector.inspect(m);
            System.out.println(model + "  sha256 " + m.sha256() + "  opset "
                    + m.proto().getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty())
                    .map(o -> String.valueOf(o.getVersion())).findFirst().orElse("?"));
            int width = tensors.stream().mapToInt(t -> t.name().length()).max().orElse(10);
            System.out.printf("%4s  %-" + width + "s  %-18s %-20s %10s  %s%n", "#", "tensor", "op", "shape", "params",
                    "cut");
            long total = 0;
            for (int i = 0; i < tensors.size(); i++) {
                TensorInfo t = tensors.get(i);
                total += t.parameters();
                System.out.printf("%4d  %-" + width + "s  %-18s %-20s %10d  %s%n", i, t.name(), t.op(),
                        t.shape().isEmpty() ? "?" : t.shape().toString().replace(" ", ""), t.parameters(),
                        t.goodCut() ? "* " + t.featureSize() + " features" : "");
            }
            System.out.println("total parameters " + total);
            return 0;
        }
    }
}
