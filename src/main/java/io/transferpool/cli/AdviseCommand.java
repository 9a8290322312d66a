package io.transferpool.cli;

import io.transferpool.admission.AcceptedJob;
import io.transferpool.admission.Admission;
import io.transferpool.admission.JobPlanner;
import io.transferpool.admission.JobValidator;
import io.transferpool.job.Advice;
import io.transferpool.job.FieldError;
import io.transferpool.job.JobParser;
import io.transferpool.job.JobRejectedException;
import io.transferpool.job.JobSpec;
import io.transferpool.kernels.NativeThreads;
import io.transferpool.messaging.Json;
import io.transferpool.storage.Storage;
import io.transferpool.pool.PoolConfig;
import jakarta.inject.Inject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "advise", mixinStandardHelpOptions = true,
        description = "Measure a job's data against its base model and say which of the seed's four cases it is, "
                + "what \"strategy\": \"auto\" would run and why, without training. Exit code 0, or 2 when the job "
                + "is rejected.")
public class AdviseCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "JOB.json", description = "The job (any strategy); its paths resolve "
            + "against its folder.")
    Path job;

    @Inject
    PoolOptions options;

    @Option(names = "--json", description = "Print the advice as JSON (as a result's \"advice\") instead.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        return advise(job, json, System.out, options.config());
    }

    /** @param config the pool's configuration: the limits the advice keeps within, as the coordinator's */
    static int advise(Path jobFile, boolean asJson, PrintStream out, PoolConfig config) throws Exception {
        if (!Files.isReadable(jobFile)) {
            out.println("error: job file " + jobFile + " does not exist or is not readable");
            return ExitCodes.USAGE;
        }
        NativeThreads.configure();
        JobParser.Parsed parsed = JobParser.parse(Files.readString(jobFile));
        AcceptedJob validated;
        try {
            JobSpec spec = parsed.orThrow();
            // Whatever the job says, the advisor chooses (a freeze boundary too); a new head goes at the job's cut.
            JobSpec.FineTune ft = spec.fineTune() != null ? spec.fineTune() : new JobSpec.FineTune(1e-4,
                    JobSpec.BatchNorm.FROZEN, null, spec.training().epochs(), spec.training().optimizer().learningRate());
            JobSpec auto = spec.withStrategy(JobSpec.Strategy.AUTO).withBaseModel(spec.baseModel().withFreezeAt(null),
                    ft);
            Path folder = jobFile.toAbsolutePath().getParent();
            try (Storage storage = Storage.of(folder, config.storage(), config.workDir().resolve("object-cache"))) {
                validated = new Admission(new JobValidator(storage), new JobPlanner(storage, config.limits(),
                        config.extract().batchSize(), config.shardSize())).admit(auto);
            }
        } catch (JobRejectedException e) {
            out.println("Job " + parsed.jobId() + " cannot be advised on:");
            for (FieldError err : e.errors()) {
                out.println("  error  " + err.field() + ": " + err.problem());
            }
            return ExitCodes.REJECTED;
        }
        Advice a = validated.advice();
        if (asJson) {
            out.println(Json.pretty(a));
            return ExitCodes.SUCCEEDED;
        }
        Advice.Measurements m = a.measurements();
        out.printf(Locale.ROOT, "Job %s: case %d, %s%n", parsed.jobId(), a.caseNumber(), a.strategy());
        out.printf(Locale.ROOT, "  size       %d training images, %d classes, %d in the smallest (large from %d)%n",
                m.trainImages(), m.classes(), m.minImagesPerClass(), m.largePerClass());
        out.printf(Locale.ROOT, "  probes     linear classifier, validation accuracy on %d sampled images:%n",
                m.probedImages());
        for (Advice.Probe p : m.probes()) {
            out.printf(Locale.ROOT, "             %-40s %8d values  %.3f%n", p.tensor(), p.values(), p.valAccuracy());
        }
        if (m.baseConfidence() != null) {
            out.printf(Locale.ROOT, "  base       its classifier's mean top probability on these images: %.3f%n",
                    m.baseConfidence());
        }
        out.println("  choice     " + a.strategy() + (a.freezeAt() != null ? ", freezeAt " + a.freezeAt() : "")
                + ", cut " + a.cut());
        out.println("  why        " + a.reason());
        return ExitCodes.SUCCEEDED;
    }
}
