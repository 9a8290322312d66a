package io.transferpool.cli;

import java.io.PrintStream;
import java.nio.file.Path;

/** The advise verb's body, for tests in other packages. */
public final class AdviseCommandAccess {
    private AdviseCommandAccess() {
    }

    public static int advise(Path job, PrintStream out) throws Exception {
        return AdviseCommand.advise(job, false, out, io.transferpool.TestConfig.pool(job.toAbsolutePath().getParent(),
                job.toAbsolutePath().getParent()));
    }
}
