package io.transferpool.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.jboss.logging.Logger;

import java.nio.file.Path;

/**
 * The one place ONNX Runtime sessions are made. {@link #open} makes the sessions that do the work (extraction,
 * checking a combined model) with the requested execution provider: when CUDA is asked for but cannot be used
 * (CPU-only onnxruntime jar, no driver, no device) the session falls back to CPU, says so in the log and reports
 * the provider that really runs, so a metric can show it. {@link #inspect} makes the unoptimised CPU sessions that
 * read a graph's inner tensors (shapes, translation checks). Sessions are made from bytes (a cut, combined or
 * inspection graph), so both are told where the model's external data lives.
 */
public final class SessionFactory {
    private static final Logger LOG = Logger.getLogger(SessionFactory.class);

    /** An open session and the provider that actually runs it. */
    public record Opened(OrtSession session, ExecutionProvider provider, String fallbackReason) implements AutoCloseable {
        @Override
        public void close() throws OrtException {
            session.close();
        }
    }

    /** Settings for one session; {@code intraOpThreads} 0 lets ONNX Runtime choose. */
    public record Settings(ExecutionProvider provider, int cudaDevice, int intraOpThreads) {
        public static Settings cpu(int threads) {
            return new Settings(ExecutionProvider.CPU, 0, threads);
        }

        /**
         * These settings for a session that {@code streams} threads run at once: on CPU, unless the intra-op threads
         * are set, each run gets its share of the cores (at least one), so the runs do not fight over them.
         */
        public Settings sharedBy(int streams) {
            if (intraOpThreads > 0 || provider != ExecutionProvider.CPU) {
                return this;
            }
            return new Settings(provider, cudaDevice, Math.max(1, Runtime.getRuntime().availableProcessors()
                    / Math.max(1, streams)));
        }
    }

    private SessionFactory() {
    }

    public static Opened open(byte[] model, Settings settings) throws OrtException {
        return open(model, null, settings);
    }

    /** @param externalData the folder the model's external data resolves against (its file's folder), or null */
    public static Opened open(byte[] model, Path externalData, Settings settings) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String fallback = null;
        if (settings.provider() == ExecutionProvider.CUDA) {
            try (OrtSession.SessionOptions options = options(settings)) {
                externalDataIn(externalData, options);
                options.addCUDA(settings.cudaDevice());
                return new Opened(env.createSession(model, options), ExecutionProvider.CUDA, null);
            } catch (OrtException | UnsatisfiedLinkError e) {
                fallback = e.getMessage();
                LOG.warnf("CUDA execution provider requested but unusable (%s); running on CPU", fallback);
            }
        }
        try (OrtSession.SessionOptions options = options(settings)) {
            externalDataIn(externalData, options);
            return new Opened(env.createSession(model, options), ExecutionProvider.CPU, fallback);
        }
    }

    /**
     * A CPU session with no graph optimisation, for reading tensors as the graph names them: fused nodes would
     * hide the tensors asked for. The caller closes it.
     *
     * @param externalData the folder the model's external data resolves against, or null
     */
    public static OrtSession inspect(byte[] model, Path externalData) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            externalDataIn(externalData, options);
            return OrtEnvironment.getEnvironment().createSession(model, options);
        }
    }

    /** ONNX Runtime resolves external data against {@code folder}, and refuses locations that leave it. */
    private static void externalDataIn(Path folder, OrtSession.SessionOptions options) throws OrtException {
        if (folder != null) {
            options.addConfigEntry("session.model_external_initializers_file_folder_path", folder.toString());
        }
    }

    private static OrtSession.SessionOptions options(Settings settings) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        if (settings.intraOpThreads() > 0) {
            options.setIntraOpNumThreads(settings.intraOpThreads());
        }
        options.setInterOpNumThreads(1);
        // Idle ONNX Runtime threads spin by default, taking the CPU the extractor's decode threads need.
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }
}
