package io.transferpool.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * benchmarks/finetune_torch.py kept running with {@code --interleave}: it warms up once, then runs one timed training
 * step each time {@link #step()} asks. Lets a benchmark alternate its own steps with PyTorch's, so that both are
 * timed on the same machine state (this machine's GEMM speed was seen to swing 3-4x within minutes; two runs one
 * after the other compared that swing, not the libraries).
 */
final class TorchBaseline implements AutoCloseable {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String STEP = "torch step seconds ";

    private final Process process;
    private final BufferedReader out;
    private final Writer in;

    private TorchBaseline(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    /**
     * Starts the baseline and waits for its warm-up epoch; empty (with the reason printed) when Debian's python3
     * with torch is not there or the script fails.
     */
    static Optional<TorchBaseline> start(int threads, String... args) throws IOException {
        if (!Files.isExecutable(PYTHON)) {
            System.out.println("  PyTorch  not run (needs Debian's python3-torch and python3-torchvision)");
            return Optional.empty();
        }
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), "benchmarks/finetune_torch.py",
                "--threads", String.valueOf(threads), "--interleave"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        TorchBaseline baseline = new TorchBaseline(p);
        String line = baseline.out.readLine();
        while (line != null && !line.equals("ready")) {
            System.out.println("  PyTorch: " + line);
            line = baseline.out.readLine();
        }
        if (line == null) {
            baseline.close();
            System.out.println("  PyTorch  failed before its first epoch");
            return Optional.empty();
        }
        Path blas = Path.of("/usr/lib/x86_64-linux-gnu/libblas.so.3");
        System.out.println("  PyTorch's BLAS: " + (Files.exists(blas) ? blas.toRealPath() : "unknown"));
        return Optional.of(baseline);
    }

    /** Seconds of PyTorch's next training step (its next batch; a new shuffled epoch after the last). */
    double step() throws IOException {
        in.write("step\n");
        in.flush();
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith(STEP)) {
                return Double.parseDouble(line.substring(STEP.length()).split(" ")[0]);
            }
            System.out.println("  PyTorch: " + line);
        }
        throw new IOException("finetune_torch.py ended without a rate");
    }

    @Override
    public void close() throws IOException {
        in.close();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
        }
    }
}
