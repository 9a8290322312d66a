package io.transferpool.kernels;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.jboss.logging.Logger;

/**
 * How ND4J's native threads wait, set from inside the process before ND4J loads. libnd4j's OpenMP threads
 * spin-wait between ops by default and then fight OpenBLAS's threads (and ONNX Runtime's, in one process with
 * every role) for the cores: on 2 cores every small op between two GEMMs costs about a millisecond and
 * {@code MultiLayerNetwork.fit} of the seed's head runs at less than half its speed (STACK-NOTES, DL4J).
 * {@code OMP_WAIT_POLICY=PASSIVE} makes them sleep instead, but OpenMP reads it from the C environment once, when
 * the library loads, and Java cannot change its own environment: so it is set here through the C library's
 * {@code setenv}, from every entry point before the first ND4J class is used (the command line's start, a pool's
 * start, a training run). A value the environment already has (the Dockerfile, a user) is kept.
 * <p>
 * OpenBLAS's own worker threads spin for 2^28 cycles (about 0.1 s) after every GEMM before they sleep, so during
 * training one of them always holds a core while the optimizer's update and the small ops between GEMMs run:
 * {@code OPENBLAS_THREAD_TIMEOUT=4} (2^4 cycles, the least OpenBLAS takes) makes them sleep at once. Measured on
 * the seed's 2048-d head (HeadTrainingBenchmark, three runs each, interleaved): SGD 0.56-0.61 of the GEMM ceiling
 * instead of 0.51-0.55, Adam 0.56-0.59 instead of 0.47-0.51.
 */
public final class NativeThreads {
    private static final Logger LOG = Logger.getLogger(NativeThreads.class);
    /** The variable and value that stop OpenMP's threads from spinning. */
    public static final String WAIT_POLICY = "OMP_WAIT_POLICY";
    public static final String PASSIVE = "PASSIVE";
    /** The variable and value that make OpenBLAS's threads sleep right after a GEMM instead of spinning. */
    public static final String BLAS_THREAD_TIMEOUT = "OPENBLAS_THREAD_TIMEOUT";
    public static final String BLAS_TIMEOUT_VALUE = "4";

    private interface LibC extends Library {
        int setenv(String name, String value, int overwrite);

        String getenv(String name);
    }

    private static boolean configured; // guarded by the class lock

    /** The C library, loaded once (null where JNA cannot reach it). */
    private static final class C {
        static final LibC LIB = load();

        private static LibC load() {
            try {
                return Native.load("c", LibC.class);
            } catch (LinkageError | RuntimeException e) {
                LOG.debugf("C library not reachable: %s", e);
                return null;
            }
        }
    }

    private NativeThreads() {
    }

    /**
     * Sets the wait policy unless the environment has one; idempotent and cheap after the first call. Returns the
     * value in effect for libraries loaded from now on (null when the C library cannot be reached, e.g. Windows).
     */
    public static synchronized String configure() {
        if (configured) {
            return C.LIB == null ? System.getenv(WAIT_POLICY) : C.LIB.getenv(WAIT_POLICY);
        }
        String value = setIfAbsent(WAIT_POLICY, PASSIVE);
        String blas = setIfAbsent(BLAS_THREAD_TIMEOUT, BLAS_TIMEOUT_VALUE);
        configured = true;
        LOG.infof("Native threads: %s=%s%s, %s=%s", WAIT_POLICY, value, PASSIVE.equalsIgnoreCase(value) ? ""
                : " (ND4J's OpenMP threads will spin between ops and compete for the cores; set it to PASSIVE)",
                BLAS_THREAD_TIMEOUT, blas);
        return value;
    }

    /** Sets a C environment variable unless it has a value; returns the value it now has (null if unreachable). */
    static String setIfAbsent(String name, String value) {
        if (C.LIB == null) {
            return System.getenv(name); // e.g. Windows: the variable stays as the environment has it
        }
        C.LIB.setenv(name, value, 0);
        return C.LIB.getenv(name);
    }
}
