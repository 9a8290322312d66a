package io.transferpool.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

/** {@code java -jar quarkus-run.jar VERB}: the one command-line program (README "Command line"). */
@TopCommand
@Command(name = "transferpool", mixinStandardHelpOptions = true, version = "TransferPool 0.1.0",
        description = "Transfer learning as a worker pool: ONNX Runtime extractors, DL4J head trainers, Kafka between.",
        subcommands = {RunCommand.class, ServeCommand.class, SubmitCommand.class, CancelCommand.class, ModelCommand.class,
                AdviseCommand.class,
                DemoCommand.class})
public class TransferPoolCommand {
}
